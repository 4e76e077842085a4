import type { JWK } from 'jose';
import type { SignInput } from '../../src/issuer/formats/index.js';
import { MDL_DOCTYPE, MDL_ELEMENTS, MDL_NAMESPACE } from './demo-records.js';

export { MDL_DOCTYPE, MDL_NAMESPACE };

/** Inputs of the issuer's format signers, one per format, bound to `holderJwk` (as the pipeline builds them). */
export function signInputs(holderJwk: JWK, validFrom: Date, validUntil: Date) {
  const sdJwt: SignInput = {
    configuration: { id: 'pid', format: 'dc+sd-jwt', vct: 'urn:example:id:1' },
    document: {
      kind: 'sd-jwt',
      claims: { given_name: 'Amara', address: { locality: 'Lagos' } },
      disclosable: [['address', 'locality']],
    },
    holderJwk: holderJwk as never,
    validFrom,
    validUntil,
    status: [{ kind: 'token-status-list', idx: 12, uri: 'https://issuer.example/status/token/1' }],
  };
  /** jwt_vc_json is the VCDM 1.1 JWT encoding (OpenID4VCI 1.0 Appendix A.1.1); the others VCDM 2.0. */
  const w3c = (format: 'ldp_vc' | 'jwt_vc_json' | 'vc+jwt', alg: 'ES256' | 'EdDSA'): SignInput => ({
    configuration: {
      id: `${format}-${alg}`,
      format,
      dataModel: format === 'jwt_vc_json' ? '1.1' : '2.0',
      proofSuite: alg === 'EdDSA' ? 'eddsa-rdfc-2022' : 'ecdsa-rdfc-2019',
      signingAlg: alg,
    },
    document: {
      kind: 'w3c',
      dataModel: format === 'jwt_vc_json' ? '1.1' : '2.0',
      contexts: [],
      types: ['NationalIdCredential'],
      credentialSubject: { given_name: 'Amara' },
    },
    holderJwk: holderJwk as never,
    validFrom,
    validUntil,
  });
  const mdoc: SignInput = {
    configuration: { id: 'mdl', format: 'mso_mdoc', doctype: MDL_DOCTYPE },
    document: {
      kind: 'mdoc',
      docType: MDL_DOCTYPE,
      namespaces: {
        [MDL_NAMESPACE]: MDL_ELEMENTS,
      },
    },
    holderJwk: holderJwk as never,
    validFrom,
    validUntil,
  };
  return { sdJwt, w3c, mdoc };
}
