import { randomUUID } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';
import { pooledRandomBytes } from '../../platform/random.js';

/** uuid's own v7 state (its `updateV7State`): the last millisecond used and the counter within it. */
const v7State = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/**
 * A UUIDv7 exactly as `uuid`'s `v7()` makes it — the same monotonic rule (a new millisecond starts
 * the 31-bit counter at random bits 6–9; within one it counts up, and carries into the millisecond)
 * and the same bytes — but with its 16 random bytes cut from the process's CSPRNG pool
 * (src/platform/random.ts) rather than a `crypto.getRandomValues` call of its own per id (about 5 µs
 * of CPU each here, docs/decisions.md, Performance). `uuid` keeps the layout (`v7Bytes`).
 */
export function timeOrderedUuid(now = Date.now()): string {
  const random = pooledRandomBytes(16);
  if (now > v7State.msecs) {
    // uuid's v7Sequence: bits of random bytes 6–9, the top one cleared.
    v7State.seq = random.readUInt32BE(6) & 0x7fffffff;
    v7State.msecs = now;
  } else {
    v7State.seq = (v7State.seq + 1) | 0;
    if (v7State.seq === 0) v7State.msecs++;
  }
  return uuidV7({ random, msecs: v7State.msecs, seq: v7State.seq });
}

/**
 * A new ledger id (`urn:uuid:…`) for a credential. Where the id stays inside the issuer (the
 * credential does not carry it: SD-JWT VC, mso_mdoc), it is a UUIDv7 (RFC 9562 §5.7): ordered by
 * time, so the ledger's primary key (and, before migration 0102, the status entries' credential index) is
 * appended to instead of written at a random page each — about 50–80 µs less CPU per credential in the commit
 * (docs/decisions.md, Performance). Where the id is published in the credential (a W3C document's
 * `id`), it stays a random UUIDv4 (§5.4): a UUIDv7 would disclose the issuance time to the
 * millisecond, which the pipeline blurs to the hour on purpose (RFC 9901 §10.1).
 */
export function newCredentialId(publishedInCredential: boolean): string {
  return `urn:uuid:${publishedInCredential ? randomUUID() : timeOrderedUuid()}`;
}
