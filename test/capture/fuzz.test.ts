/**
 * Random and mutated capture files: the reader and the inference never throw and never hang,
 * a file read in random chunks gives what it gives in one piece, and a truncated file reports
 * the connections of what it read with a problem at a byte offset inside the file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analysis, analyzeCapture } from '../../src/capture/index.js';
import { ACK, Conversation, classicPcap, ethernet, FIN, PSH, pcapng, SYN } from './build.js';

function sample(): Conversation {
  const c = new Conversation();
  c.send('a', SYN, 0, { wscale: 7 });
  c.at(10).send('b', SYN | ACK, 0, { wscale: 7 });
  c.at(1).send('a', ACK);
  c.at(1).send('a', PSH | ACK, 300);
  c.at(1).send('b', ACK);
  c.at(1).send('a', FIN | ACK);
  c.at(1).send('b', FIN | ACK);
  c.at(1).send('a', ACK);
  return c;
}

const classic = sample().pcap();
const ng = pcapng([
  {
    interfaces: [{ linktype: 1, tsresol: 9 }, { linktype: 101 }],
    packets: sample().packets.map((p, i) => ({
      ...p,
      data: i % 2 ? p.data : ethernet(p.data, [0x8100]),
      iface: i % 2,
    })),
  },
  { le: false, interfaces: [{ linktype: 101 }], packets: sample().packets },
]);

function summary(bytes: Uint8Array, chunks?: number[]) {
  const a = new Analysis('fuzz');
  if (chunks) {
    let o = 0;
    for (const n of chunks) {
      a.push(bytes.subarray(o, o + n));
      o += n;
    }
    a.push(bytes.subarray(o));
  } else {
    a.push(bytes);
  }
  const r = a.end();
  return JSON.stringify({ p: r.problem, c: r.counts, k: r.connections });
}

describe('capture fuzzing', () => {
  it('random bytes, with and without a capture magic in front, never throw', () => {
    const magics = [
      [],
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0x3c, 0x4d],
      [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2000 }), (magic, body) => {
        const r = analyzeCapture('fuzz', new Uint8Array([...magic, ...body]));
        if (r.problem) expect(r.problem.offset).toBeLessThanOrEqual(magic.length + body.length);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated pcap and pcapng files never throw, and read the same in any chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(classic, ng),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 40 }),
        (file, flips, chunks) => {
          const bytes = file.slice();
          for (const [at, v] of flips) bytes[at % bytes.length] = v;
          expect(summary(bytes, chunks)).toBe(summary(bytes));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a file cut anywhere reports the connections read before the cut, and where it was cut', () => {
    const whole = analyzeCapture('whole', ng);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: ng.length - 1 }), (cut) => {
        const r = analyzeCapture('cut', ng.subarray(0, cut));
        expect(r.counts.frames).toBeLessThanOrEqual(whole.counts.frames);
        if (r.problem) {
          expect(r.problem.offset).toBeLessThan(cut);
          expect(r.problem.code).toBe('truncated');
        }
        for (const c of r.connections) expect(c.summary.packets).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    const half = analyzeCapture('cut', classic.subarray(0, classic.length - 3));
    expect(half.problem?.code).toBe('truncated');
    expect(half.connections[0].summary.packets).toBe(7);
  });

  it('a huge claimed block length stops at once instead of buffering the file', () => {
    const bytes = classicPcap([]);
    const bad = new Uint8Array([
      ...bytes,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0xff,
      0xff,
      0xff,
      0x7f,
      0,
      0,
      0,
      0,
    ]);
    const a = new Analysis('big');
    expect(a.push(bad)).toBe(false);
    expect(a.end().problem).toMatchObject({ code: 'bad-record', offset: 24 });
  });
});
