/** IPv6 address text (RFC 4291 2.2) to bytes, and the IPv4-mapped range. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Mapped, isIpv4Mapped, parseIpv6Address, sameIpv6 } from '../../src/wire/address6.js';
import { bytesToHex } from './helpers.js';

const hex = (text: string) => {
  const a = parseIpv6Address(text);
  return a === undefined ? undefined : bytesToHex(a);
};

describe('parseIpv6Address', () => {
  it('reads the preferred, compressed and mixed forms of RFC 4291 2.2', () => {
    expect(hex('2001:DB8:0:0:8:800:200C:417A')).toBe('20010db80000000000080800200c417a');
    expect(hex('2001:db8::8:800:200c:417a')).toBe('20010db80000000000080800200c417a');
    expect(hex('ff01::101')).toBe('ff010000000000000000000000000101');
    expect(hex('::1')).toBe('00000000000000000000000000000001');
    expect(hex('::')).toBe('00000000000000000000000000000000');
    expect(hex('fd00::')).toBe('fd000000000000000000000000000000');
    expect(hex('0:0:0:0:0:0:13.1.68.3')).toBe('0000000000000000000000000d014403');
    expect(hex('::FFFF:129.144.52.38')).toBe('00000000000000000000ffff81903426');
    expect(hex('1:2:3:4:5:6::8')).toBe('00010002000300040005000600000008');
  });

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      ':',
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '12345::',
      'g::1',
      'fe80::1%eth0',
      '[::1]',
      '::1/128',
      '::ffff:1.2.3',
      '::ffff:1.2.3.256',
      '1.2.3.4',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '::1.2.3.4:5',
    ]) {
      expect(parseIpv6Address(bad), bad).toBeUndefined();
    }
  });

  it('reads back every address written as eight full groups, and never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const groups = [];
        for (let i = 0; i < 8; i++)
          groups.push(((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
        expect(bytesToHex(parseIpv6Address(groups.join(':')) ?? new Uint8Array())).toBe(
          bytesToHex(bytes),
        );
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (text) => {
        parseIpv6Address(text);
      }),
    );
  });
});

describe('IPv4-mapped addresses', () => {
  it('maps and recognises ::ffff:a.b.c.d', () => {
    const m = ipv4Mapped(0xc0000201);
    expect(bytesToHex(m)).toBe('00000000000000000000ffffc0000201');
    expect(isIpv4Mapped(m)).toBe(true);
    expect(isIpv4Mapped(parseIpv6Address('::1') as Uint8Array)).toBe(false);
    expect(sameIpv6(m, parseIpv6Address('::ffff:192.0.2.1') as Uint8Array)).toBe(true);
    expect(sameIpv6(m, parseIpv6Address('::ffff:192.0.2.2') as Uint8Array)).toBe(false);
  });
});
