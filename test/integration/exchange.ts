/**
 * One exchange over a faulty simulated network, and the fault mixes it is tried under: shared by
 * the property tests (properties.test.ts) and the long-running seed sweep (bench/seeds.ts), so
 * both try the same thing.
 */
import fc from 'fast-check';
import type { LinkFaults } from '../../src/link/sim/faults.js';
import type { StackConnection as Connection } from '../../src/stack/stack.js';
import { B, type Family, pair } from './harness.js';

/** Fault mixes: up to 30% loss, duplication and reordering together, jitter, some corruption. */
export const faultsArb = fc.record({
  latency: fc.integer({ min: 1, max: 50 }),
  jitter: fc.integer({ min: 0, max: 20 }),
  loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  reorder: fc.double({ min: 0, max: 0.3, noNaN: true }),
  corrupt: fc.double({ min: 0, max: 0.05, noNaN: true }),
});

export interface Outcome {
  toB: Uint8Array;
  toA: Uint8Array;
  aStates: string[];
  bStates: string[];
  /** Whether a side's connection gave up on retransmissions (RFC 9293 3.8.3, R2). */
  gaveUp: { a: boolean; b: boolean };
  /** Virtual ms when the last of the two reached CLOSED (undefined unless both did). */
  closedAt: number | undefined;
  /** The run hit its step bound before the network went idle. */
  cut: boolean;
  trace: string;
}

export function bytes(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = salt | 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** a and b exchange `ab` and `ba` bytes over a faulty link; each closes once it has sent all. */
export function exchange(
  seed: number,
  faults: Partial<LinkFaults>,
  ab: Uint8Array,
  ba: Uint8Array,
  opts: { maxSteps?: number; trace?: boolean; family?: Family } = {},
): Outcome {
  const p = pair(seed, faults, {}, opts.family);
  const listener = p.b.stack.listen(80);
  const client = p.a.stack.connect(0, { address: p.bAddress ?? B, port: 80 });
  let server: Connection | undefined;
  const got = { a: [] as Uint8Array[], b: [] as Uint8Array[] };
  const sent = { a: 0, b: 0 };
  const closed = { a: false, b: false };
  const pump = (conn: Connection, side: 'a' | 'b', out: Uint8Array): void => {
    const synced = conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT';
    if (synced && sent[side] < out.length) sent[side] += conn.send(out.subarray(sent[side]));
    if (conn.state !== 'CLOSED') {
      const chunk = conn.read();
      if (chunk.length > 0) got[side].push(chunk.slice());
    }
    if (synced && !closed[side] && sent[side] === out.length) {
      closed[side] = true;
      conn.shutdown(p.net.now);
    }
  };
  const maxSteps = opts.maxSteps ?? 200_000;
  let cut = true;
  for (let steps = 0; steps < maxSteps; steps++) {
    server ??= listener.accept();
    pump(client, 'a', ab);
    if (server !== undefined) pump(server, 'b', ba);
    if (!p.net.step()) {
      cut = false;
      break;
    }
  }
  const closedAt = (host: typeof p.a) => {
    const last = p.net.transitions(host).at(-1);
    return last?.to === 'CLOSED' ? last.time : undefined;
  };
  const ends = [closedAt(p.a), closedAt(p.b)];
  const trace =
    (opts.trace ?? true) === false
      ? ''
      : p.net.trace
          .map((e) =>
            e.type === 'packet'
              ? `${e.t}:${e.from}:${e.fate}:${e.tcp?.seq}:${e.tcp?.flags}`
              : `${e.t}:${e.type}`,
          )
          .join('\n');
  return {
    toB: concat(got.b),
    toA: concat(got.a),
    aStates: p.net.transitions(p.a).map((t) => t.to),
    bStates: p.net.transitions(p.b).map((t) => t.to),
    gaveUp: {
      a: p.net.transitions(p.a).some((t) => t.cause === 'retransmission limit'),
      b: p.net.transitions(p.b).some((t) => t.cause === 'retransmission limit'),
    },
    closedAt: ends.some((t) => t === undefined) ? undefined : Math.max(...(ends as number[])),
    cut,
    trace,
  };
}
