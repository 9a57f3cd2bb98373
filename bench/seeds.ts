/**
 * `npm run bench:seeds [N]` (default 2000): N transfers of 100 KB from a to b, each under its
 * own fault mix (up to 30% loss, duplication and reordering, jitter, some corruption: the
 * property tests' mixes, test/integration/exchange.ts) and its own seed. A run passes when every
 * byte arrived once and in order and both ends reached CLOSED. Prints how many passed, the
 * virtual completion times of those that did (median, p99, max), and the seeds that failed or
 * took over an hour of virtual time, each with its faults, so any one replays:
 * `npm run bench:seeds -- --seed S`.
 * Figures for issue 11 (at its filing, 354 of 2,000 took over an hour); nothing is asserted.
 */
import fc from 'fast-check';
import type { LinkFaults } from '../src/link/sim/faults.js';
import { bytes, exchange, faultsArb } from '../test/integration/exchange.js';

const SIZE = 100_000;
const HOUR = 3_600_000;
/** Enough for hours of virtual time with retransmissions backing off. */
const MAX_STEPS = 2_000_000;

interface Result {
  seed: number;
  faults: LinkFaults;
  verdict: 'passed' | 'gave up' | 'bytes wrong' | 'not closed' | 'cut';
  closedAt: number | undefined;
}

function faultsFor(seed: number): LinkFaults {
  const [faults] = fc.sample(faultsArb, { seed, numRuns: 1 });
  return faults as LinkFaults;
}

function runSeed(seed: number): Result {
  const faults = faultsFor(seed);
  const data = bytes(SIZE, seed);
  const out = exchange(seed, faults, data, new Uint8Array(0), {
    maxSteps: MAX_STEPS,
    trace: false,
  });
  const same = out.toB.length === data.length && out.toB.every((v, i) => v === data[i]);
  const verdict: Result['verdict'] = out.cut
    ? 'cut'
    : out.gaveUp.a || out.gaveUp.b
      ? 'gave up'
      : !same || out.toA.length > 0
        ? 'bytes wrong'
        : out.closedAt === undefined
          ? 'not closed'
          : 'passed';
  return { seed, faults, verdict, closedAt: out.closedAt };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeFaults(f: LinkFaults): string {
  const p = (x: number) => `${(x * 100).toFixed(1)}%`;
  return `latency ${f.latency} ms, jitter ${f.jitter} ms, loss ${p(f.loss)}, dup ${p(f.duplicate)}, reorder ${p(f.reorder)}, corrupt ${p(f.corrupt)}`;
}

function main(): void {
  const one = process.argv.indexOf('--seed');
  const seeds: number[] = [];
  if (one >= 0) {
    seeds.push(Number(process.argv[one + 1]));
  } else {
    const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000);
    for (let s = 1; s <= n; s++) seeds.push(s);
  }
  if (seeds.some((s) => !Number.isInteger(s) || s < 1)) {
    console.error('tcpstate: bench:seeds takes a count N (default 2000) or --seed S (S >= 1)');
    process.exit(2);
  }
  console.log(
    `bench:seeds: ${seeds.length} transfers of ${SIZE / 1000} KB a->b, each with its own seed and fault mix (up to 30% loss, duplication and reordering, jitter, corruption)`,
  );
  const results: Result[] = [];
  const started = Date.now();
  for (const seed of seeds) {
    results.push(runSeed(seed));
    if (results.length % 100 === 0)
      process.stderr.write(
        `  ${results.length}/${seeds.length} (${seconds(Date.now() - started)} of real time)\n`,
      );
  }
  const passed = results.filter((r) => r.verdict === 'passed');
  const times = passed.map((r) => r.closedAt ?? 0).sort((a, b) => a - b);
  const failed = results.filter((r) => r.verdict !== 'passed');
  const slow = passed.filter((r) => (r.closedAt ?? 0) > HOUR);
  console.log(
    `passed: ${passed.length} of ${results.length} (every byte once and in order, both ends CLOSED)`,
  );
  console.log(
    `virtual completion time (to both CLOSED, TIME_WAIT included) of those that passed: median ${seconds(quantile(times, 0.5))}, p99 ${seconds(quantile(times, 0.99))}, max ${seconds(times.at(-1) ?? Number.NaN)}`,
  );
  console.log(
    `over an hour of virtual time: ${slow.length} (target 0: ${slow.length === 0 ? 'met' : 'NOT met'})`,
  );
  for (const r of slow)
    console.log(`  seed ${r.seed}: ${seconds(r.closedAt ?? 0)}; ${describeFaults(r.faults)}`);
  console.log(`failed: ${failed.length} (target 0: ${failed.length === 0 ? 'met' : 'NOT met'})`);
  for (const r of failed)
    console.log(`  seed ${r.seed}: ${r.verdict}; ${describeFaults(r.faults)}`);
  console.log(`(${seconds(Date.now() - started)} of real time)`);
}

main();
