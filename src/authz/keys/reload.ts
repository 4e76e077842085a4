import type { Kysely } from 'kysely';
import type { KeyStore, KeyTables } from '../../platform/keys/index.js';
import { loadSigningKeys, newestActiveKid, type SigningKeySet } from './rotation.js';

export interface KeyReloadOptions {
  db: Kysely<KeyTables>;
  keyStore: KeyStore;
  retention: number;
  intervalSeconds: number;
  /** The set this instance started with. */
  current: SigningKeySet;
  /** Rebuilds the provider with the new key set (the newest active key signs). */
  apply: (keys: SigningKeySet) => Promise<void>;
  onError: (error: unknown) => void;
}

/**
 * How a running instance learns of `attesta keys rotate authz` (run on any host against the shared
 * database): every `intervalSeconds` it reads the newest active kid (one indexed query) and, when
 * it changed, reloads its key set and swaps its provider. Until then it keeps signing with the
 * previous key, which every instance still publishes, so tokens verify whichever instance signed.
 * Retired keys leave the JWKS at the next reload or restart after their retention window.
 */
export function watchSigningKeys(options: KeyReloadOptions): { stop(): void; check(): Promise<void> } {
  let current = options.current;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const kid = await newestActiveKid(options.db);
      const publishedExpired = current.retiredUntil !== undefined && Date.now() > current.retiredUntil;
      if (kid && (kid !== current.activeKid || publishedExpired)) {
        const next = await loadSigningKeys(options.db, options.keyStore, options.retention);
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
