import type { KeyStore } from './key-store.js';
import type { KeyState } from './lifecycle.js';
import { DEFAULT_CERTIFICATE_WARNING_DAYS, DEFAULT_ROTATION, type RotationConfig } from './settings.js';
import type { SigningAlgorithm } from './signing-key.js';
import { certificateExpiry } from './x509/index.js';

const DAY = 86_400_000;

export interface KeyPurpose {
  purpose: string;
  alg: SigningAlgorithm;
}

export interface KeyScheduleLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** A certificate of a published key, and how long it has left. */
export interface CertificateDeadline {
  kid: string;
  purpose: string;
  /** Where the key stands (a retired key's certificate matters less than the signing key's). */
  state: KeyState;
  /** 0 for the key's own (leaf) certificate, 1… for the CAs above it. */
  position: number;
  subject: string;
  notAfter: Date;
  daysLeft: number;
}

/**
 * Days to expiry of every certificate of every published key of the purposes (the leaf and each CA
 * above it): for readiness, `attesta keys list`, the log warning and the key-expiry metric.
 */
export async function certificateDeadlines(
  keyStore: KeyStore,
  purposes: readonly string[],
  now = new Date(),
): Promise<CertificateDeadline[]> {
  const deadlines: CertificateDeadline[] = [];
  for (const purpose of purposes) {
    for (const record of await keyStore.records(purpose, now.getTime())) {
      if (!['pending', 'signing', 'retired'].includes(record.lifecycle.state)) continue;
      for (const [position, der] of (record.certificateChain ?? []).entries()) {
        const { subject, notAfter, daysLeft } = certificateExpiry(der, now);
        deadlines.push({
          kid: record.kid,
          purpose,
          state: record.lifecycle.state,
          position,
          subject,
          notAfter,
          daysLeft,
        });
      }
    }
  }
  return deadlines;
}

/**
 * Rotation by key age (`keys.rotation.maxAgeDays`, per purpose under `keys.rotation.purposes`): a
 * purpose whose signing key has signed that long gets its next key, published for the lead time
 * before it signs. A purpose that already has a pending key is left alone, so instances running the
 * same schedule add at most one key between them in the usual case (a race adds a spare, which is
 * only published early). Also warns, once a day, about certificates ending within
 * `keys.certificateWarningDays`.
 */
export function scheduleKeyMaintenance(options: {
  keyStore: KeyStore;
  purposes: readonly KeyPurpose[];
  rotation?: RotationConfig | undefined;
  certificateWarningDays?: number | undefined;
  log: KeyScheduleLog;
  intervalMs?: number;
  clock?: () => number;
}): { stop(): void; run(): Promise<string[]> } {
  const rotation = options.rotation ?? DEFAULT_ROTATION;
  const warningDays = options.certificateWarningDays ?? DEFAULT_CERTIFICATE_WARNING_DAYS;
  const clock = options.clock ?? Date.now;
  let lastWarning = 0;
  const run = async (): Promise<string[]> => {
    const now = clock();
    const rotated: string[] = [];
    for (const { purpose, alg } of options.purposes) {
      const maxAgeDays = rotation.purposes?.[purpose]?.maxAgeDays ?? rotation.maxAgeDays;
      if (!maxAgeDays) continue;
      const records = await options.keyStore.records(purpose, now);
      const signing = records.find((r) => r.lifecycle.state === 'signing');
      if (!signing || records.some((r) => r.lifecycle.state === 'pending')) continue;
      if (now - signing.lifecycle.activatesAt < maxAgeDays * DAY) continue;
      const key = await options.keyStore.create(purpose, alg, {
        activatesAt: now + rotation.leadSeconds * 1000,
      });
      rotated.push(purpose);
      options.log.info(
        {
          purpose,
          kid: key.kid,
          previous: signing.kid,
          activatesAt: new Date(now + rotation.leadSeconds * 1000),
        },
        'key rotated by age: the next key is published and signs after the lead time',
      );
    }
    if (now - lastWarning >= DAY) {
      lastWarning = now;
      const purposes = options.purposes.map((p) => p.purpose);
      for (const deadline of await certificateDeadlines(options.keyStore, purposes, new Date(now))) {
        if (deadline.daysLeft < warningDays) {
          options.log.warn(
            { ...deadline, notAfter: deadline.notAfter.toISOString() },
            deadline.daysLeft < 0
              ? 'certificate expired'
              : 'certificate ends soon: renew it (attesta keys csr)',
          );
        }
      }
    }
    return rotated;
  };
  const timer = setInterval(
    () => void run().catch((error: unknown) => options.log.warn({ err: error }, 'key maintenance failed')),
    options.intervalMs ?? 3_600_000,
  );
  timer.unref();
  return { stop: () => clearInterval(timer), run };
}
