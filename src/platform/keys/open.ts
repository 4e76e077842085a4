import { setProcessHsm } from './backends.js';
import { Pkcs11Token, type TokenState } from './pkcs11/index.js';
import type { Pkcs11Config } from './settings.js';

export interface KeyBackendsLog {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

export interface KeyBackends {
  /** The HSM token, when `keys.pkcs11` is set. */
  token?: Pkcs11Token;
  close(): void;
}

/**
 * Opens the HSM of `keys.pkcs11` for this process (start-up fails here, with the module and slot
 * named, when the token is absent or refuses the PIN) and makes it the KeyStores' HSM. Token state
 * changes at run time are logged once each (lost, back), with the reason and never the PIN.
 */
export async function openKeyBackends(
  keys: { pkcs11?: Pkcs11Config | undefined },
  log?: KeyBackendsLog,
): Promise<KeyBackends> {
  const settings = keys.pkcs11;
  if (!settings) return { close() {} };
  const onStateChange = (state: TokenState, token: Pkcs11Token) => {
    if (state.status === 'unavailable')
      log?.warn(
        { hsm: token.description, reason: state.reason },
        'HSM token unavailable: signing refused (503) until it returns',
      );
    else log?.info({ hsm: token.description }, 'HSM token available again: signing resumed');
  };
  const token = await Pkcs11Token.open(settings, onStateChange);
  setProcessHsm({ token, purposes: new Set(settings.purposes) });
  return {
    token,
    close() {
      setProcessHsm(undefined);
      token.close();
    },
  };
}
