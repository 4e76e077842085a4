import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Token } from '../../../src/platform/keys/pkcs11/index.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../../helpers/softhsm.js';

const available = isSoftHsmAvailable();

// Its own process (vitest forks per file): no other session of the module is logged in, so a
// wrong PIN really reaches C_Login.
describe.skipIf(!available)('PKCS#11 start-up faults (SoftHSM2)', () => {
  let softhsm: SoftHsmToken;
  beforeAll(() => {
    softhsm = createSoftHsmToken();
    process.env.TEST_HSM_PIN = softhsm.pin;
  });
  afterAll(() => softhsm?.cleanup());

  it('start-up fails with a message naming module and token: absent token, wrong PIN — never the PIN', async () => {
    const absent = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: 'no-such-token',
      pin: { env: 'TEST_HSM_PIN' },
    }).catch((error: Error) => error);
    expect(absent).toBeInstanceOf(Error);
    expect((absent as Error).message).toContain(softhsm.module);
    expect((absent as Error).message).toContain('no-such-token');
    expect((absent as Error).message).toContain('not present');

    process.env.TEST_WRONG_PIN = 'wrong-pin-0000';
    const wrong = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { env: 'TEST_WRONG_PIN' },
    }).catch((error: Error) => error);
    expect((wrong as Error).message).toContain(softhsm.module);
    expect((wrong as Error).message).toContain(softhsm.tokenLabel);
    expect((wrong as Error).message).toContain('CKR_PIN_INCORRECT');
    expect((wrong as Error).message).not.toContain('wrong-pin-0000');
    expect((wrong as Error).message).not.toContain(softhsm.pin);
  });

  it('a PIN variable that is not set is named; a token by slot id that does not exist lists what is present', async () => {
    const unset = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { env: 'TEST_PIN_NOT_SET' },
    }).catch((error: Error) => error);
    expect((unset as Error).message).toContain('TEST_PIN_NOT_SET is not set');
    const slot = await Pkcs11Token.open({
      module: softhsm.module,
      slot: 424242,
      pin: { env: 'TEST_HSM_PIN' },
    }).catch((error: Error) => error);
    expect((slot as Error).message).toContain('slot 424242');
    expect((slot as Error).message).toContain(`"${softhsm.tokenLabel}"`);
    const module = await Pkcs11Token.open({
      module: '/nonexistent/libpkcs11.so',
      tokenLabel: 'x',
      pin: { env: 'TEST_HSM_PIN' },
    }).catch((error: Error) => error);
    expect((module as Error).message).toContain('/nonexistent/libpkcs11.so');
  });

  it('reads the PIN from a file (a mounted secret, trailing newline allowed); a missing file is named, not read out', async () => {
    const pinFile = join(softhsm.dir, 'hsm-pin');
    writeFileSync(pinFile, `${softhsm.pin}\n`, { mode: 0o600 });
    const token = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { file: pinFile },
    });
    try {
      await token.check();
      expect(token.state().status).toBe('ready');
    } finally {
      token.close();
    }
    const missing = await Pkcs11Token.open({
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { file: join(softhsm.dir, 'no-such-pin') },
    }).catch((error: Error) => error);
    expect((missing as Error).message).toContain('no-such-pin');
    expect((missing as Error).message).toContain('ENOENT');
  });
});
