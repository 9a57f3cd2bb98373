import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecvBuffer } from '../../src/tcp/recv-buffer.js';
import { isDsack, SackScoreboard } from '../../src/tcp/sack-scoreboard.js';
import { SendBuffer } from '../../src/tcp/send-buffer.js';
import { firstDifference, pattern } from './helpers.js';

describe('SendBuffer', () => {
  it('takes only what fits and reports free space', () => {
    const b = new SendBuffer(1000);
    expect(b.write(pattern(600))).toBe(600);
    expect(b.write(pattern(600))).toBe(400);
    expect(b.free).toBe(0);
    b.consume(250);
    expect(b.length).toBe(750);
    expect(b.free).toBe(250);
  });

  it('peek spans blocks and stays valid after more writes and consumes', () => {
    const b = new SendBuffer(1 << 20);
    const data = pattern(200_000);
    for (let off = 0; off < data.length; off += 777) b.write(data.subarray(off, off + 777));
    const view = b.peek(65_000, 2000);
    expect(firstDifference(view, data.subarray(65_000, 67_000))).toBe(-1);
    b.consume(100_000);
    b.write(pattern(50_000, 9));
    // Bytes already handed out never change.
    expect(firstDifference(view, data.subarray(65_000, 67_000))).toBe(-1);
    expect(firstDifference(b.peek(0, 100), data.subarray(100_000, 100_100))).toBe(-1);
    expect(b.peek(99_990, 100).byteLength).toBe(100);
    expect(b.peek(150_000, 10).byteLength).toBe(0);
  });

  it('write/consume/peek agree with a plain array (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('w' as const), n: fc.integer({ min: 0, max: 90_000 }) }),
            fc.record({ op: fc.constant('c' as const), n: fc.integer({ min: 0, max: 90_000 }) }),
          ),
          { maxLength: 30 },
        ),
        (ops) => {
          const b = new SendBuffer(150_000);
          let model: number[] = [];
          let next = 0;
          for (const { op, n } of ops) {
            if (op === 'w') {
              const d = pattern(n, next);
              const took = b.write(d);
              expect(took).toBe(Math.min(n, 150_000 - model.length));
              for (let i = 0; i < took; i++) model.push(d[i] as number);
              next += took;
            } else {
              b.consume(n);
              model = model.slice(Math.min(n, model.length));
            }
            expect(b.length).toBe(model.length);
            const at = Math.floor(model.length / 3);
            const got = b.peek(at, 5000);
            expect(firstDifference(got, Uint8Array.from(model.slice(at, at + 5000)))).toBe(-1);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('RecvBuffer', () => {
  it('reads across chunks and in pieces', () => {
    const r = new RecvBuffer();
    r.push(pattern(10));
    r.push(pattern(10, 10));
    expect(r.read(5)).toEqual(pattern(5));
    expect(r.read(10)).toEqual(pattern(10, 5));
    expect(r.readable).toBe(5);
    expect(r.read(100)).toEqual(pattern(5, 15));
    expect(r.read(100).byteLength).toBe(0);
  });

  it('reassembles overlapping out-of-order pieces, keeping held bytes', () => {
    const r = new RecvBuffer();
    const base = 0xffff_fff0; // wraps 2^32
    const data = pattern(100);
    const at = (off: number) => (base + off) >>> 0;
    r.insertOoo(at(50), data.subarray(50, 70));
    r.insertOoo(at(60), data.subarray(60, 90));
    r.insertOoo(at(20), data.subarray(20, 55));
    expect(r.oooBytes).toBe(70);
    expect(r.sackBlocks(4)).toEqual([[at(20), at(90)]]);
    r.push(data.subarray(0, 10));
    expect(r.drainOoo(at(10))).toBe(at(10));
    r.push(data.subarray(10, 25));
    expect(r.drainOoo(at(25))).toBe(at(90));
    expect(r.oooBytes).toBe(0);
    expect(r.read(1000)).toEqual(data.subarray(0, 90));
  });

  it('reports SACK blocks most recent first', () => {
    const r = new RecvBuffer();
    r.insertOoo(100, pattern(10));
    r.insertOoo(300, pattern(10));
    r.insertOoo(200, pattern(10));
    expect(r.sackBlocks(2)).toEqual([
      [200, 210],
      [300, 310],
    ]);
    r.insertOoo(105, pattern(10));
    expect(r.sackBlocks(4)[0]).toEqual([100, 115]);
  });

  it('any arrival order reassembles the stream (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 200 })), {
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (pieces, base) => {
          const data = pattern(1000);
          const r = new RecvBuffer();
          let nxt = base;
          const end = (base + 1000) >>> 0;
          const feed = (off: number, len: number) => {
            const l = Math.min(len, 1000 - off);
            const rel = (nxt - base) >>> 0;
            if (off + l <= rel) return;
            if (off <= rel) {
              r.push(data.subarray(rel, off + l));
              nxt = r.drainOoo((base + off + l) >>> 0);
            } else r.insertOoo((base + off) >>> 0, data.subarray(off, off + l));
          };
          for (const [off, len] of pieces) feed(off, len);
          feed(0, 1000);
          expect(nxt).toBe(end);
          expect(firstDifference(r.read(2000), data)).toBe(-1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SackScoreboard', () => {
  it('merges blocks, drops what SND.UNA passed, ignores bogus blocks', () => {
    const s = new SackScoreboard();
    s.update(
      [
        [300, 400],
        [100, 200],
        [150, 250],
        [50, 60],
        [900, 2000],
      ],
      100,
      1000,
    );
    expect(s.blocks).toEqual([
      [150, 250],
      [300, 400],
    ]);
    expect(s.isSacked(160)).toBe(true);
    expect(s.nextHole(100, 1000)).toBe(100);
    expect(s.nextHole(150, 1000)).toBe(250);
    expect(s.nextHole(300, 1000)).toBeUndefined();
    expect(s.nextSacked(100)).toBe(150);
    s.update([], 260, 1000);
    expect(s.blocks).toEqual([[300, 400]]);
  });
});

describe('shared configs', () => {
  it('a partial config object changed between connections is merged again', async () => {
    const { Connection } = await import('../../src/tcp/connection.js');
    const config: Record<string, unknown> = { nagle: true, mss: 1000 };
    const mk = () =>
      Connection.connect(0, {
        local: { address: '10.0.0.1', port: 1 },
        remote: { address: '10.0.0.2', port: 2 },
        iss: 1,
        config,
      });
    const a = mk();
    config.mss = 500;
    const b = mk();
    const mssOf = (c: ReturnType<typeof mk>) => {
      const syn = c.pollTransmit(0);
      return syn?.options.find((o) => o.kind === 'mss');
    };
    expect(mssOf(a)).toEqual({ kind: 'mss', value: 1000 });
    expect(mssOf(b)).toEqual({ kind: 'mss', value: 500 });
    // configure() on one connection leaves the other alone.
    a.configure({ nagle: false });
    expect(config.nagle).toBe(true);
  });
});

describe('SackScoreboard against a plain model', () => {
  /** The ranges as a set of octets, the obvious way (sndUna 0, small numbers). */
  function model(updates: Array<{ blocks: Array<[number, number]>; una: number }>, nxt: number) {
    const sacked = new Set<number>();
    const grew: boolean[] = [];
    for (const { blocks, una } of updates) {
      for (const o of [...sacked]) if (o < una) sacked.delete(o);
      const size = sacked.size;
      const dsack = isDsack(blocks, una);
      blocks.forEach(([l, r], i) => {
        if ((dsack && i === 0) || !(l < r) || l <= una || r > nxt) return;
        for (let o = l; o < r; o++) sacked.add(o);
      });
      grew.push(sacked.size > size);
    }
    return { sacked, grew };
  }

  it('holds the same octets and reports the same growth, block by block (binary search)', () => {
    const block = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }))
      .map(([l, n]): [number, number] => [l, l + n]);
    const update = fc.record({
      blocks: fc.array(block, { maxLength: 4 }),
      una: fc.integer({ min: 0, max: 200 }),
    });
    fc.assert(
      fc.property(fc.array(update, { maxLength: 12 }), (raw) => {
        // SND.UNA never moves back.
        let una = 0;
        const updates = raw.map((u) => {
          una = Math.max(una, u.una);
          return { blocks: u.blocks, una };
        });
        const s = new SackScoreboard();
        const grew = updates.map((u) => s.update(u.blocks, u.una, 320));
        const want = model(updates, 320);
        expect(grew).toEqual(want.grew);
        for (let o = 0; o <= 340; o++) expect(s.isSacked(o), `octet ${o}`).toBe(want.sacked.has(o));
        // Sorted, disjoint, not touching.
        const b = s.blocks;
        for (let i = 1; i < b.length; i++) {
          expect((b[i] as [number, number])[0]).toBeGreaterThan((b[i - 1] as [number, number])[1]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
