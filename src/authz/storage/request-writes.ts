import { AsyncLocalStorage } from 'node:async_hooks';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * The adapter writes of one oidc-provider request whose caller did not wait for them (upserts and
 * deletes, whose outcome oidc-provider does not read): the answer waits for all of them instead.
 * oidc-provider awaits each write before its next step, so a request that makes five (the resume that
 * issues a code: the interaction, the code, the old and the new session …) waited for five group
 * commits in a row; now the ones queued together commit together, and nothing is answered before every
 * write of the request is committed (durable on SQLite: the group commit's fsync) — or, if one failed,
 * the request fails. Writes whose result matters (a consumption, a replay check) are still awaited.
 */
export class RequestWrites {
  /** Pending writes by model kind: a read of that kind waits for them (it must see them). */
  readonly #pending = new Map<string, Promise<unknown>[]>();

  add(kind: string, write: Promise<unknown>): void {
    // Awaited by settled() or by a read; until then a failure must not be an unhandled rejection.
    write.catch(() => undefined);
    const list = this.#pending.get(kind);
    if (list) list.push(write);
    else this.#pending.set(kind, [write]);
  }

  /** Waits for the pending writes of `kind` (all kinds without it); throws the first failure. */
  async settled(kind?: string): Promise<void> {
    for (;;) {
      const kinds = kind === undefined ? [...this.#pending.keys()] : [kind];
      const writes = kinds.flatMap((k) => this.#pending.get(k) ?? []);
      if (writes.length === 0) return;
      for (const k of kinds) this.#pending.delete(k);
      await Promise.all(writes);
    }
  }

  hasPending(kind: string): boolean {
    return this.#pending.has(kind);
  }
}

const scope = new AsyncLocalStorage<RequestWrites>();

/** The writes of the oidc-provider request this code runs for; undefined outside one. */
export function currentRequestWrites(): RequestWrites | undefined {
  return scope.getStore();
}

/**
 * A write whose outcome the caller does not read: inside a request's scope it is added to the
 * request's writes (the answer waits for it) and this resolves at once; elsewhere, once it is done.
 */
export async function beforeAnswer(kind: string, write: Promise<unknown>): Promise<void> {
  const request = scope.getStore();
  if (request) request.add(kind, write);
  else await write;
}

/**
 * Runs `work` with `writes` as its request's writes, for routes outside oidc-provider: their answer
 * must wait for `writes.settled()` (interactions/routes.ts does it in an onSend hook).
 */
export function inRequestWrites<T>(writes: RequestWrites, work: () => T): T {
  return scope.run(writes, work);
}

/** Runs `work` as one request: its deferred writes are committed (or have failed) when this resolves. */
export async function withRequestWrites<T>(work: () => Promise<T>): Promise<T> {
  const writes = new RequestWrites();
  const result = await scope.run(writes, work);
  await writes.settled();
  return result;
}

/**
 * The provider's outermost middleware (register it before any other `provider.use`): Koa sends the
 * answer only once the whole chain has resolved, so it is sent after the request's writes. A write
 * that failed makes the request fail (Koa's error answer, which drops the headers set so far: no
 * code or session cookie leaves for a write that did not happen).
 */
export function answerAfterWrites(provider: Provider): void {
  provider.use((_ctx: KoaContextWithOIDC, next: () => Promise<void>) => withRequestWrites(next));
}
