import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. SQLite checkpoints automatically inside the COMMIT that
 * takes the WAL past 1000 pages: on the event loop, it copies those pages into the database file and
 * fsyncs both files — tens of milliseconds during which no request moves (replaying the issuing
 * path's writes here: commit p99 33 ms and 80 µs of CPU per credential with it, 1.4 ms and none
 * without; docs/decisions.md). So the services' connections turn the automatic checkpoint off and
 * one worker thread per process runs `PRAGMA wal_checkpoint(PASSIVE)` on each registered database
 * every `intervalMs`: PASSIVE never waits for readers or writers (https://sqlite.org/c3ref/wal_checkpoint_v2.html),
 * and with its own connection at `synchronous = FULL` it syncs the WAL before copying and the
 * database after, as the automatic checkpoint did. If the thread stops, every registered
 * connection gets its automatic checkpoint back.
 */

const INTERVAL_MS = 200;

// CommonJS, evaluated in the worker: the driver's path comes resolved from here (any working directory).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const open = new Map();
parentPort.on('message', (message) => {
  if (message.add !== undefined) {
    try {
      const db = new Database(message.add, { fileMustExist: true });
      db.pragma('synchronous = FULL');
      open.set(message.id, db);
    } catch {}
  } else if (message.remove !== undefined) {
    const db = open.get(message.id);
    open.delete(message.id);
    try { db?.close(); } catch {}
    parentPort.postMessage({ removed: message.id });
  }
});
setInterval(() => {
  for (const db of open.values()) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  }
}, workerData.intervalMs);
`;

interface Registration {
  path: string;
  /** Called if the thread stops: the connection checkpoints by itself again. */
  fallback: () => void;
}

let worker: Worker | undefined;
const registered = new Map<number, Registration>();
const removals = new Map<number, () => void>();
let nextId = 0;
/** The thread stopped once (an error, or the process's end): connections keep checkpointing themselves. */
let failed = false;

function startWorker(): Worker {
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: INTERVAL_MS },
    // A few small statements: a small heap (its RSS counts in the service's).
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  started.on('message', (message: { removed?: number }) => {
    if (message.removed !== undefined) removals.get(message.removed)?.();
  });
  const stopped = () => {
    if (worker !== started) return;
    worker = undefined;
    failed = true;
    for (const { fallback } of registered.values()) fallback();
    registered.clear();
    for (const done of removals.values()) done();
    removals.clear();
  };
  started.on('error', stopped);
  started.on('exit', stopped);
  // After the listeners (a 'message' listener refs the worker's port again): the thread keeps no process alive.
  started.unref();
  return started;
}

/**
 * Registers a SQLite file for background checkpoints; then the caller turns its connection's
 * automatic checkpoint off (`fallback` turns it on again if the thread stops). The returned function
 * unregisters, resolving once the thread has closed its connection (so the file may be removed
 * after). Undefined when no thread can take it: the connection keeps checkpointing itself.
 */
export function checkpointInBackground(
  path: string,
  fallback: () => void,
): (() => Promise<void>) | undefined {
  // After a thread stopped, connections keep their automatic checkpoint (undefined: not registered).
  if (worker === undefined && failed) return undefined;
  worker ??= startWorker();
  const id = nextId++;
  registered.set(id, { path, fallback });
  worker.postMessage({ add: path, id });
  return () => {
    if (!registered.delete(id) || !worker) return Promise.resolve();
    const current = worker;
    const done = new Promise<void>((resolve) => removals.set(id, resolve));
    // Referenced while the answer is awaited, so a process that is closing waits for it.
    current.ref();
    current.postMessage({ remove: path, id });
    // The thread then stays, unreferenced (it keeps no process alive), for the next database opened.
    return done.finally(() => {
      removals.delete(id);
      if (removals.size === 0) current.unref();
    });
  };
}
