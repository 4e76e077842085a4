import { rmSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/index.js';
import type { KeyTables } from '../../src/platform/keys/index.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../helpers/softhsm.js';
import { testConfig } from '../helpers/system.js';
import { AMARA, type AuthzUnderTest, authorize, startAuthz } from './helpers.js';

const available = isSoftHsmAvailable();

/**
 * authz with its token key in SoftHSM2 (keys.pkcs11.purposes lists `authz`): oidc-provider signs
 * through ExternalSigningKey, the private key stays in the token, and what it signs verifies with
 * the published /jwks (openid-client and jose, the relying party's view).
 */
describe.skipIf(!available)('authz tokens signed in an HSM (SoftHSM2)', () => {
  let softhsm: SoftHsmToken;
  let authz: AuthzUnderTest;
  let dataDir: string;

  beforeAll(async () => {
    softhsm = createSoftHsmToken();
    process.env.TEST_AUTHZ_HSM_PIN = softhsm.pin;
    const test = await testConfig({ services: ['authz'] });
    dataDir = test.dataDir;
    test.config.keys = {
      ...test.config.keys,
      pkcs11: {
        module: softhsm.module,
        tokenLabel: softhsm.tokenLabel,
        pin: { env: 'TEST_AUTHZ_HSM_PIN' },
        purposes: ['authz'],
      },
    };
    authz = await startAuthz(test.config);
  });
  afterAll(async () => {
    await authz?.stop();
    rmSync(dataDir ?? '', { recursive: true, force: true });
    softhsm?.cleanup();
  });

  it('the ID token and access token of a sign-in are signed by the token key and verify with /jwks', async () => {
    const signIn = await authorize(authz.config, authz.rp, AMARA);
    // openid-client validates the ID token's signature against the discovered jwks_uri.
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      signIn.url,
      { pkceCodeVerifier: signIn.codeVerifier, expectedState: signIn.state },
      { resource: authz.config.authz.resources[0]?.identifier ?? '' },
    );
    const issuer = authz.config.authz.publicUrl;
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: JWK[] };
    const keySet = createLocalJWKSet(jwks);
    await expect(jwtVerify(tokens.id_token ?? '', keySet, { issuer })).resolves.toBeTruthy();
    await expect(jwtVerify(tokens.access_token, keySet, { issuer })).resolves.toBeTruthy();

    const database = openDatabase<KeyTables>(authz.config.authz.database);
    try {
      const rows = await (database.db as Kysely<KeyTables>)
        .selectFrom('signing_keys')
        .select(['kid', 'backend', 'private_key'])
        .where('purpose', '=', 'authz')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.backend).toBe('pkcs11');
      // The database holds a reference to the token object, no key material.
      expect(Object.keys(JSON.parse(rows[0]?.private_key ?? '{}')).sort()).toEqual(['id', 'label', 'token']);
      expect(decodeProtectedHeader(tokens.id_token ?? '').kid).toBe(rows[0]?.kid);
      expect(decodeProtectedHeader(tokens.access_token).kid).toBe(rows[0]?.kid);
      expect(jwks.keys.map((k) => k.kid)).toEqual([rows[0]?.kid]);
    } finally {
      await database.close();
    }
  });
});
