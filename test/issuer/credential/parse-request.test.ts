import { describe, expect, it } from 'vitest';
import { parseCredentialRequest } from '../../../src/issuer/credential/parse-request.js';

// OpenID4VCI 1.0 §8.2 (credential_configuration_id / credential_identifier + proofs) and draft 13 §7.2
// (format + type member + a single proof) fold into one request; the step is pure.
const JWT_A = 'eyJhbGciOiJFUzI1NiJ9.e30.a';
const JWT_B = 'eyJhbGciOiJFUzI1NiJ9.e30.b';

function errorOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { error?: string }).error;
  }
  return undefined;
}

describe('parseCredentialRequest', () => {
  it('takes a 1.0 request as it is', () => {
    expect(
      parseCredentialRequest({ credential_configuration_id: 'pid', proofs: { jwt: [JWT_A, JWT_B] } }),
    ).toEqual({
      credential: { by: 'configuration', id: 'pid' },
      proofs: { jwt: [JWT_A, JWT_B] },
      draft13: false,
    });
  });

  it('folds a draft-13 request (format, vct, single jwt proof) into the same shape', () => {
    expect(
      parseCredentialRequest({
        format: 'vc+sd-jwt',
        vct: 'urn:example:pid',
        proof: { proof_type: 'jwt', jwt: JWT_A },
      }),
    ).toEqual({
      credential: { by: 'format', format: 'vc+sd-jwt', vct: 'urn:example:pid' },
      proofs: { jwt: [JWT_A] },
      draft13: true,
    });
    expect(
      parseCredentialRequest({
        format: 'jwt_vc_json',
        credential_definition: { type: ['VerifiableCredential', 'PID'] },
        proof: { proof_type: 'attestation', attestation: JWT_B },
      }),
    ).toMatchObject({
      credential: { by: 'format', format: 'jwt_vc_json', types: ['VerifiableCredential', 'PID'] },
      proofs: { attestation: [JWT_B] },
      draft13: true,
    });
  });

  it('answers a configuration id sent with the single proof (wallets between the drafts) in both shapes', () => {
    expect(
      parseCredentialRequest({
        credential_configuration_id: 'pid',
        proof: { proof_type: 'jwt', jwt: JWT_A },
      }),
    ).toEqual({ credential: { by: 'configuration', id: 'pid' }, proofs: { jwt: [JWT_A] }, draft13: true });
  });

  it('prefers the credential_identifier, and leaves a missing proof to the proof step', () => {
    expect(
      parseCredentialRequest({ credential_identifier: 'pid-1', credential_configuration_id: 'pid' }),
    ).toEqual({
      credential: { by: 'identifier', identifier: 'pid-1' },
      proofs: {},
      draft13: false,
    });
  });

  it('refuses what no step could serve, with the §8.3.1.2 codes', () => {
    expect(errorOf(() => parseCredentialRequest({ proofs: { jwt: [JWT_A] } }))).toBe(
      'invalid_credential_request',
    );
    expect(
      errorOf(() =>
        parseCredentialRequest({
          credential_configuration_id: 'pid',
          proofs: { jwt: [JWT_A] },
          proof: { proof_type: 'jwt', jwt: JWT_A },
        }),
      ),
    ).toBe('invalid_credential_request');
    expect(
      errorOf(() => parseCredentialRequest({ format: 'mso_mdoc', proof: { proof_type: 'cwt', jwt: JWT_A } })),
    ).toBe('invalid_proof');
    expect(errorOf(() => parseCredentialRequest({ format: 'mso_mdoc', proof: { proof_type: 'jwt' } }))).toBe(
      'invalid_proof',
    );
  });

  it('leaves its input untouched', () => {
    const body = { credential_configuration_id: 'pid', proof: { proof_type: 'jwt', jwt: JWT_A } };
    const copy = structuredClone(body);
    parseCredentialRequest(body);
    expect(body).toEqual(copy);
  });
});
