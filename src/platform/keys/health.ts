import type { KeyStore } from './key-store.js';
import type { Pkcs11Token } from './pkcs11/index.js';
import { certificateDeadlines } from './schedule.js';

/** A readiness check as src/platform/health registers them: a name, and a probe that throws why not. */
export interface KeyReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * The HSM token answers (a reconnection is tried, at most once per retry interval, when it had
 * failed). Fails with the module, slot and PKCS#11 reason — never the PIN.
 */
export function hsmReadinessCheck(token: Pkcs11Token): KeyReadinessCheck {
  return { name: 'hsm', check: () => token.check() };
}

/** No certificate of a published key of the purposes has expired (one that soon will only warns, in the log). */
export function certificateReadinessCheck(
  keyStore: KeyStore,
  purposes: readonly string[],
): KeyReadinessCheck {
  return {
    name: 'certificates',
    async check() {
      const expired = (await certificateDeadlines(keyStore, purposes)).filter((d) => d.daysLeft < 0);
      if (expired.length) {
        const first = expired[0] as (typeof expired)[number];
        throw new Error(
          `certificate "${first.subject}" of ${first.purpose} key ${first.kid} expired on ${first.notAfter.toISOString()}`,
        );
      }
    },
  };
}
