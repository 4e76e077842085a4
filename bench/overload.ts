// `npm run bench -- overload`: the issuer's /nonce at c=256 (a closed loop: every connection sends its
// next request as soon as the last one is answered, none backs off) with the overload guard on
// (config defaults) and off, in the same run. Reported: answers by status, latency of the admitted
// (200) requests, client timeouts, and the services' CPU and resident memory.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { testConfig } from '../test/helpers/system.js';
import { percentile, processUsage, startServices, stopServices, watchPeakRss } from './services.js';

const CONNECTIONS = Number(process.env.BENCH_OVERLOAD_CONNECTIONS ?? 256);
const SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 10);

async function nonceUnderLoad(guard: boolean) {
  const { config, dataDir } = await testConfig({
    services: ['authz', 'issuer'],
    overrides: { log: { level: 'warn' }, overload: { enabled: guard } },
  });
  const child = await startServices(config);
  try {
    const pid = child.pid as number;
    const url = `${config.issuer.publicUrl}/nonce`;
    for (let i = 0; i < 200; i++) await fetch(url, { method: 'POST' }).then((r) => r.arrayBuffer()); // warm
    const before = processUsage(pid);
    const peakRss = watchPeakRss(pid);
    const admitted: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    const result = await autocannon({
      url,
      method: 'POST',
      connections: CONNECTIONS,
      duration: SECONDS,
      timeout: 10,
      requests: [
        {
          setupRequest: (request, context) => {
            (context as { t0?: number }).t0 = performance.now();
            return request;
          },
          onResponse: (status, _body, context) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 200) admitted.push(performance.now() - ((context as { t0?: number }).t0 ?? 0));
          },
        },
      ],
    });
    const seconds = (performance.now() - started) / 1000;
    const after = processUsage(pid);
    admitted.sort((a, b) => a - b);
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    return {
      guard,
      admittedPerSecond: admitted.length / seconds,
      busyPerSecond: (statuses.get(503) ?? 0) / seconds,
      other: [...statuses].filter(([s]) => s !== 200 && s !== 503),
      p50: percentile(admitted, 50),
      p90: percentile(admitted, 90),
      p99: percentile(admitted, 99),
      timeouts: result.timeouts,
      timeoutShare: result.timeouts / Math.max(1, answered + result.timeouts),
      errors: result.errors,
      cpuMsPerAnswer: (after.cpuMs - before.cpuMs) / Math.max(1, answered),
      rssBefore: before.rssMb,
      rssPeak: peakRss(),
    };
  } finally {
    await stopServices(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const on = await nonceUnderLoad(true);
  const off = await nonceUnderLoad(false);
  const f = (n: number, digits = 0) => n.toFixed(digits);
  const row = (r: typeof on) =>
    `| ${r.guard ? 'on (defaults)' : 'off'} | ${f(r.admittedPerSecond)} | ${f(r.busyPerSecond)} | ${f(r.p50, 1)} / ${f(r.p90, 1)} / ${f(r.p99, 1)} ms | ${r.timeouts} (${f(r.timeoutShare * 100, 1)} %) | ${r.errors}${r.other.length ? ` ${JSON.stringify(r.other)}` : ''} | ${f(r.cpuMsPerAnswer, 2)} | ${f(r.rssBefore)} → ${f(r.rssPeak)} MB |`;
  const rows = [
    `POST /nonce, ${CONNECTIONS} connections, ${SECONDS} s, closed loop`,
    '',
    '| overload guard | 200/s | 503/s | 200 latency p50 / p90 / p99 | client timeouts | errors | CPU ms per answer | services RSS before → peak |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row(on),
    row(off),
    '',
    `admitted p99 with the guard / without: ${f(on.p99 / off.p99, 3)}; machine load average ${loadavg()
      .map((l) => f(l, 1))
      .join(' ')}`,
  ];
  process.stdout.write(`\n${rows.join('\n')}\n\nNode ${process.version}, ${new Date().toISOString()}\n`);
}
