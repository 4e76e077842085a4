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

export function walSync(databasePath: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  return {
    async sync() {
      // Opened on the first commit: SQLite creates the -wal file when the database is first written.
      handle ??= open(`${databasePath}-wal`, 'r');
      try {
        await (await handle).datasync();
      } catch (error) {
        handle = undefined;
        throw error;
      }
    },
    async close() {
      const opened = handle;
      handle = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}
