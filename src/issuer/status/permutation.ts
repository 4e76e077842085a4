import { createCipheriv, createHmac } from 'node:crypto';

/** The master key derivation's label of the permutations' base key (`MasterKey.derive`). */
export const STATUS_PERMUTATION_KEY = 'issuer status index permutation';

/** Keystream bytes generated per AES call while shuffling. */
const CHUNK = 64 * 1024;

/**
 * A keyed pseudo-random permutation of [0, size) as a table: `table[seq]` is the index handed out for
 * the seq-th allocation. A Fisher–Yates shuffle (Durstenfeld's, from the top) driven by the AES-256-CTR
 * keystream under `key` (zero IV: one key per list, one stream per key); each position j ∈ [0, i] is
 * drawn from a 32-bit word masked to the next power of two, words above i rejected, so every draw is
 * uniform. With AES a pseudo-random function, the table is indistinguishable from a uniformly random
 * permutation to anyone without the key (Black and Rogaway's "small domain" construction; NIST's
 * format-preserving ciphers are not for domains under a million). Deterministic: every process with
 * the key computes the same table.
 */
export function keyedPermutation(key: Buffer, size: number): Uint32Array {
  if (!Number.isInteger(size) || size < 1 || size > 2 ** 32) throw new Error(`permutation size ${size}`);
  if (key.length !== 32) throw new Error('permutation key must be 32 bytes');
  const table = new Uint32Array(size);
  for (let i = 0; i < size; i++) table[i] = i;
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let words = new Uint32Array(0);
  let at = 0;
  const word = (): number => {
    if (at === words.length) {
      const bytes = cipher.update(zeros);
      words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      at = 0;
    }
    return words[at++] as number;
  };
  for (let i = size - 1; i > 0; i--) {
    // The smallest all-ones mask covering i (i < 2^32).
    let mask = i;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let j: number;
    do j = (word() & mask) >>> 0;
    while (j > i);
    const swap = table[i] as number;
    table[i] = table[j] as number;
    table[j] = swap;
  }
  return table;
}

/**
 * The status lists' index permutations: one per list, keyed by HMAC-SHA-256(base key, list id) with the
 * base key derived from the master key (`issuer status index permutation`), so every worker and instance
 * computes the same one. Tables are kept for the few lists in use (a list of 131,072 entries: 512 KiB).
 */
export class StatusPermutations {
  private readonly tables = new Map<string, Uint32Array>();

  constructor(
    private readonly baseKey: Buffer,
    private readonly keep = 4,
  ) {}

  private listKey(listId: string): Buffer {
    return createHmac('sha256', this.baseKey).update(`status list ${listId}`, 'utf8').digest();
  }

  /**
   * What a list row stores at its creation: a short MAC under the list's key. A process whose master
   * key differs (it would compute another permutation, so its indices could repeat ones already
   * handed out) finds a different tag and refuses the list.
   */
  tag(listId: string): string {
    return createHmac('sha256', this.listKey(listId))
      .update('attesta status permutation check', 'utf8')
      .digest('base64url')
      .slice(0, 22);
  }

  /** `table[seq]` = the index of the list's seq-th entry. */
  of(listId: string, size: number): Uint32Array {
    let table = this.tables.get(listId);
    if (table?.length === size) {
      // Most recently used last.
      this.tables.delete(listId);
      this.tables.set(listId, table);
      return table;
    }
    table = keyedPermutation(this.listKey(listId), size);
    this.tables.set(listId, table);
    while (this.tables.size > this.keep) this.tables.delete(this.tables.keys().next().value as string);
    return table;
  }

  /** The seq whose index is `idx`, or undefined when idx is outside the list. */
  seqOf(listId: string, size: number, idx: number): number | undefined {
    if (!Number.isInteger(idx) || idx < 0 || idx >= size) return undefined;
    const seq = this.of(listId, size).indexOf(idx);
    return seq < 0 ? undefined : seq;
  }

  /** A list no longer in use (full): its table is let go. */
  forget(listId: string): void {
    this.tables.delete(listId);
  }
}
