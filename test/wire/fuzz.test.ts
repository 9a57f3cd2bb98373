/**
 * Property tests: the parsers never throw on any byte string and always answer ok or a known
 * reason; emitting what parsed gives the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emitPacket,
  flagsFromByte,
  type ParseErrorReason,
  type ParseResult,
  PcapWriter,
  parseIpv4,
  parsePacket,
  parseTcp,
  readPcap,
  type TcpOption,
  type TcpSegment,
  tcpOptionsLength,
} from '../../src/wire/index.js';
import * as fx from '../fixtures/wire/packets.js';
import { bytesToHex, fixChecksums, hexToBytes } from './helpers.js';

const REASONS: ReadonlySet<ParseErrorReason> = new Set<ParseErrorReason>([
  'truncated',
  'bad-version',
  'bad-header-length',
  'bad-total-length',
  'bad-checksum',
  'bad-data-offset',
  'bad-option',
  'not-tcp',
  'fragment',
  'bad-magic',
  'bad-linktype',
]);

function answers(result: ParseResult<unknown>): boolean {
  return result.ok || REASONS.has(result.reason);
}

const fixtures = Object.values(fx.allPackets).map((f) => hexToBytes(f.hex));

/** A fixture with a few bytes set to random values, optionally with its checksums repaired. */
const mutated = fc
  .record({
    base: fc.constantFrom(...fixtures),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    }),
    repair: fc.boolean(),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ base, edits, repair, cut }) => {
    let bytes = base.slice();
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    // Repairing needs a sane IHL and total length; leave those edits unrepaired.
    const ihl = (bytes[0] & 0x0f) * 4;
    const total = (bytes[2] << 8) | bytes[3];
    if (repair && bytes[0] >> 4 === 4 && ihl >= 20 && total >= ihl + 18 && total <= bytes.length)
      fixChecksums(bytes);
    if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
    return bytes;
  });

const anyBytes = fc.uint8Array({ maxLength: 120 });

describe('parsers on random and mutated bytes', () => {
  it('parsePacket never throws and answers ok or a reason', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, mutated), (bytes) => {
        expect(answers(parsePacket(bytes))).toBe(true);
        expect(answers(parsePacket(bytes, { verifyChecksum: false }))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseIpv4 and parseTcp never throw', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, mutated), (bytes) => {
        expect(answers(parseIpv4(bytes))).toBe(true);
        expect(answers(parseIpv4(bytes, { verifyChecksum: false, allowFragments: true }))).toBe(
          true,
        );
        expect(answers(parseTcp(bytes, '10.0.0.1', '10.0.0.2', { verifyChecksum: false }))).toBe(
          true,
        );
        expect(answers(parseTcp(bytes.subarray(Math.min(20, bytes.length)), 1, 2))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('what parses with checksums off, mutated or not, emits back to the same bytes unless it had padding', () => {
    fc.assert(
      fc.property(mutated, (bytes) => {
        const parsed = parsePacket(bytes, { verifyChecksum: false });
        if (!parsed.ok) return;
        const again = emitPacket(parsed.value.ip, parsed.value.tcp);
        // Emitting recomputes the checksums and drops what the reprs do not keep (bytes past
        // the total length, bytes after an EOL, reserved bits): parse it again to compare.
        const reparsed = parsePacket(again);
        expect(reparsed.ok).toBe(true);
        if (reparsed.ok) expect(reparsed.value).toEqual(parsed.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('readPcap never throws, on random bytes and on mutated real files', () => {
    const w = new PcapWriter();
    fixtures.forEach((p, i) => {
      w.addPacket(i, p);
    });
    const files = [w.toBytes(), hexToBytes(fx.sackPcapHex), hexToBytes(fx.ethernetPcapHex)];
    const mutatedFile = fc
      .record({
        base: fc.constantFrom(...files),
        edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        cut: fc.nat(),
      })
      .map(({ base, edits, cut }) => {
        const bytes = base.slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes.subarray(0, cut % (bytes.length + 1));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutatedFile), (bytes) => {
        expect(answers(readPcap(bytes))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('round trips', () => {
  it('emit(parse(x)) == x for every captured packet', () => {
    for (const bytes of fixtures) {
      const parsed = parsePacket(bytes);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(bytesToHex(emitPacket(parsed.value.ip, parsed.value.tcp))).toBe(bytesToHex(bytes));
    }
  });

  const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const option: fc.Arbitrary<TcpOption> = fc.oneof(
    fc.constant<TcpOption>({ kind: 'nop' }),
    u16.map<TcpOption>((value) => ({ kind: 'mss', value })),
    fc.integer({ min: 0, max: 14 }).map<TcpOption>((shift) => ({ kind: 'wscale', shift })),
    fc.constant<TcpOption>({ kind: 'sack-permitted' }),
    fc
      .array(fc.tuple(u32, u32), { minLength: 1, maxLength: 3 })
      .map<TcpOption>((blocks) => ({ kind: 'sack', blocks })),
    fc.tuple(u32, u32).map<TcpOption>(([value, echo]) => ({ kind: 'timestamp', value, echo })),
    fc
      .tuple(fc.integer({ min: 9, max: 255 }), fc.uint8Array({ maxLength: 6 }))
      .map<TcpOption>(([code, data]) => ({ kind: 'unknown', code, data })),
  );
  const segment: fc.Arbitrary<TcpSegment> = fc.record({
    srcPort: u16,
    dstPort: u16,
    seq: u32,
    ack: u32,
    flags: fc.integer({ min: 0, max: 255 }).map(flagsFromByte),
    window: u16,
    urgentPointer: u16,
    options: fc
      .array(option, { maxLength: 4 })
      .filter((o) => o.reduce((n, x) => n + (x.kind === 'sack' ? 26 : 10), 0) <= 40),
    payload: fc.uint8Array({ maxLength: 64 }),
  });

  it('parse(emit(segment)) == segment for any segment whose options fit', () => {
    fc.assert(
      fc.property(segment, fc.ipV4(), fc.ipV4(), (seg, src, dst) => {
        const bytes = emitPacket({ src, dst }, seg);
        const parsed = parsePacket(bytes);
        if (!parsed.ok) throw new Error(`${parsed.reason}: ${parsed.detail}`);
        // Options that end off a 32-bit boundary come back followed by the EOL padding.
        const padded = (bytes[32] >> 2) - 20 > tcpOptionsLength(seg.options);
        expect(parsed.value.tcp).toEqual({
          ...seg,
          options: padded ? [...seg.options, { kind: 'eol' }] : seg.options,
        });
        expect(parsed.value.ip).toMatchObject({ src, dst });
      }),
      { numRuns: 1000 },
    );
  });
});
