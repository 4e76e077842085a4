/**
 * A PostgreSQL batch's deferred writes (prepareStatement's `deferrable`: unconditional inserts whose
 * results their callers do not read) as one statement: each a data-modifying CTE of its own, its
 * `$n` moved past the parameters of the writes before it. One statement sends and answers once where
 * the writes took one each; the server runs every CTE of it (https://www.postgresql.org/docs/current/
 * queries-with.html#QUERIES-WITH-MODIFYING), all or none.
 */
export interface DeferredWrite {
  text: string;
  values: readonly unknown[];
}

/** Combined texts named once per process, so each is parsed once per connection; bounded. */
const NAMED_TEXTS = 256;
const names = new Map<string, string>();
let named = 0;

export interface CombinedWrites {
  /** A pg statement name when the text is among the remembered ones (parsed once per connection). */
  name?: string;
  text: string;
  values: unknown[];
}

export function combineWrites(writes: readonly DeferredWrite[]): CombinedWrites {
  const values: unknown[] = [];
  const parts = writes.map((write, i) => {
    const offset = values.length;
    values.push(...write.values);
    const text =
      offset === 0 ? write.text : write.text.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + offset}`);
    return `"deferred_${i}" as (${text})`;
  });
  const text = `with ${parts.join(', ')} select 1`;
  let name = names.get(text);
  if (!name && names.size < NAMED_TEXTS) {
    name = `attesta_deferred_${++named}`;
    names.set(text, name);
  }
  return name ? { name, text, values } : { text, values };
}
