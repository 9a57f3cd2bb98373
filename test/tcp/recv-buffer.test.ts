import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OOO_PIECES, RecvBuffer } from '../../src/tcp/recv-buffer.js';
import type { TcpSegment } from '../../src/wire/types.js';
import {
  drain,
  established,
  firstDifference,
  IRS,
  ISS,
  PLAIN,
  pattern,
  SACK_OK,
  seg,
  send,
} from './helpers.js';

/**
 * A receiver's loop over one RecvBuffer, as input.ts drives it: a segment at RCV.NXT is pushed
 * and the queue drained, one above it is stored out of order; anything below RCV.NXT is
 * trimmed. Returns the duplicates reported.
 */
class Receiver {
  readonly r: RecvBuffer;
  nxt: number;
  readonly dups: Array<[number, number]> = [];

  constructor(
    readonly base: number,
    readonly data: Uint8Array,
    maxPieces?: number,
  ) {
    this.r = new RecvBuffer(maxPieces);
    this.nxt = base;
  }

  /** Bytes [off, off + len) of the stream arrive (off relative to base). */
  feed(off: number, len: number, bytes = this.data): void {
    const end = Math.min(off + len, this.data.length);
    const rel = (this.nxt - this.base) >>> 0;
    if (end <= rel) return;
    if (off <= rel) {
      const hadGap = this.r.hasOoo;
      this.r.push(bytes.slice(rel, end));
      this.nxt = (this.base + end) >>> 0;
      if (hadGap) this.nxt = this.r.drainOoo(this.nxt);
      return;
    }
    const dup = this.r.insertOoo((this.base + off) >>> 0, bytes.slice(off, end));
    if (dup !== undefined) this.dups.push(dup);
  }

  /** What the peer's retransmissions do: the stream again from RCV.NXT, `mss` at a time. */
  retransmit(mss: number): void {
    for (let rel = (this.nxt - this.base) >>> 0; rel < this.data.length; ) {
      this.feed(rel, mss);
      rel = (this.nxt - this.base) >>> 0;
    }
  }
}

describe('RecvBuffer reassembly', () => {
  it('any arrival order with overlaps gives the stream byte for byte, across the wrap (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1999 }), fc.integer({ min: 1, max: 300 })), {
          maxLength: 80,
        }),
        fc.integer({ min: 2 ** 32 - 3000, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 40 }),
        (pieces, base, maxPieces) => {
          const data = pattern(2000, 7);
          const rx = new Receiver(base, data, maxPieces);
          for (const [off, len] of pieces) {
            const dropped = rx.r.oooDropped;
            rx.feed(off, len);
            expect(rx.r.oooPieces).toBeLessThanOrEqual(maxPieces);
            // SACK blocks: distinct pieces, as many as there are (up to 4), the newest first.
            const blocks = rx.r.sackBlocks(4);
            expect(blocks).toHaveLength(Math.min(4, rx.r.oooPieces));
            const rel = blocks.map(([l, r]) => [(l - base) >>> 0, (r - base) >>> 0] as const);
            const sorted = [...rel].sort((x, y) => x[0] - y[0]);
            for (let i = 1; i < sorted.length; i++) {
              expect(sorted[i]?.[0]).toBeGreaterThan(sorted[i - 1]?.[1] as number);
            }
            const covered = rel.reduce((n, [l, r]) => n + r - l, 0);
            expect(covered).toBeLessThanOrEqual(rx.r.oooBytes);
            const nxtRel = (rx.nxt - base) >>> 0;
            if (off > nxtRel && rx.r.oooDropped === dropped) {
              expect(rel[0]?.[0]).toBeLessThanOrEqual(off);
              expect(rel[0]?.[1]).toBeGreaterThan(off);
            }
          }
          rx.retransmit(100);
          expect(rx.nxt).toBe((base + 2000) >>> 0);
          expect(rx.r.hasOoo).toBe(false);
          expect(rx.r.oooCapacity).toBe(0);
          expect(firstDifference(rx.r.read(5000), data)).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the bytes it holds when a later copy overlaps with other bytes', () => {
    const first = pattern(30);
    const other = pattern(30, 100);
    const rx = new Receiver(1000, first);
    rx.feed(10, 10);
    rx.feed(5, 20, other);
    rx.feed(0, 5);
    expect(rx.nxt).toBe(1025);
    expect(rx.r.read(100)).toEqual(
      Uint8Array.from([
        ...first.subarray(0, 5),
        ...other.subarray(5, 10),
        ...first.subarray(10, 20),
        ...other.subarray(20, 25),
      ]),
    );
  });

  it('returns the first overlap as the D-SACK block', () => {
    const r = new RecvBuffer();
    expect(r.insertOoo(100, pattern(10))).toBeUndefined();
    expect(r.insertOoo(120, pattern(10))).toBeUndefined();
    expect(r.insertOoo(95, pattern(30))).toEqual([100, 110]);
    expect(r.insertOoo(90, pattern(50))).toEqual([95, 130]);
    expect(r.oooBytes).toBe(50);
  });

  it('20,000 one-byte segments in reverse order: one piece, the buffer about twice their span', () => {
    const data = pattern(20_000);
    const rx = new Receiver(0xffff_ff00, data);
    let peak = 0;
    for (let off = 19_999; off >= 1; off--) {
      rx.feed(off, 1);
      peak = Math.max(peak, rx.r.oooCapacity);
    }
    expect(rx.r.oooPieces).toBe(1);
    expect(rx.r.oooBytes).toBe(19_999);
    expect(peak).toBeLessThanOrEqual(2 * 20_000 + 2048);
    rx.feed(0, 1);
    expect(rx.r.oooCapacity).toBe(0);
    expect(firstDifference(rx.r.read(30_000), data)).toBe(-1);
  });

  it('caps the pieces: the newest that would add one is dropped and counted', () => {
    const r = new RecvBuffer(3);
    r.insertOoo(100, pattern(10));
    r.insertOoo(200, pattern(10));
    r.insertOoo(300, pattern(10));
    expect(r.insertOoo(400, pattern(10))).toBeUndefined();
    expect(r.oooDropped).toBe(1);
    expect(r.oooPieces).toBe(3);
    expect(r.oooBytes).toBe(30);
    // Pieces that extend or join held ones still fit.
    r.insertOoo(310, pattern(10));
    r.insertOoo(110, pattern(90));
    expect(r.oooPieces).toBe(2);
    r.insertOoo(400, pattern(10));
    expect(r.oooDropped).toBe(1);
    expect(r.sackBlocks(4)).toEqual([
      [400, 410],
      [100, 210],
      [300, 320],
    ]);
    expect(new RecvBuffer().maxPieces).toBe(MAX_OOO_PIECES);
  });

  it('SACK blocks: the recently changed first, then the lowest, none drained', () => {
    const r = new RecvBuffer();
    for (let i = 0; i < 12; i++) r.insertOoo(1000 + 100 * i, pattern(10));
    // The 8 most recent first (1100 .. 400 above 1000), then the lowest ranges.
    expect(r.sackBlocks(4).map((b) => b[0])).toEqual([2100, 2000, 1900, 1800]);
    r.insertOoo(1005, pattern(10));
    expect(r.sackBlocks(3)).toEqual([
      [1000, 1015],
      [2100, 2110],
      [2000, 2010],
    ]);
    // RCV.NXT reaches 1500: the ranges below are delivered and leave the blocks.
    r.push(pattern(1));
    expect(r.drainOoo(1500)).toBe(1510);
    const blocks = r.sackBlocks(4);
    expect(blocks[0]).toEqual([2100, 2110]);
    expect(blocks.every(([l]) => l >= 1600)).toBe(true);
    // Only old ranges are left in the recent list's place: the lowest fill in.
    const s = new RecvBuffer();
    for (let i = 0; i < 12; i++) s.insertOoo(1000 + 100 * i, pattern(10));
    s.drainOoo(2000);
    expect(s.sackBlocks(4)).toEqual([[2100, 2110]]);
    const t = new RecvBuffer();
    for (let i = 11; i >= 0; i--) t.insertOoo(1000 + 100 * i, pattern(10));
    t.drainOoo(1700);
    // The 8 recent ones were 1700 .. 1000; 1700 drained with the rest below: 1800.. fill in.
    expect(t.sackBlocks(4)).toEqual([
      [1800, 1810],
      [1900, 1910],
      [2000, 2010],
      [2100, 2110],
    ]);
  });

  it('drops out-of-order data from an edge, trimming the piece across it', () => {
    const r = new RecvBuffer();
    r.insertOoo(100, pattern(50));
    r.insertOoo(200, pattern(50));
    r.dropOooFrom(120);
    expect(r.oooBytes).toBe(20);
    expect(r.sackBlocks(4)).toEqual([[100, 120]]);
    r.dropOooFrom(100);
    expect(r.hasOoo).toBe(false);
    expect(r.oooCapacity).toBe(0);
  });

  it('a long stream with a gap always open keeps its offsets near RCV.NXT across wraps', () => {
    // 40 MB in 1,000-byte segments, each one arriving after the next (pairwise swapped), from
    // just below 2^32: the out-of-order queue is never empty for long, and the anchor follows.
    const r = new RecvBuffer();
    let nxt = 0xffff_0000;
    const seg = pattern(1000);
    for (let i = 0; i < 40_000; i += 2) {
      r.insertOoo((nxt + 1000) >>> 0, seg);
      r.push(seg);
      nxt = r.drainOoo((nxt + 1000) >>> 0);
      r.read(2000);
    }
    expect(nxt).toBe((0xffff_0000 + 40_000_000) >>> 0);
    expect(r.hasOoo).toBe(false);
  });

  it("through a connection: the cap's dropped pieces are not SACKed, and retransmission completes the stream", () => {
    const c = established({ ...PLAIN, sack: true }, SACK_OK);
    const n = 2 * MAX_OOO_PIECES + 200;
    const data = pattern(n);
    const sackOf = (s: TcpSegment | undefined) => {
      const o = s?.options.find((x) => x.kind === 'sack');
      return o?.kind === 'sack' ? o.blocks : [];
    };
    const at = (off: number) => (IRS + 1 + off) >>> 0;
    let t = 20;
    // Every other byte from offset 1: MAX_OOO_PIECES pieces fit, the rest are dropped.
    for (let off = 1; off < n; off += 2) {
      send(
        c,
        seg({ flags: '.', seq: at(off), ack: ISS + 1, data: data.subarray(off, off + 1) }),
        t++,
      );
      const acks = drain(c, t);
      expect(acks).toHaveLength(1);
      const first = sackOf(acks[0])[0];
      if (off < 2 * MAX_OOO_PIECES) expect(first).toEqual([at(off), at(off + 1)]);
      else expect(first).toEqual([at(2 * MAX_OOO_PIECES - 1), at(2 * MAX_OOO_PIECES)]);
    }
    // The peer resends from the cumulative ACK, one byte at a time, until all has arrived.
    let got = 0;
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off = (c.info().rcvNxt - IRS - 1) >>> 0) {
      send(
        c,
        seg({ flags: '.', seq: at(off), ack: ISS + 1, data: data.subarray(off, off + 1) }),
        t++,
      );
      drain(c, t);
      const chunk = c.read();
      out.set(chunk, got);
      got += chunk.byteLength;
    }
    expect(got).toBe(n);
    expect(firstDifference(out, data)).toBe(-1);
  });
});
