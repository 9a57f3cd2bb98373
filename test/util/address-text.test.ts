import { describe, expect, it } from 'vitest';
import { endpointText, formatIpv4, formatIpv6 } from '../../src/util/address-text.js';

const v6 = (text: string) => {
  // Expands a full eight-group address (the test's own input form) into bytes.
  const bytes = new Uint8Array(16);
  text.split(':').forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
};

describe('address text (RFC 5952)', () => {
  it('IPv4, at an offset', () => {
    expect(formatIpv4(new Uint8Array([9, 192, 0, 2, 1]), 1)).toBe('192.0.2.1');
  });

  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // The longest run of zeros is shortened; the first of two equal runs (section 4.2.3).
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    // One zero group alone is not shortened (section 4.2.2).
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['fe80:0000:0000:0000:0000:0000:0000:0000', 'fe80::'],
    // IPv4-mapped keeps its dotted tail (section 5).
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
  ])('%s is %s', (full, text) => {
    expect(formatIpv6(v6(full))).toBe(text);
  });

  it('addr:port, IPv6 in brackets', () => {
    expect(endpointText('192.0.2.1', 80)).toBe('192.0.2.1:80');
    expect(endpointText('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
  });
});
