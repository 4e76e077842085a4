// In-process A/B of single steps of the credential request path (docs/benchmarks.md, session 25):
// each case's CPU µs per call, the cases alternating within every round so the machine's load
// falls on all of them alike. `npx tsx bench/request-path.ts <step> [rounds]`.
import { loadavg } from 'node:os';
import { v7 } from 'uuid';
import { timeOrderedUuid } from '../src/issuer/ledger/credential-id.js';
import { alternatingCpuPerOp } from './alternating-cpu.js';

type Cases = Record<string, () => Promise<unknown>>;
const batch = (n: number, op: () => unknown) => async () => {
  for (let i = 0; i < n; i++) op();
};

const steps: Record<string, () => Promise<{ cases: Cases; per: number }>> = {
  // A ledger id: uuid's v7() (its own getRandomValues per id) against ours (bytes from the pool).
  async uuid() {
    const per = 100;
    return {
      per,
      cases: {
        'uuid v7()': batch(per, () => v7()),
        'timeOrderedUuid()': batch(per, () => timeOrderedUuid()),
      },
    };
  },
};

const [step = 'uuid', roundsArg = '8'] = process.argv.slice(2);
const make = steps[step];
if (!make) throw new Error(`unknown step ${step}; one of ${Object.keys(steps).join(', ')}`);
const { cases, per } = await make();
const before = loadavg()[0]?.toFixed(1);
const result = await alternatingCpuPerOp(cases, { rounds: Number(roundsArg), perRound: 200, warmUp: 200 });
console.log(
  `${step}: ${roundsArg} rounds of ${200 * per} calls per case, load ${before} → ${loadavg()[0]?.toFixed(1)}`,
);
const [base] = Object.values(result);
for (const [name, ms] of Object.entries(result))
  console.log(`| ${name} | ${((ms * 1000) / per).toFixed(2)} µs | ${(ms / (base ?? ms)).toFixed(2)}× |`);
