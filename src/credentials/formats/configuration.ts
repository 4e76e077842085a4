import type { CredentialFormat, FormatConfigurationFields } from './types.js';

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
