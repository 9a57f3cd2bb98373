import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumFinish,
  checksumUpdate16,
  foldSum,
  internetChecksum,
  pseudoHeaderSum,
  sumBytes,
} from '../../src/wire/index.js';
import { ackTimestamps } from '../fixtures/wire/packets.js';
import { hexToBytes } from './helpers.js';

describe('Internet checksum (RFC 1071)', () => {
  it('matches the worked example of RFC 1071 section 3', () => {
    // 00 01 f2 03 f4 f5 f6 f7: the one's complement sum is ddf2, so the checksum is 220d.
    const bytes = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(foldSum(sumBytes(bytes, 0, bytes.length))).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(0x220d);
  });

  it('pads an odd final byte with zero', () => {
    expect(internetChecksum(Uint8Array.of(0x12))).toBe(~0x1200 & 0xffff);
    expect(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('gives zero when run over a captured IPv4 header including its checksum', () => {
    const packet = hexToBytes(ackTimestamps.hex);
    expect(internetChecksum(packet, 0, 20)).toBe(0);
  });

  it('verifies a captured TCP segment with the pseudo-header', () => {
    const packet = hexToBytes(ackTimestamps.hex);
    const src = (10 << 24) | (77 << 16) | 1;
    const dst = (10 << 24) | (77 << 16) | 2;
    const tcpLength = packet.length - 20;
    expect(
      checksumFinish(sumBytes(packet, 20, packet.length, pseudoHeaderSum(src, dst, 6, tcpLength))),
    ).toBe(0);
    // The same bytes with the addresses swapped no longer verify: the pseudo-header counts.
    expect(
      checksumFinish(
        sumBytes(packet, 20, packet.length, pseudoHeaderSum(src, dst + 1, 6, tcpLength)),
      ),
    ).not.toBe(0);
  });

  it('sums in even-length pieces the same as in one go', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(100), (bytes, cut) => {
        const at = Math.min(cut * 2, bytes.length - (bytes.length % 2));
        const pieces = sumBytes(bytes, at, bytes.length, sumBytes(bytes, 0, at));
        expect(checksumFinish(pieces)).toBe(internetChecksum(bytes));
      }),
    );
  });

  it('updates incrementally (RFC 1624) to what a full recomputation gives', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 2, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        (data, pick, word) => {
          const bytes = data.length % 2 === 0 ? data.slice() : data.slice(0, data.length - 1);
          const at = (pick % (bytes.length / 2)) * 2;
          const before = internetChecksum(bytes);
          const oldWord = (bytes[at] << 8) | bytes[at + 1];
          bytes[at] = word >> 8;
          bytes[at + 1] = word & 0xff;
          const updated = checksumUpdate16(before, oldWord, word);
          // 0x0000 and 0xffff are the two one's complement zeros; RFC 1624 section 3 allows either.
          const full = internetChecksum(bytes);
          expect(updated === full || (updated ^ full) === 0xffff).toBe(true);
          if (updated !== full) expect([0, 0xffff]).toContain(full);
        },
      ),
    );
  });
});
