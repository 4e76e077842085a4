// CPU time per operation of a few implementations of one step, measured in this process: the cases
// alternate within every round, so a shared machine's load falls on all of them alike.
import { cpuUsage } from 'node:process';

/** CPU ms (user + system) of this process per operation, over `count` sequential operations. */
export async function cpuPerOp(op: () => Promise<unknown>, count: number): Promise<number> {
  const start = cpuUsage();
  for (let i = 0; i < count; i++) await op();
  const used = cpuUsage(start);
  return (used.user + used.system) / 1000 / count;
}

/**
 * Each case's CPU ms per operation, the mean of `rounds` rounds of `perRound` operations, after a
 * warm-up of `warmUp` operations each. Ratios between cases are the result, never a threshold.
 */
export async function alternatingCpuPerOp(
  cases: Record<string, () => Promise<unknown>>,
  { rounds, perRound, warmUp }: { rounds: number; perRound: number; warmUp: number },
): Promise<Record<string, number>> {
  for (const op of Object.values(cases)) await cpuPerOp(op, warmUp);
  const totals: Record<string, number> = Object.fromEntries(Object.keys(cases).map((name) => [name, 0]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, op] of Object.entries(cases))
      totals[name] = (totals[name] ?? 0) + (await cpuPerOp(op, perRound));
  }
  return Object.fromEntries(Object.entries(totals).map(([name, total]) => [name, total / rounds]));
}
