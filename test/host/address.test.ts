import { describe, expect, it } from 'vitest';
import { formatIpv6, isV4Mapped } from '../../src/host/address.js';

const v6 = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

describe('formatIpv6 (RFC 5952)', () => {
  it.each([
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['fe800000000000000000000000000000', 'fe80::'],
    ['00000000000000000000ffff7f000001', '::ffff:127.0.0.1'],
    ['20010db8000000010000000100000001', '2001:db8:0:1:0:1:0:1'],
  ])('%s -> %s', (hex, text) => {
    expect(formatIpv6(v6(hex))).toBe(text);
  });

  it('recognizes v4-mapped text', () => {
    expect(isV4Mapped('::ffff:10.0.0.1')).toBe(true);
    expect(isV4Mapped('::ffff:a00:1')).toBe(false);
  });
});
