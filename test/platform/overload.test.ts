import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Readiness, registerHealthRoutes } from '../../src/platform/health/index.js';
import type { OverloadOptions } from '../../src/platform/overload.js';
import { createServer } from '../../src/platform/server.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';
import { flateBombPdf } from '../portal/bombs.js';

const LIMITS: OverloadOptions = {
  enabled: true,
  concurrency: 2,
  queue: 1,
  queueTimeoutMs: 5000,
  turnBudgetMs: 10_000,
  retryAfterSeconds: 3,
  busyDelayMs: 0,
};

let app: FastifyInstance | undefined;
let system: TestSystem | undefined;
afterEach(async () => {
  await app?.close();
  await system?.stop();
  app = undefined;
  system = undefined;
});

/** A server whose `/slow` requests wait until released, and a `/fast` route beside it. */
async function serverWithGate(options: OverloadOptions) {
  const waiting: (() => void)[] = [];
  app = createServer({ service: 'test', logLevel: 'silent', overload: options });
  app.get('/slow', async () => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    return { ok: true };
  });
  app.get('/fast', async () => ({ ok: true }));
  app.get('/single', { config: { overload: { concurrency: 1, queue: 0 } } }, async () => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    return { ok: true };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const releaseAll = () => {
    for (const release of waiting.splice(0)) release();
  };
  const inFlight = () => waiting.length;
  return { url, releaseAll, inFlight };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** Closed loops on `url + path` until `deadline` (performance.now()), counting the answers by status. */
async function loopUntil(
  url: string,
  path: string,
  deadline: number,
  into: Map<number, number>,
): Promise<void> {
  while (performance.now() < deadline) {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    into.set(response.status, (into.get(response.status) ?? 0) + 1);
  }
}

/** `connections` closed loops on `url + path` for 1.5 s; the answers counted by status. */
async function statusesUnderLoad(url: string, path: string, connections = 32): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const deadline = performance.now() + 1500;
  await Promise.all(Array.from({ length: connections }, () => loopUntil(url, path, deadline, statuses)));
  return statuses;
}

describe('overload: bounded queues per route, busy in the protocol format', () => {
  it('admits `concurrency`, queues `queue`, answers the rest 503 + Retry-After in OAuth error JSON', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate(LIMITS);
    const admitted = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
    await until(() => inFlight() === 2);
    const queued = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await fetch(`${url}/slow`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    // RFC 6749 §4.1.2.1 / §5.2 error object; `temporarily_unavailable` is the protocol's word for busy.
    const body = (await refused.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    expect(body.error).toBe('temporarily_unavailable');

    // Limits are per route: another route answers while /slow is full.
    expect((await fetch(`${url}/fast`)).status).toBe(200);

    releaseAll(); // the two admitted finish; the queued one takes a freed slot
    for (const response of await Promise.all(admitted)) expect(response.status).toBe(200);
    await until(() => inFlight() === 1);
    releaseAll();
    expect((await queued).status).toBe(200);
  });

  it('pauses busyDelayMs before a refusal, so clients that retry at once cannot fill the loop', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate({ ...LIMITS, queue: 0, busyDelayMs: 300 });
    const admitted = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
    await until(() => inFlight() === 2);
    const started = performance.now();
    const refused = await fetch(`${url}/slow`);
    expect(refused.status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    releaseAll();
    await Promise.all(admitted);
  });

  it('refuses a queued request that waits longer than queueTimeoutMs', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate({ ...LIMITS, queueTimeoutMs: 300 });
    const admitted = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
    await until(() => inFlight() === 2);
    const started = performance.now();
    const queued = await fetch(`${url}/slow`);
    expect(queued.status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    releaseAll();
    await Promise.all(admitted);
  });

  it('gives back the slot of a client that went away while it waited in the queue', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate({ ...LIMITS, concurrency: 1, queue: 1 });
    const first = fetch(`${url}/slow`);
    await until(() => inFlight() === 1);
    const gone = new AbortController();
    const queued = fetch(`${url}/slow`, { signal: gone.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    gone.abort();
    await queued;
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseAll(); // the first finishes; the one that left is admitted and its slot given back at once
    expect((await first).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseAll();
    const next = fetch(`${url}/slow`);
    await until(() => inFlight() === 1); // admitted: no slot leaked
    releaseAll();
    expect((await next).status).toBe(200);
  });

  it('takes a route’s own limits from its config', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate(LIMITS);
    const first = fetch(`${url}/single`);
    await until(() => inFlight() === 1);
    expect((await fetch(`${url}/single`)).status).toBe(503);
    releaseAll();
    expect((await first).status).toBe(200);
  });

  it('answers people (text/html first) with a page', async () => {
    const { url, releaseAll, inFlight } = await serverWithGate({ ...LIMITS, queue: 0 });
    const admitted = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
    await until(() => inFlight() === 2);
    const page = await fetch(`${url}/slow`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('3');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/try again in 3 seconds/);
    releaseAll();
    await Promise.all(admitted);
  });

  it('sheds load when the event loop stays busy past its turn budget, admitting some', async () => {
    app = createServer({
      service: 'test',
      logLevel: 'silent',
      overload: { ...LIMITS, concurrency: 1000, queue: 1000, turnBudgetMs: 5 },
    });
    app.get('/sync', async () => {
      const until = performance.now() + 3; // 3 ms of synchronous work, as SQLite + signing would be
      while (performance.now() < until);
      return { ok: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const statuses = await statusesUnderLoad(url, '/sync');
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
  });

  it('does not shed when the turns are long only because the thread was not running', async () => {
    // A process the kernel pauses (a cgroup CPU quota, a busy neighbour on the same cores) spends wall
    // time without running. Atomics.wait pauses this thread the same way: 10 ms per request, no CPU,
    // so a turn of a few requests is many budgets of wall time. (The budget leaves room for the CPU
    // of this process's own 32 fetch clients, which run on the same thread.)
    app = createServer({
      service: 'test',
      logLevel: 'silent',
      overload: { ...LIMITS, concurrency: 1000, queue: 1000, turnBudgetMs: 25 },
    });
    const paused = new Int32Array(new SharedArrayBuffer(4));
    app.get('/paused', async () => {
      Atomics.wait(paused, 0, 0, 10);
      return { ok: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const statuses = await statusesUnderLoad(url, '/paused');
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(Object.fromEntries(statuses)).toEqual({ 200: statuses.get(200) });
  });

  it('never sheds the health probes, even while it sheds the routes that make it busy', async () => {
    app = createServer({
      service: 'test',
      logLevel: 'silent',
      overload: { ...LIMITS, concurrency: 1000, queue: 1000, turnBudgetMs: 5 },
    });
    registerHealthRoutes(app, new Readiness());
    app.get('/sync', async () => {
      const until = performance.now() + 3;
      while (performance.now() < until);
      return { ok: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const probes = new Map<number, number>();
    const deadline = performance.now() + 1500;
    const [load] = await Promise.all([
      statusesUnderLoad(url, '/sync'),
      loopUntil(url, '/health/live', deadline, probes),
      loopUntil(url, '/health/ready', deadline, probes),
    ]);
    // The load was shed (so the guard was active) while every probe was answered.
    expect(load.get(503)).toBeGreaterThan(0);
    expect([...probes.keys()]).toEqual([200]);
  });

  it('the portal answers busy with a page in the person’s language', async () => {
    system = await startTestSystem({
      services: ['portal'],
      overrides: { overload: { concurrency: 1, queue: 0 } },
    });
    // A PDF the decoding worker spends a moment refusing, so the first request is still in progress.
    const pdf = await flateBombPdf(16);
    const post = () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(pdf)]), 'upload');
      return fetch(`${system?.urls.portal}/verify?lang=fr`, { method: 'POST', body: form });
    };
    const responses = await Promise.all([post(), post(), post()]);
    const busy = responses.find((r) => r.status === 503);
    expect(busy, `statuses ${responses.map((r) => r.status)}`).toBeDefined();
    expect(busy?.headers.get('retry-after')).toBe('2');
    expect(await busy?.text()).toContain('Service occupé');
  });
});
