import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { freePort } from './system.js';

export interface ProcessEnvironment {
  dir: string;
  ports: { authz: number; issuer: number; portal: number };
  env: NodeJS.ProcessEnv;
}

/**
 * Environment for an `attesta` process of its own: data in a fresh folder (`ATTESTA_DATA_DIR`, which
 * every database and the master key follow), the three services on free loopback ports.
 */
export async function processEnvironment(extra: Record<string, string> = {}): Promise<ProcessEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'attesta-process-'));
  const ports = { authz: await freePort(), issuer: await freePort(), portal: await freePort() };
  const url = (port: number) => `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ATTESTA_DATA_DIR: dir,
    ATTESTA_LOG__LEVEL: 'warn',
    ATTESTA_AUTHZ__PORT: String(ports.authz),
    ATTESTA_AUTHZ__PUBLIC_URL: url(ports.authz),
    ATTESTA_AUTHZ__RESOURCES: JSON.stringify([
      { identifier: url(ports.issuer), scopes: ['national_id', 'issuer:admin', 'issuer:offers'] },
    ]),
    ATTESTA_ISSUER__PORT: String(ports.issuer),
    ATTESTA_ISSUER__PUBLIC_URL: url(ports.issuer),
    ATTESTA_ISSUER__AUTHORIZATION_SERVERS: JSON.stringify([url(ports.authz)]),
    ATTESTA_PORTAL__PORT: String(ports.portal),
    ATTESTA_PORTAL__PUBLIC_URL: url(ports.portal),
    ATTESTA_PORTAL__ISSUER_URL: url(ports.issuer),
    ...extra,
  };
  return { dir, ports, env };
}

/** A child whose output is collected; `detached` puts it in a process group of its own. */
export function spawnCollecting(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

export async function waitForBanner(output: { stdout: string; stderr: string }, timeout = 120_000) {
  await expect
    .poll(() => output.stdout + output.stderr, { timeout, interval: 100 })
    .toMatch(/Ctrl-C stops|attesta: |configuration: /);
  expect(output.stdout, output.stderr).toContain('Ctrl-C stops');
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Ends whatever is left of the group (test cleanup only). */
export function killGroup(child: ChildProcess): void {
  if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
}
