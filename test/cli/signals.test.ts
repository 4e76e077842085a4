import { readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  groupAlive,
  killGroup,
  type ProcessEnvironment,
  processEnvironment,
  spawnCollecting,
  waitForBanner,
} from '../helpers/processes.js';

/**
 * Opens a connection and sends a request whose body has not arrived yet: an open request, once the
 * server has had the time to read its headers (so it is open, not new, when a signal comes).
 */
async function openRequest(port: number): Promise<{ socket: Socket; response: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
  });
  const response = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  socket.write(
    `POST /nonce HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`,
  );
  await sleep(500);
  return { socket, response };
}

async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

type Running = ProcessEnvironment & ReturnType<typeof spawnCollecting>;

/**
 * `command` in a process environment of its own, handed to `use` once its banner is out; whatever
 * is left of its process group is killed and its data folder removed after.
 */
async function whileRunning(
  [command, ...args]: [string, ...string[]],
  extra: Record<string, string>,
  use: (running: Running) => Promise<void>,
): Promise<void> {
  const environment = await processEnvironment(extra);
  const run = spawnCollecting(command, args, environment.env);
  try {
    await waitForBanner(run.output);
    await use({ ...environment, ...run });
  } finally {
    killGroup(run.child);
    rmSync(environment.dir, { recursive: true, force: true });
  }
}

const SERVE_ISSUER: [string, ...string[]] = [process.execPath, 'bin/attesta.js', 'serve', 'issuer'];

describe('stopping the services', () => {
  it('SIGTERM to `npm start` reaches the service: open requests finish, it exits 0, no process is left', async () => {
    // npm runs the script through a shell; the script execs node, so the process npm signals is the service.
    await whileRunning(['npm', 'start', '--silent'], {}, async ({ dir, ports, child, output, exited }) => {
      const pid = child.pid as number;
      const open = await openRequest(ports.issuer);

      process.kill(pid, 'SIGTERM');
      // Stops accepting: the listeners close while the open request is still being served.
      await expect.poll(() => refusesConnections(ports.issuer), { timeout: 10_000 }).toBe(true);
      open.socket.write('{}');
      const response = await open.response;
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(response).toContain('c_nonce');

      expect(await exited).toBe(0);
      expect(output.stdout).toContain('SIGTERM: draining');
      // ATTESTA_DATA_DIR alone placed every file Attesta writes.
      expect(readdirSync(dir)).toEqual(
        expect.arrayContaining([
          'master.key',
          'registry.sqlite',
          'authz.sqlite',
          'issuer.sqlite',
          'portal.sqlite',
        ]),
      );
      await expect.poll(() => groupAlive(pid), { timeout: 5_000 }).toBe(false);
    });
  }, 180_000);

  it('SIGINT to the `attesta` bin: a request still open after the grace period is cut, and it exits 0', async () => {
    await whileRunning(
      SERVE_ISSUER,
      { ATTESTA_SHUTDOWN__GRACE_SECONDS: '1' },
      async ({ ports, child, exited }) => {
        const open = await openRequest(ports.issuer);
        const signalled = Date.now();
        process.kill(child.pid as number, 'SIGINT');
        // The body never comes: after the 1 s grace period the connection is closed without a response.
        expect(await open.response).toBe('');
        expect(await exited).toBe(0);
        expect(Date.now() - signalled).toBeGreaterThanOrEqual(900);
        expect(groupAlive(child.pid as number)).toBe(false);
      },
    );
  }, 120_000);

  it('keeps serving for shutdown.drainSeconds after the signal (readiness already not ready), then closes', async () => {
    await whileRunning(
      SERVE_ISSUER,
      { ATTESTA_SHUTDOWN__DRAIN_SECONDS: '2' },
      async ({ ports, child, exited }) => {
        process.kill(child.pid as number, 'SIGTERM');
        await sleep(500);
        // Still accepting during the drain period: a load balancer's requests in flight are served.
        const during = await fetch(`http://127.0.0.1:${ports.issuer}/.well-known/openid-credential-issuer`);
        expect(during.status).toBe(200);
        expect(await exited).toBe(0);
        expect(await refusesConnections(ports.issuer)).toBe(true);
      },
    );
  }, 120_000);
});
