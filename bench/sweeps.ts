// `npx tsx bench/sweeps.ts [rounds]`: how long one sweep statement holds a SQLite process's event loop,
// by the shape of the table's key (docs/benchmarks.md, session 26; src/platform/db/sweep.ts). A table
// shaped as `issuer_spent_nonces` (key, indexed expiry), 90,000 rows of which 45,000 have expired
// (about a minute of issuing at 750 credentials/s), WAL with synchronous=FULL, each statement its own
// transaction: one delete of every expired row against batches of the helper's statement. Keys as the
// issuer makes them: nonce values (version, expiry, then random: close together when issued close
// together) and DPoP jti ids (hashes: anywhere in the key index).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

const ROWS = 90_000;
const EXPIRED = 45_000;
const rounds = Number(process.argv[2] ?? 2);

const KEYS = {
  'nonce values (expiry first, then random)': (expiresAt: number) => {
    const nonce = Buffer.alloc(39);
    nonce[0] = 1;
    nonce.writeUIntBE(expiresAt, 1, 6);
    randomBytes(32).copy(nonce, 7);
    return nonce.toString('base64url');
  },
  'hashes (DPoP jti ids)': () => createHash('sha256').update(randomBytes(32)).digest('base64url'),
};

function table(key: (expiresAt: number) => string): { db: SQLite.Database; cutoff: number; folder: string } {
  const folder = mkdtempSync(join(tmpdir(), 'attesta-sweep-'));
  const db = new SQLite(join(folder, 'sweep.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (value varchar(64) primary key, expires_at bigint not null)');
  db.exec('create index t_expires_at on t (expires_at)');
  const insert = db.prepare('insert into t (value, expires_at) values (?, ?)');
  const start = Date.now();
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const expiresAt = Math.trunc(start + i * 1.33);
      insert.run(key(expiresAt), expiresAt);
    }
  })();
  const cutoff = (
    db.prepare(`select expires_at as e from t order by expires_at limit 1 offset ${EXPIRED - 1}`).get() as {
      e: number;
    }
  ).e;
  return { db, cutoff, folder };
}

function sweep(key: (expiresAt: number) => string, batch: number | undefined) {
  const { db, cutoff, folder } = table(key);
  // The statement of src/platform/db/sweep.ts, or one delete of every expired row.
  const statement = db.prepare(
    batch === undefined
      ? 'delete from t where expires_at <= ?'
      : `delete from t where value in (select value from t where expires_at <= ? order by expires_at limit ${batch})`,
  );
  let statements = 0;
  let longest = 0;
  let total = 0;
  let deleted = 0;
  for (;;) {
    const started = performance.now();
    const changes = statement.run(cutoff).changes;
    const ms = performance.now() - started;
    statements++;
    longest = Math.max(longest, ms);
    total += ms;
    deleted += changes;
    if (batch === undefined || changes < batch) break;
  }
  db.close();
  rmSync(folder, { recursive: true, force: true });
  if (deleted !== EXPIRED) throw new Error(`deleted ${deleted}, expected ${EXPIRED}`);
  return { statements, longest, total };
}

console.log('| keys | how | statements | longest statement | all statements |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, key] of Object.entries(KEYS)) {
  for (const batch of [undefined, 250, 1_000, 2_000, 10_000]) {
    for (let round = 0; round < rounds; round++) {
      const { statements, longest, total } = sweep(key, batch);
      const how = batch === undefined ? 'one delete' : `batches of ${batch.toLocaleString('en')}`;
      console.log(`| ${name} | ${how} | ${statements} | ${longest.toFixed(1)} ms | ${total.toFixed(1)} ms |`);
    }
  }
}
