/**
 * `npm run bench:reassembly`: figures for issue 11 (reassembly and the SACK scoreboard), printed
 * with whether each target is met, never asserted.
 * 1. 20,000 one-byte segments into one ESTABLISHED connection's receive path (handleSegment,
 *    then every ACK it sends, with its SACK blocks), all inside the window: in reverse order
 *    (the last byte first, the first byte last) and in a seeded random order, against the same
 *    20,000 bytes in order, measured in the same run. Target: < 100 ms. The bytes read back are
 *    checked; pieces the reassembly queue resent (its cap) are counted, and the bytes from
 *    RCV.NXT on are then sent again in order, as the peer's retransmissions would.
 * 2. 200,000 ACKs each with 4 SACK blocks into the sender's scoreboard
 *    (SackScoreboard.update) inside a 14,600-byte flight that moves forward, against the same
 *    ACKs without SACK blocks. Target: < 2 s.
 * Options: --bytes N (default 20000), --acks N (default 200000), --runs N (default 3; the
 * median is printed).
 */
import { Connection } from '../src/tcp/connection.js';
import { RecvBuffer } from '../src/tcp/recv-buffer.js';
import { SackScoreboard } from '../src/tcp/sack-scoreboard.js';
import { SeededRng } from '../src/util/rng.js';
import { flagsFrom } from '../src/wire/flags.js';
import type { TcpSegment } from '../src/wire/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
const ISS = 0xffff_0000; // near 2^32: the offsets cross the wrap
const IRS = 0xffff_f000;
const LOCAL = { address: '10.0.0.1', port: 40000 };
const REMOTE = { address: '10.0.0.2', port: 80 };

function segment(flags: string, seq: number, ack: number, payload: Uint8Array): TcpSegment {
  return {
    srcPort: REMOTE.port,
    dstPort: LOCAL.port,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags: flagsFrom(flags),
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload,
  };
}

/** An ESTABLISHED connection whose peer offered MSS and SACK (no timestamps). */
function connection(): Connection {
  const c = Connection.connect(0, { local: LOCAL, remote: REMOTE, iss: ISS, config: {} });
  while (c.pollTransmit(0) !== undefined);
  c.handleSegment(1, {
    ...segment('S.', IRS, ISS + 1, new Uint8Array(0)),
    options: [{ kind: 'mss', value: 1460 }, { kind: 'sack-permitted' }],
  });
  while (c.pollTransmit(1) !== undefined);
  if (c.state !== 'ESTABLISHED') throw new Error(`tcpstate: bench connection is ${c.state}`);
  return c;
}

interface Delivery {
  ms: number;
  intact: boolean;
  acks: number;
  resent: number;
}

/** Feeds one-byte segments at the given offsets, then what is missing in order; reads it all. */
function deliver(order: number[], data: Uint8Array): Delivery {
  const c = connection();
  const base = IRS + 1;
  let acks = 0;
  const received: Uint8Array[] = [];
  let got = 0;
  const feed = (off: number) => {
    c.handleSegment(2, segment('.', base + off, ISS + 1, data.subarray(off, off + 1)));
    while (c.pollTransmit(2) !== undefined) acks++;
    for (let chunk = c.read(); chunk.byteLength > 0; chunk = c.read()) {
      received.push(chunk);
      got += chunk.byteLength;
    }
  };
  const t0 = performance.now();
  for (const off of order) feed(off);
  // Pieces the queue resent come again, as retransmissions from RCV.NXT would.
  let resent = 0;
  for (let off = (c.info().rcvNxt - base) >>> 0; off < data.length; ) {
    resent++;
    feed(off);
    off = (c.info().rcvNxt - base) >>> 0;
  }
  const ms = performance.now() - t0;
  const all = new Uint8Array(got);
  let at = 0;
  for (const r of received) {
    all.set(r, at);
    at += r.byteLength;
  }
  const intact = got === data.length && all.every((v, i) => v === data[i]);
  return { ms, intact, acks, resent };
}

/**
 * The same segments straight into a RecvBuffer, driven as input.ts drives it (push and drain at
 * RCV.NXT, insertOoo above it, the SACK blocks of each ACK, read): the reassembly's own cost.
 */
function bufferOnly(order: number[], data: Uint8Array): Delivery {
  const r = new RecvBuffer();
  const base = IRS + 1;
  let nxt = base;
  let got = 0;
  let acks = 0;
  const feed = (off: number) => {
    const rel = (nxt - base) >>> 0;
    if (off < rel) return;
    if (off === rel) {
      const hadGap = r.hasOoo;
      r.push(data.slice(off, off + 1));
      nxt = (nxt + 1) >>> 0;
      if (hadGap) nxt = r.drainOoo(nxt);
    } else r.insertOoo((base + off) >>> 0, data.slice(off, off + 1));
    r.sackBlocks(4);
    acks++;
    got += r.read(Number.POSITIVE_INFINITY).byteLength;
  };
  const t0 = performance.now();
  for (const off of order) feed(off);
  let resent = 0;
  for (let off = (nxt - base) >>> 0; off < data.length; off = (nxt - base) >>> 0) {
    resent++;
    feed(off);
  }
  return { ms: performance.now() - t0, intact: got === data.length, acks, resent };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function reassembly(bytes: number, runs: number): void {
  const data = new Uint8Array(bytes).map((_, i) => (i * 31 + 7) & 0xff);
  const inOrder = Array.from({ length: bytes }, (_, i) => i);
  const reverse = [...inOrder].reverse();
  const random = [...inOrder];
  const rng = new SeededRng(11);
  for (let i = random.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    [random[i], random[j]] = [random[j] as number, random[i] as number];
  }
  // Warm the JIT on a small run of each kind first.
  for (const run of [deliver, bufferOnly]) {
    run(inOrder.slice(0, 2000), data.subarray(0, 2000));
    run(reverse.slice(-2000), data.subarray(0, 2000));
  }
  for (const [what, run] of [
    ['into one connection (handleSegment, its ACKs, read)', deliver],
    ['into the receive buffer alone (insertOoo/drainOoo, SACK blocks, read)', bufferOnly],
  ] as const) {
    console.log(`\nreassembly: ${bytes} one-byte segments ${what}, median of ${runs}`);
    const ref = median(Array.from({ length: runs }, () => run(inOrder, data).ms));
    console.log(`  in order (reference): ${ref.toFixed(1)} ms`);
    for (const [name, order] of [
      ['reverse order', reverse],
      ['random order', random],
    ] as const) {
      const results = Array.from({ length: runs }, () => run(order, data));
      const ms = median(results.map((r) => r.ms));
      const last = results[results.length - 1] as Delivery;
      console.log(
        `  ${name}: ${ms.toFixed(1)} ms (${(ms / ref).toFixed(1)}x in order), intact: ${last.intact},` +
          ` ${last.acks} ACKs, ${last.resent} segments sent again after the queue's cap` +
          ` -> target < 100 ms: ${mark(ms < 100 && last.intact)}`,
      );
    }
  }
}

/** 4 SACK blocks over the holes of a 10-segment flight starting at `una`. */
function sackAcks(count: number, withBlocks: boolean): number {
  const mss = 1460;
  const flight = 10 * mss;
  const board = new SackScoreboard();
  const t0 = performance.now();
  let sacked = 0;
  for (let i = 0; i < count; i++) {
    // SND.UNA moves one segment every 8 ACKs; the holes shift with i.
    const una = (ISS + Math.floor(i / 8) * mss) >>> 0;
    const nxt = (una + flight) >>> 0;
    const blocks: Array<[number, number]> = [];
    if (withBlocks) {
      const shift = i % 2;
      for (let j = 0; j < 4; j++) {
        const left = (una + (2 * j + 1 + shift) * mss) >>> 0;
        blocks.push([left, (left + mss) >>> 0]);
      }
    }
    if (board.update(blocks, una, nxt)) sacked++;
  }
  const ms = performance.now() - t0;
  if (withBlocks && sacked === 0) throw new Error('tcpstate: the scoreboard took no block');
  return ms;
}

function scoreboard(acks: number, runs: number): void {
  sackAcks(10_000, true);
  console.log(`\nSACK scoreboard: ${acks} ACKs into a 14,600-byte flight (median of ${runs})`);
  const ref = median(Array.from({ length: runs }, () => sackAcks(acks, false)));
  const ms = median(Array.from({ length: runs }, () => sackAcks(acks, true)));
  console.log(`  without SACK blocks (reference): ${ref.toFixed(1)} ms`);
  console.log(
    `  with 4 SACK blocks each: ${ms.toFixed(1)} ms (${((ms * 1000) / acks).toFixed(2)} µs per ACK,` +
      ` ${(ms / ref).toFixed(1)}x the reference) -> target < 2000 ms: ${mark(ms < 2000)}`,
  );
}

reassembly(arg('--bytes', 20_000), arg('--runs', 3));
scoreboard(arg('--acks', 200_000), arg('--runs', 3));
