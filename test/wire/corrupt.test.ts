/** Truncated and corrupted variants of the captured packets: each gives the right reason. */
import { describe, expect, it } from 'vitest';
import { type ParseErrorReason, parseIpv4, parsePacket, parseTcp } from '../../src/wire/index.js';
import * as fx from '../fixtures/wire/packets.js';
import { fixChecksums, fixIpChecksum, fixTcpChecksum, hexToBytes } from './helpers.js';

const names = Object.keys(fx.allPackets) as Array<keyof typeof fx.allPackets>;

function reason(bytes: Uint8Array): ParseErrorReason | 'ok' {
  const r = parsePacket(bytes);
  return r.ok ? 'ok' : r.reason;
}

describe.each(names)('corrupted %s', (name) => {
  const original = hexToBytes(fx.allPackets[name].hex);
  const copy = () => original.slice();

  it('is truncated at every shorter length', () => {
    for (let n = 0; n < original.length; n++) {
      const r = parsePacket(original.subarray(0, n));
      expect(r.ok, `prefix ${n}`).toBe(false);
      if (!r.ok) expect(r.reason, `prefix ${n}`).toBe('truncated');
    }
  });

  it('ignores link-layer padding after the total length', () => {
    const padded = new Uint8Array(original.length + 6);
    padded.set(original);
    const r = parsePacket(padded);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.tcp.payload.length).toBe(original.length - 20 - (original[32] >> 2));
  });

  it('fails the IPv4 checksum when any header byte flips, the TCP checksum when any later byte does', () => {
    for (let i = 0; i < original.length; i++) {
      const bytes = copy();
      bytes[i] ^= 0x01;
      // Flipping a bit of the IHL or of the total length changes the framing before any
      // checksum is looked at (the tests below cover those).
      if (i === 0 || i === 2 || i === 3) continue;
      expect(reason(bytes), `byte ${i}`).toBe('bad-checksum');
      const ipOnly = parseIpv4(bytes);
      expect(ipOnly.ok, `IPv4 alone, byte ${i}`).toBe(i >= 20);
    }
  });

  it('refuses a version other than 4', () => {
    const bytes = copy();
    bytes[0] = 0x65;
    expect(reason(bytes)).toBe('bad-version');
  });

  it('refuses an IHL below 5 and an IHL past the buffer', () => {
    const bytes = copy();
    bytes[0] = 0x44;
    expect(reason(fixIpChecksum(bytes))).toBe('bad-header-length');
    const tiny = original.slice(0, 24);
    tiny[0] = 0x4f; // 60-byte header in a 24-byte buffer
    tiny[2] = 0;
    tiny[3] = 24;
    expect(reason(tiny)).toBe('truncated');
  });

  it('refuses a total length below the header length, and one past the buffer', () => {
    const bytes = copy();
    bytes[2] = 0;
    bytes[3] = 19;
    expect(reason(fixIpChecksum(bytes))).toBe('bad-total-length');
    const longer = copy();
    longer[3] += 1;
    expect(reason(fixIpChecksum(longer))).toBe('truncated');
  });

  it('refuses fragments', () => {
    const more = copy();
    more[6] |= 0x20;
    expect(reason(fixIpChecksum(more))).toBe('fragment');
    const later = copy();
    later[7] = 0x10;
    expect(reason(fixIpChecksum(later))).toBe('fragment');
    const allowed = parseIpv4(fixIpChecksum(later), { allowFragments: true });
    expect(allowed.ok && allowed.value.header.fragmentOffset).toBe(0x10);
  });

  it('says not-tcp for another protocol', () => {
    const bytes = copy();
    bytes[9] = 17;
    expect(reason(fixIpChecksum(bytes))).toBe('not-tcp');
  });

  it('refuses a data offset below 5 or past the segment', () => {
    const low = copy();
    low[32] = (4 << 4) | (low[32] & 0x0f);
    expect(reason(fixTcpChecksum(low))).toBe('bad-data-offset');
    const high = copy();
    high[32] = 0xf0;
    const tcpLength = original.length - 20;
    // A longer segment has 60 bytes to read as a header; its payload then reads as options.
    expect(reason(fixTcpChecksum(high))).toBe(tcpLength < 60 ? 'bad-data-offset' : 'bad-option');
  });

  it('parses with verifyChecksum off even when both checksums are wrong', () => {
    const bytes = copy();
    bytes[10] ^= 0xff;
    bytes[36] ^= 0xff;
    expect(reason(bytes)).toBe('bad-checksum');
    expect(parsePacket(bytes, { verifyChecksum: false }).ok).toBe(true);
  });
});

describe('malformed options', () => {
  /** The SYN's options start at byte 40: mss(4) sackOK(2) TS(10) nop wscale(3). */
  const syn = () => hexToBytes(fx.syn.hex);
  const optionReason = (bytes: Uint8Array) => {
    const r = parsePacket(fixTcpChecksum(bytes));
    return r.ok ? 'ok' : r.reason;
  };

  it('refuses an option length of 0 or 1 (it would never advance)', () => {
    for (const length of [0, 1]) {
      const bytes = syn();
      bytes[41] = length;
      expect(optionReason(bytes)).toBe('bad-option');
    }
  });

  it('refuses an option running past the header', () => {
    const bytes = syn();
    bytes[58] = 4; // wscale at 57..59 claims 4 bytes; the header ends at 60
    expect(optionReason(bytes)).toBe('bad-option');
  });

  it('refuses a kind with no room for its length byte', () => {
    const bytes = syn();
    bytes[56] = 1; // nop, nop, then kind 3 as the header's last byte
    bytes[57] = 1;
    bytes[58] = 1;
    bytes[59] = 3;
    expect(optionReason(bytes)).toBe('bad-option');
  });

  it('refuses a known option with the wrong fixed length', () => {
    const wrongMss = syn();
    wrongMss[40] = 3; // wscale kind where mss was: length 4 is wrong for it
    expect(optionReason(wrongMss)).toBe('bad-option');
    const wrongTs = syn();
    wrongTs[47] = 8; // TS with length 8 ...
    wrongTs[54] = 1; // ... followed by two NOPs so the rest still lines up
    wrongTs[55] = 1;
    expect(optionReason(wrongTs)).toBe('bad-option');
  });

  it('refuses a SACK option whose length is not 2 + 8n', () => {
    const bytes = hexToBytes(fx.sackOneBlock.hex);
    // nop nop TS(10) nop nop sack(10) at 40..63: make the SACK length 9 and keep the header.
    bytes[55] = 9;
    expect(optionReason(bytes)).toBe('bad-option');
  });

  it('skips unknown kinds by their length and keeps them for emitting', () => {
    const bytes = syn();
    bytes[40] = 253; // RFC 4727 experimental kind in place of mss, same length
    const r = parsePacket(fixTcpChecksum(bytes));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.tcp.options[0]).toEqual({
      kind: 'unknown',
      code: 253,
      data: Uint8Array.of(0x05, 0xb4),
    });
    expect(r.value.tcp.options.slice(1).map((o) => o.kind)).toEqual([
      'sack-permitted',
      'timestamp',
      'nop',
      'wscale',
    ]);
  });

  it('stops at EOL and treats what follows as padding', () => {
    const bytes = syn();
    bytes[56] = 0; // EOL where the nop was; wscale bytes after it are padding now
    const r = parsePacket(fixTcpChecksum(bytes));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.tcp.options.map((o) => o.kind)).toEqual([
      'mss',
      'sack-permitted',
      'timestamp',
      'eol',
    ]);
  });

  it('gives parseTcp its own reasons on the bare segment', () => {
    const tcp = hexToBytes(fx.ackTimestamps.hex).subarray(20);
    expect(parseTcp(tcp.subarray(0, 19), '10.77.0.1', '10.77.0.2')).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
    const cut = tcp.slice(0, 24); // header says 32 bytes; only 24 are there
    expect(parseTcp(cut, '10.77.0.1', '10.77.0.2', { verifyChecksum: false })).toMatchObject({
      ok: false,
      reason: 'bad-data-offset',
    });
    expect(() => parseTcp(tcp, 'not an address', '10.77.0.2')).toThrow(RangeError);
  });
});

describe('both checksums fixed after a change', () => {
  it('make a consistent packet again', () => {
    const bytes = hexToBytes(fx.dataPsh.hex);
    bytes[8] = 1; // TTL 1
    bytes[60] = 0x50; // 'G' -> 'P'
    expect(reason(bytes)).toBe('bad-checksum');
    expect(reason(fixChecksums(bytes))).toBe('ok');
  });
});
