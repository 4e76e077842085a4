import { createPublicKey, verify } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyUnavailableError } from '../../../src/platform/keys/errors.js';
import {
  findTokenKey,
  generateTokenKey,
  Pkcs11SigningKey,
  Pkcs11Token,
} from '../../../src/platform/keys/pkcs11/index.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../../helpers/softhsm.js';

const available = isSoftHsmAvailable();
const data = Buffer.from('signing input');

/** Verifies with node:crypto from the public JWK alone (what any verifier has). */
function verifies(key: Pkcs11SigningKey, signature: Uint8Array): boolean {
  const publicKey = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
  return key.alg === 'ES256'
    ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    : verify(null, data, publicKey, signature);
}

/** A second handle on the same module in this process: what a network HSM dropping us looks like. */
function outsider(module: string) {
  const lib = new pkcs11js.PKCS11();
  lib.load(module);
  return lib;
}

describe.skipIf(!available)('PKCS#11 token (SoftHSM2)', () => {
  let softhsm: SoftHsmToken;
  let token: Pkcs11Token;

  beforeAll(async () => {
    softhsm = createSoftHsmToken();
    process.env.TEST_HSM_PIN = softhsm.pin;
    token = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { env: 'TEST_HSM_PIN' },
      retryAfterSeconds: 1,
    });
  });
  afterAll(() => {
    token?.close();
    softhsm?.cleanup();
  });

  it('generates P-256 and Ed25519 keys inside the token; their signatures verify with the public JWK', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const made = await generateTokenKey(token, alg, `test-${alg}`);
      expect(made.protected).toBe(true);
      const key = await Pkcs11SigningKey.of(token, made.ref, alg, made.publicJwk);
      const signature = await key.sign(data);
      expect(signature.length).toBe(64);
      expect(verifies(key, signature)).toBe(true);
      // Referenced again by label (an existing token key), it is the same key.
      const found = await findTokenKey(token, `test-${alg}`);
      expect(found.publicJwk).toEqual(made.publicJwk);
      expect(found.alg).toBe(alg);
      expect(found.protected).toBe(true);
    }
  });

  it('the private key cannot be read out of the token (sensitive, not extractable)', async () => {
    const made = await generateTokenKey(token, 'ES256', 'test-extract');
    await token.withSession((lib, session) => {
      lib.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: Buffer.from(made.ref.id, 'hex') },
      ]);
      const [handle] = lib.C_FindObjects(session, 1);
      lib.C_FindObjectsFinal(session);
      expect(handle).toBeDefined();
      // PKCS#11 §4.9: CKA_VALUE of a sensitive key is never revealed.
      expect(() =>
        lib.C_GetAttributeValue(session, handle as Buffer, [{ type: pkcs11js.CKA_VALUE }]),
      ).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      // Nor can it be wrapped out (not extractable).
      expect(() =>
        lib.C_WrapKey(
          session,
          { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD },
          handle as Buffer,
          handle as Buffer,
          Buffer.alloc(512),
        ),
      ).toThrow();
    });
  });

  it('signatures far beyond the session pool, concurrently on the thread pool, all verify', async () => {
    // The module is initialised with CKF_OS_LOCKING_OK (PKCS#11 v2.40 §5.4): initialised without it,
    // SoftHSM2 took no locks and this load crashed the process now and then (free(): invalid pointer).
    const made = await generateTokenKey(token, 'ES256', 'test-concurrent');
    const key = await Pkcs11SigningKey.of(token, made.ref, 'ES256', made.publicJwk);
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < 2000) if (!verifies(key, await key.sign(data))) failed++;
      }),
    );
    expect(failed).toBe(0);
  });

  it('a session lost mid-run is reopened and the signature still made, without a restart', async () => {
    const made = await generateTokenKey(token, 'ES256', 'test-session');
    const key = await Pkcs11SigningKey.of(token, made.ref, 'ES256', made.publicJwk);
    expect(verifies(key, await key.sign(data))).toBe(true);
    const other = outsider(softhsm.module);
    const slot = other
      .C_GetSlotList(true)
      .find((s) => other.C_GetTokenInfo(s).label.trim() === softhsm.tokenLabel);
    other.C_CloseAllSessions(slot as Buffer); // every session of the process dies, and the login with them
    expect(verifies(key, await key.sign(data))).toBe(true);
    expect(token.state().status).toBe('ready');
  });

  it('token absent: 503-style KeyUnavailableError with Retry-After, then signing resumes when it returns', async () => {
    const made = await generateTokenKey(token, 'EdDSA', 'test-absent');
    const key = await Pkcs11SigningKey.of(token, made.ref, 'EdDSA', made.publicJwk);
    softhsm.remove();
    outsider(softhsm.module).C_Finalize(); // the module forgets everything; it finds no token on re-init
    const refused = await key.sign(data).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyUnavailableError);
    expect((refused as KeyUnavailableError).status).toBe(503);
    expect((refused as KeyUnavailableError).headers['retry-after']).toBe('1');
    expect((refused as KeyUnavailableError).reason).toContain(softhsm.module);
    expect(token.state()).toMatchObject({ status: 'unavailable' });
    await expect(token.check()).rejects.toThrow(/not present|CKR_/);
    // Within the retry interval nothing touches the token: the refusal is immediate.
    await expect(key.sign(data)).rejects.toBeInstanceOf(KeyUnavailableError);

    softhsm.restore();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(verifies(key, await key.sign(data))).toBe(true);
    expect(token.state().status).toBe('ready');
    await token.check();
  });
});
