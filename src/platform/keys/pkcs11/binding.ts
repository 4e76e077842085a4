import type { PKCS11 } from 'pkcs11js';

export interface Pkcs11Binding {
  lib: PKCS11;
  close(): void;
}

interface Loaded {
  lib: PKCS11;
  users: number;
}

/** A PKCS#11 module is initialised once per process (C_Initialize is process-wide): one binding per path. */
const loaded = new Map<string, Loaded>();

/**
 * pkcs11js, imported only when a token is configured: a deployment without an HSM never loads the
 * native module.
 */
export async function loadBinding(module: string): Promise<Pkcs11Binding> {
  let entry = loaded.get(module);
  if (!entry) {
    const { PKCS11 } = (await import('pkcs11js')).default;
    const lib = new PKCS11();
    try {
      lib.load(module);
    } catch (error) {
      throw new Error(`cannot load the module (${(error as Error).message.split('\n')[0]})`);
    }
    entry = { lib, users: 0 };
    loaded.set(module, entry);
  }
  entry.users += 1;
  const held = entry;
  let closed = false;
  return {
    lib: held.lib,
    close() {
      if (closed) return;
      closed = true;
      held.users -= 1;
      if (held.users > 0) return;
      loaded.delete(module);
      try {
        held.lib.C_Finalize();
      } catch {
        // Not initialised.
      }
      held.lib.close();
    },
  };
}
