import type { Pkcs11Token } from './pkcs11/token.js';

/** An HSM token and the key purposes whose new keys are generated in it. */
export interface HsmBinding {
  token: Pkcs11Token;
  purposes: ReadonlySet<string>;
}

/**
 * The HSM of this process. A PKCS#11 module is initialised once per process (C_Initialize is
 * process-wide), so the token opened at start-up is shared by every service and KeyStore here.
 */
let processHsm: HsmBinding | undefined;

export function setProcessHsm(binding: HsmBinding | undefined): void {
  processHsm = binding;
}

export function getProcessHsm(): HsmBinding | undefined {
  return processHsm;
}
