import type { CredentialFormat, FormatConfigurationFields, W3cDataModel } from './types.js';

/**
 * Members of a configuration that belong to other formats than its own (a `proofSuite` outside
 * Data Integrity, a data model outside W3C, SD-JWT's type metadata and decoys elsewhere).
 */
export function foreignMemberProblems(
  c: FormatConfigurationFields,
  format: Pick<CredentialFormat, 'documentKind'>,
  takesProofSuite: boolean,
): string[] {
  const problems: string[] = [];
  if (c.proofSuite && !takesProofSuite) problems.push('proofSuite: only for ldp_vc');
  if (c.dataModel && format.documentKind !== 'w3c') problems.push('dataModel: only for W3C formats');
  if ((c.typeMetadata || c.decoys !== undefined) && format.documentKind !== 'sd-jwt')
    problems.push('typeMetadata and decoys are for SD-JWT VC only');
  return problems;
}

/**
 * The data model a W3C configuration's credentials follow: its `dataModel`, else the format's
 * default (the first it lists). A format fixes its data models (OpenID4VCI 1.0 Appendix A.1.1:
 * `jwt_vc_json` is VCDM 1.1), so a configuration can only pick among them.
 */
export function dataModelOf(
  c: Pick<FormatConfigurationFields, 'dataModel'>,
  format: Pick<CredentialFormat, 'dataModels'>,
): W3cDataModel {
  return c.dataModel ?? format.dataModels?.[0] ?? '2.0';
}

/** A `dataModel` the format does not issue, named with the identifier that does. */
export function dataModelProblems(
  c: FormatConfigurationFields,
  format: Pick<CredentialFormat, 'id' | 'dataModels'>,
  otherwise: string,
): string[] {
  if (!c.dataModel || !format.dataModels || format.dataModels.includes(c.dataModel)) return [];
  return [`dataModel: ${format.id} issues VCDM ${format.dataModels.join(' or ')} only; ${otherwise}`];
}
