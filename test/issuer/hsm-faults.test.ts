import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/cli/keys.js';
import type { Config } from '../../src/platform/config/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { type KeyTables, openKeyBackends } from '../../src/platform/keys/index.js';
import { generateTokenKey, type Pkcs11Token } from '../../src/platform/keys/pkcs11/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../helpers/softhsm.js';
import { testConfig } from '../helpers/system.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { newHolder, proofJwt } from './helpers/wallet.js';

const available = isSoftHsmAvailable();
const PIN_VARIABLE = 'TEST_ISSUER_HSM_PIN';
const HSM_PURPOSES = [
  'issuer-sd-jwt',
  'issuer-w3c-es256',
  'issuer-w3c-eddsa',
  'issuer-mdoc-ds',
  'issuer-mdoc-iaca',
];

/** A second handle on the module in this process: what an HSM that drops its clients looks like. */
function outsider(module: string) {
  const lib = new pkcs11js.PKCS11();
  lib.load(module);
  return lib;
}

/**
 * The issuer as deployed with an HSM (keys.pkcs11, SoftHSM2 here) behind the real start-up path
 * (startSystem), faced with the faults of issue 19 §2 as a wallet and an operator see them: start-up
 * refused with module and token named, a session lost mid-run, the token pulled out and put back.
 */
describe.skipIf(!available)('issuer with its keys in an HSM: faults (SoftHSM2)', () => {
  let softhsm: SoftHsmToken;
  let as: ForeignAs;
  let config: Config;
  let dataDir: string;
  let system: RunningSystem | undefined;
  let url: string;

  beforeAll(async () => {
    softhsm = createSoftHsmToken();
    process.env[PIN_VARIABLE] = softhsm.pin;
    const prepared = await testConfig({ services: ['issuer'] });
    dataDir = prepared.dataDir;
    as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
    config = {
      ...prepared.config,
      issuer: { ...prepared.config.issuer, authorizationServers: [as.url] },
      keys: {
        ...prepared.config.keys,
        pkcs11: {
          module: softhsm.module,
          tokenLabel: softhsm.tokenLabel,
          pin: { env: PIN_VARIABLE },
          purposes: HSM_PURPOSES,
          retryAfterSeconds: 1,
        },
      },
    };
    url = config.issuer.publicUrl;
  });
  afterAll(async () => {
    await system?.stop();
    await as?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    softhsm?.cleanup();
  });

  /** One OpenID4VCI credential request as a wallet makes it (fresh nonce, token and key proof). */
  async function requestCredential() {
    const { c_nonce: nonce } = (await (await fetch(`${url}/nonce`, { method: 'POST' })).json()) as {
      c_nonce: string;
    };
    const holder = await newHolder('ES256');
    const token = await as.mint({ claims: { sub: '5102030400', scope: 'national_id' } });
    const response = await fetch(`${url}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: [await proofJwt(holder, { audience: url, nonce })] },
      }),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
  const issuedKid = (text: string) => {
    const { credentials } = JSON.parse(text) as { credentials: { credential: string }[] };
    return decodeProtectedHeader((credentials[0]?.credential ?? '').split('~')[0] as string).kid;
  };
  async function readiness() {
    const response = await fetch(`${url}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { checks: Record<string, { status: string; reason?: string }> },
    };
  }

  it('start-up fails with a message naming module and token when the PIN is wrong or the token absent', async () => {
    // First in this process: no session of the module is logged in yet, so the PIN reaches C_Login.
    process.env.TEST_ISSUER_WRONG_PIN = 'wrong-pin-1234';
    const pkcs11 = config.keys.pkcs11 as NonNullable<Config['keys']['pkcs11']>;
    const wrongPin = await startSystem(
      { ...config, keys: { ...config.keys, pkcs11: { ...pkcs11, pin: { env: 'TEST_ISSUER_WRONG_PIN' } } } },
      ['issuer'],
    ).catch((error: Error) => error);
    expect(wrongPin).toBeInstanceOf(Error);
    expect((wrongPin as Error).message).toContain(softhsm.module);
    expect((wrongPin as Error).message).toContain(softhsm.tokenLabel);
    expect((wrongPin as Error).message).toContain('CKR_PIN_INCORRECT');
    expect((wrongPin as Error).message).not.toContain('wrong-pin-1234');

    const absent = await startSystem(
      { ...config, keys: { ...config.keys, pkcs11: { ...pkcs11, tokenLabel: 'token-not-plugged' } } },
      ['issuer'],
    ).catch((error: Error) => error);
    expect((absent as Error).message).toContain(softhsm.module);
    expect((absent as Error).message).toContain('token-not-plugged');
    // Nothing listens: the issuer never started on a software key instead.
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('issues with keys made in the token; readiness reports the token', async () => {
    system = await startSystem(config, ['issuer']);
    const first = await requestCredential();
    expect(first.status, first.text).toBe(200);
    const { status, body } = await readiness();
    expect(status).toBe(200);
    expect(body.checks.hsm).toEqual({ status: 'ok' });
    const database = openDatabase<KeyTables>(config.issuer.database);
    try {
      const rows = await database.db
        .selectFrom('signing_keys')
        .select(['kid', 'purpose', 'backend'])
        .execute();
      for (const purpose of HSM_PURPOSES) {
        expect(rows.filter((r) => r.purpose === purpose).map((r) => r.backend)).toEqual(['pkcs11']);
      }
      // The credential is signed by the SD-JWT VC key, the one in the token.
      const sdJwtKey = rows.find((r) => r.purpose === 'issuer-sd-jwt');
      expect(issuedKid(first.text)).toBe(sdJwtKey?.kid);
    } finally {
      await database.close();
    }
  });

  it('a session lost mid-run: the next credential is still issued, without a restart', async () => {
    const before = await requestCredential();
    expect(before.status).toBe(200);
    const lib = outsider(softhsm.module);
    const slot = lib
      .C_GetSlotList(true)
      .find((s) => lib.C_GetTokenInfo(s).label.trim() === softhsm.tokenLabel);
    lib.C_CloseAllSessions(slot as Buffer); // every session of the process dies, and its login with them
    const after = await requestCredential();
    expect(after.status, after.text).toBe(200);
    expect(issuedKid(after.text)).toBe(issuedKid(before.text));
  });

  it('token pulled out: 503 + Retry-After in OAuth JSON (never a 500, no detail), not ready; back: issues again', async () => {
    const before = await requestCredential();
    expect(before.status).toBe(200);
    softhsm.remove();
    outsider(softhsm.module).C_Finalize(); // the module finds no token on re-init

    const refused = await requestCredential();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = JSON.parse(refused.text) as Record<string, string>;
    expect(body.error).toBe('temporarily_unavailable');
    // The reason (module path, token, PKCS#11 code) is for the operator, not the wallet.
    expect(refused.text).not.toContain(softhsm.module);
    expect(refused.text).not.toContain(softhsm.tokenLabel);
    expect(refused.text).not.toContain('CKR_');

    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the readiness cache and retry interval
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.body.checks.hsm?.status).toBe('fail');
    expect(down.body.checks.hsm?.reason).toContain(softhsm.tokenLabel);

    softhsm.restore();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const resumed = await requestCredential();
    expect(resumed.status, resumed.text).toBe(200);
    // The same token key signs again: no software key took its place in between.
    expect(issuedKid(resumed.text)).toBe(issuedKid(before.text));
    const up = await readiness();
    expect(up.status).toBe(200);
    expect(up.body.checks.hsm).toEqual({ status: 'ok' });
  });

  it('attesta keys rotate/list with the HSM: the next key is generated in the token, or an existing token key is taken by label', async () => {
    // Last: the command opens (and on exit releases) the process's HSM binding, as it would in its own process.
    const configFile = join(dataDir, 'attesta.json');
    writeFileSync(configFile, JSON.stringify(config));
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await keysCommand([...args, '--config', configFile], (line) => lines.push(line));
      return { code, text: lines.join('\n') };
    };
    const rotated = await cli('rotate', 'issuer', '--purpose', 'issuer-w3c-eddsa', '--lead', '3600');
    expect(rotated.code, rotated.text).toBe(0);
    const kid = /issuer-w3c-eddsa: new key (\S+),/.exec(rotated.text)?.[1];
    const listed = await cli('list', 'issuer', '--purpose', 'issuer-w3c-eddsa');
    expect(listed.text).toMatch(
      new RegExp(
        `${kid}\\s+issuer-w3c-eddsa\\s+pending\\s+EdDSA\\s+hsm token "${softhsm.tokenLabel}", object "attesta-issuer-w3c-eddsa-`,
      ),
    );

    const backends = await openKeyBackends(config.keys);
    try {
      await generateTokenKey(backends.token as Pkcs11Token, 'ES256', 'ceremony-ds-2027');
    } finally {
      backends.close();
    }
    const byLabel = await cli(
      'rotate',
      'issuer',
      '--purpose',
      'issuer-mdoc-ds',
      '--label',
      'ceremony-ds-2027',
      '--lead',
      '3600',
    );
    expect(byLabel.code, byLabel.text).toBe(0);
    expect((await cli('list', 'issuer', '--purpose', 'issuer-mdoc-ds')).text).toMatch(
      /issuer-mdoc-ds\s+pending\s+ES256\s+hsm token "[^"]+", object "ceremony-ds-2027"/,
    );
  });
});
