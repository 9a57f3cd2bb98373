/**
 * The receive path's fast parts: the word-at-a-time checksum gives what the byte-pair sum gives
 * at every alignment and length, and parseTcpPacket (numeric addresses, for the stack) agrees
 * with parsePacket on every packet, good or bad.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumFinish,
  emitPacket,
  flagsFrom,
  foldSum,
  ipv4ToU32,
  parsePacket,
  parseTcpPacket,
  sumBytes,
} from '../../src/wire/index.js';

/** The RFC 1071 sum the plain way: 16-bit big-endian words, odd byte padded, folded. */
function reference(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  return foldSum(sum);
}

function segment(payload: Uint8Array, flags = 'P.') {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: 0x12345678,
    ack: 0x9abcdef0,
    flags: flagsFrom(flags),
    window: 502,
    urgentPointer: 0,
    options: [
      { kind: 'nop' as const },
      { kind: 'nop' as const },
      { kind: 'timestamp' as const, value: 1, echo: 2 },
    ],
    payload,
  };
}

describe('sumBytes: 32-bit words where aligned, byte pairs elsewhere', () => {
  it('matches the plain sum at every offset of a buffer and every length up to 2 KB', () => {
    const buf = new Uint8Array(4096 + 16);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 197 + 11) & 0xff;
    for (let lead = 0; lead < 8; lead++) {
      // a view that starts `lead` bytes into the ArrayBuffer: aligned and misaligned views
      const view = buf.subarray(lead);
      for (const start of [0, 1, 2, 3, 4, 20, 52]) {
        for (let len = 0; len < 2100; len += len < 200 ? 1 : 37) {
          const end = Math.min(view.length, start + len);
          expect(foldSum(sumBytes(view, start, end))).toBe(reference(view, start, end));
        }
      }
    }
  });

  it('folds exactly for a buffer of all-ones bytes (the largest words) with a running sum', () => {
    const ones = new Uint8Array(65536).fill(0xff);
    expect(foldSum(sumBytes(ones, 0, ones.length))).toBe(0xffff);
    expect(foldSum(sumBytes(ones, 0, ones.length, 0x1234))).toBe(foldSum(0xffff + 0x1234));
  });

  it('agrees with the plain sum on random bytes, offsets and running sums', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.nat(7),
        fc.nat(3000),
        fc.nat(0xffffff),
        (bytes, lead, cut, initial) => {
          const view = new Uint8Array(bytes.length + lead);
          view.set(bytes, lead);
          const v = view.subarray(lead);
          const start = Math.min(cut, v.length) & ~1;
          expect(foldSum(sumBytes(v, start, v.length, initial))).toBe(
            foldSum(reference(v, start, v.length) + initial),
          );
        },
      ),
    );
  });

  it('two word views of different buffers in turn do not mix (the cached view follows the buffer)', () => {
    const a = new Uint8Array(1024).fill(1);
    const b = new Uint8Array(1024).fill(2);
    for (let i = 0; i < 3; i++) {
      expect(foldSum(sumBytes(a, 0, 1024))).toBe(reference(a, 0, 1024));
      expect(foldSum(sumBytes(b, 0, 1024))).toBe(reference(b, 0, 1024));
    }
  });
});

describe('parseTcpPacket: what parsePacket says, with numeric addresses', () => {
  const ip = { src: '10.0.0.1', dst: '192.0.2.77' };

  it('parses a data segment to the same TCP repr and the addresses as u32', () => {
    const packet = emitPacket(ip, segment(new Uint8Array(1448).fill(7)));
    const slow = parsePacket(packet);
    const fast = parseTcpPacket(packet, true);
    if (!slow.ok || !fast.ok) throw new Error('did not parse');
    expect(fast.value.tcp).toEqual(slow.value.tcp);
    expect(fast.value.src).toBe(ipv4ToU32(ip.src));
    expect(fast.value.dst).toBe(ipv4ToU32(ip.dst));
  });

  it('fails with the same reason as parsePacket for every single-bit flip of a packet', () => {
    const packet = emitPacket(ip, segment(new Uint8Array(100).fill(3)));
    for (let bit = 0; bit < packet.length * 8; bit += 3) {
      const bad = packet.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      const slow = parsePacket(bad);
      const fast = parseTcpPacket(bad, true);
      expect(fast.ok).toBe(slow.ok);
      if (!slow.ok && !fast.ok) expect(fast.reason).toBe(slow.reason);
    }
  });

  it('without verification takes a packet whose TCP checksum is wrong (only for links that vouch)', () => {
    const packet = emitPacket(ip, segment(new Uint8Array(64)));
    packet[packet.length - 1] ^= 0xff;
    const checked = parseTcpPacket(packet, true);
    expect(checked.ok ? 'ok' : checked.reason).toBe('bad-checksum');
    expect(parseTcpPacket(packet, false).ok).toBe(true);
  });

  it('answers not-tcp for another protocol, as parsePacket does', () => {
    const packet = emitPacket(ip, segment(new Uint8Array(0), '.'));
    packet[9] = 17;
    // fix the IP header checksum for the new protocol byte
    packet[10] = 0;
    packet[11] = 0;
    const sum = checksumFinish(sumBytes(packet, 0, 20));
    packet[10] = sum >> 8;
    packet[11] = sum & 0xff;
    const fast = parseTcpPacket(packet, true);
    const slow = parsePacket(packet);
    expect(fast.ok ? 'ok' : fast.reason).toBe('not-tcp');
    expect(slow.ok ? 'ok' : slow.reason).toBe('not-tcp');
  });
});
