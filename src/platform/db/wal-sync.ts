import { type FileHandle, open } from 'node:fs/promises';

/**
 * fdatasync of a SQLite database's write-ahead log on libuv's thread pool, so the group commit's
 * wait for the disk no longer stops the event loop. What SQLite does inside COMMIT at
 * `synchronous = FULL` in WAL mode is exactly this: an fdatasync of the `-wal` file after the
 * transaction's frames are written (https://sqlite.org/pragma.html#pragma_synchronous,
 * https://sqlite.org/wal.html). Linux syncs a file's data whichever descriptor asks, so a read-only
 * descriptor of our own does; the WAL file is never replaced while a connection has it open (it is
 * only reset in place or truncated after a checkpoint, and a checkpoint syncs what it moved).
 */
export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Shares syncs between callers without giving any of them less than its own: a caller's promise
 * settles with a run of `run` that started after the call. When none is running, a call starts one.
 * Calls made while one runs (it may have started before their frames were written) all wait for
 * the next, which starts as soon as the running one ends: one more fdatasync for all of them instead
 * of one each. An fdatasync costs about 80 µs of CPU (system time; docs/decisions.md) and the group
 * commit asks for one per batch, several per sign-in.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = run().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

export function walSync(databasePath: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  const sync = coalesced(async () => {
    // Opened on the first commit: SQLite creates the -wal file when the database is first written.
    handle ??= open(`${databasePath}-wal`, 'r');
    try {
      await (await handle).datasync();
    } catch (error) {
      handle = undefined;
      throw error;
    }
  });
  return {
    sync,
    async close() {
      const opened = handle;
      handle = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}
