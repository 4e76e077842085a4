#!/usr/bin/env node
// Start-up time and memory of each service as an operator starts it: time from spawn until the
// service prints that it is running (listening, migrated, keys loaded), and its resident memory then
// (VmRSS) and at its peak (VmHWM), from /proc. Alternates the variants run by run (A B A B …) so the
// machine's drift hits both alike; prints medians. Data directories are warmed by one start first.
//   node bench/startup.js 'after=node dist/cli.js' 'before=node --import tsx /old/checkout/src/cli.ts' [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const variants = process.argv
  .slice(2)
  .filter((a) => a.includes('='))
  .map((a) => {
    const [name, ...command] = a.split('=');
    return { name, command: command.join('=').split(' ') };
  });
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
const SERVICES = ['authz', 'issuer', 'portal'];

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

function kb(status, field) {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
}

async function startOnce(variant, service, dataDir, ports) {
  const url = (p) => `http://localhost:${p}`;
  const env = {
    ...process.env,
    ATTESTA_LOG__LEVEL: 'warn',
    ATTESTA_KEYS__MASTER_KEY_FILE: join(dataDir, 'master.key'),
    ATTESTA_REGISTRY__DATABASE: `sqlite:${join(dataDir, 'registry.sqlite')}`,
    ATTESTA_AUTHZ__DATABASE: `sqlite:${join(dataDir, 'authz.sqlite')}`,
    ATTESTA_ISSUER__DATABASE: `sqlite:${join(dataDir, 'issuer.sqlite')}`,
    ATTESTA_PORTAL__DATABASE: `sqlite:${join(dataDir, 'portal.sqlite')}`,
    ATTESTA_AUTHZ__PORT: String(ports.authz),
    ATTESTA_AUTHZ__PUBLIC_URL: url(ports.authz),
    ATTESTA_ISSUER__PORT: String(ports.issuer),
    ATTESTA_ISSUER__PUBLIC_URL: url(ports.issuer),
    ATTESTA_ISSUER__AUTHORIZATION_SERVERS: JSON.stringify([url(ports.authz)]),
    ATTESTA_PORTAL__PORT: String(ports.portal),
    ATTESTA_PORTAL__PUBLIC_URL: url(ports.portal),
    ATTESTA_PORTAL__ISSUER_URL: url(ports.issuer),
  };
  const started = process.hrtime.bigint();
  const [command, ...args] = variant.command;
  const child = spawn(command, [...args, 'serve', service], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise((resolve) => {
    const check = (chunk) => {
      output += chunk;
      if (output.includes('Ctrl-C stops')) resolve(true);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', () => resolve(false));
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!ready) throw new Error(`${variant.name} ${service} did not start:\n${output}`);
  // tsx runs the CLI in a child node process: measure the process that serves (the newest node).
  const pids = [child.pid, ...readChildren(child.pid)];
  const status = readFileSync(`/proc/${pids.at(-1)}/status`, 'utf8');
  const warnings = output.split('\n').filter((l) => /warning|unsupported/i.test(l));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { ms, rss: kb(status, 'VmRSS') / 1024, hwm: kb(status, 'VmHWM') / 1024, warnings };
}

function readChildren(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return children.flatMap((c) => [c, ...readChildren(c)]);
  } catch {
    return [];
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
for (const service of SERVICES) {
  const setups = [];
  for (const variant of variants) {
    const dataDir = mkdtempSync(join(tmpdir(), 'attesta-startup-'));
    const ports = { authz: await freePort(), issuer: await freePort(), portal: await freePort() };
    await startOnce(variant, service, dataDir, ports); // first start: keys, migrations, seeds
    setups.push({ variant, dataDir, ports });
  }
  for (let run = 0; run < runs; run++) {
    for (const { variant, dataDir, ports } of setups) {
      const result = await startOnce(variant, service, dataDir, ports);
      const key = `${service} ${variant.name}`;
      results[key] = [...(results[key] ?? []), result];
    }
  }
  for (const { dataDir } of setups) rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(
  '| service | variant | start-up to ready, ms (median) | RSS when ready, MiB | peak RSS, MiB | warnings |\n| --- | --- | --- | --- | --- | --- |\n',
);
for (const [key, list] of Object.entries(results)) {
  const [service, variant] = key.split(' ');
  const warnings = [...new Set(list.flatMap((r) => r.warnings))].join('; ') || 'none';
  process.stdout.write(
    `| ${service} | ${variant} | ${median(list.map((r) => r.ms)).toFixed(0)} | ${median(list.map((r) => r.rss)).toFixed(0)} | ${median(list.map((r) => r.hwm)).toFixed(0)} | ${warnings} |\n`,
  );
}
