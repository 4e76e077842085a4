import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessToken } from '../../../src/issuer/access-token.js';
import { invalidToken } from '../../../src/issuer/access-token.js';
import { expectError, postCredential, preAuthorizedToken, proofsFor } from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { newHolder } from '../helpers/wallet.js';

// The shared guard of the credential, deferred and notification endpoints takes further token checks:
// the seam where a revoked grant stops its tokens. Here a check refuses the token ids in `revoked`.
const revoked = new Set<string>();
const checked: AccessToken[] = [];
let issuer: ProtocolIssuer;

beforeAll(async () => {
  issuer = await startProtocolIssuer({
    tokenChecks: [
      (token) => {
        checked.push(token);
        if (revoked.has(String(token.payload.jti))) throw invalidToken('the grant was revoked');
      },
    ],
  });
});
afterAll(async () => {
  await issuer?.stop();
});

async function credentialRequest(token: string) {
  const proofs = await proofsFor(issuer.url, [await newHolder()]);
  return postCredential(
    issuer.url,
    { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: proofs } },
    token,
  );
}

describe('the shared access token guard', () => {
  it('runs the token checks on a verified token, once per request', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const before = checked.length;
    const result = await credentialRequest(token);
    expect(result.status).toBe(200);
    expect(checked.length).toBe(before + 1);
    expect(checked.at(-1)?.payload.jti).toBe(decodeJwt(token).jti);
  });

  it('refuses a token a check refuses at all three endpoints, before the request is worked on', async () => {
    const token = await preAuthorizedToken(issuer.url);
    issuer.issuance.pendingFor = 1;
    const pending = await credentialRequest(token);
    expect(pending.status).toBe(202);

    revoked.add(String(decodeJwt(token).jti));
    const asked = issuer.issuance.requests.length;
    for (const [path, body] of [
      ['/credential', { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: ['x'] } }],
      ['/deferred_credential', { transaction_id: pending.body?.transaction_id }],
      ['/notification', { notification_id: 'x', event: 'credential_accepted' }],
    ] as const) {
      const result = await postCredential(issuer.url, body, token, { path });
      expectError(result, 401, 'invalid_token');
      // RFC 6750 §3: the refusal is a Bearer challenge naming the error.
      expect(result.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(issuer.issuance.requests.length).toBe(asked);
  });

  it('never consults the checks for a request without a token', async () => {
    const before = checked.length;
    const result = await postCredential(issuer.url, {}, undefined);
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toMatch(/^Bearer, DPoP algs=/);
    expect(checked.length).toBe(before);
  });
});
