import type { KeyStore } from '../../platform/keys/index.js';
import { loadSigningKeys, type SigningKeySet } from './provider-keys.js';
import { AUTHZ_KEY_PURPOSE } from './rotation.js';

export interface KeyReloadOptions {
  keyStore: KeyStore;
  intervalSeconds: number;
  /** The set this instance started with. */
  current: SigningKeySet;
  /** Rebuilds the provider with the new key set (its first key signs). */
  apply: (keys: SigningKeySet) => Promise<void>;
  onError: (error: unknown) => void;
}

/**
 * How a running instance learns of `attesta keys rotate authz` (run on any host against the shared
 * database) and of the key lifecycle: every `intervalSeconds` it reads the purpose's fingerprint
 * (one small query) and, when it changed — a new key to publish, a pending key that starts signing,
 * a retired key that drops out, a revoked key — reloads its key set and swaps its provider.
 */
export function watchSigningKeys(options: KeyReloadOptions): { stop(): void; check(): Promise<void> } {
  let current = options.current;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      if ((await options.keyStore.fingerprint(AUTHZ_KEY_PURPOSE)) !== current.fingerprint) {
        const next = await loadSigningKeys(options.keyStore);
        await options.apply(next);
        current = next;
      }
    } catch (error) {
      options.onError(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), check };
}
