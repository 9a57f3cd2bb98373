import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyFlags,
  FLAG_ORDER,
  flagLetters,
  flagsFrom,
  flagsFromByte,
  flagsToByte,
  formatFlags,
  ipv4ToU32,
  parseFlags,
  parseIpv4Address,
  u32ToIpv4,
} from '../../src/wire/index.js';

describe('TCP flags', () => {
  it('reads tcpdump letters, with "." or "A" for ACK', () => {
    expect(formatFlags(flagsFrom('S'))).toBe('SYN');
    expect(formatFlags(flagsFrom('S.'))).toBe('SYN,ACK');
    expect(formatFlags(flagsFrom('SA'))).toBe('SYN,ACK');
    expect(formatFlags(flagsFrom('FP.'))).toBe('FIN,PSH,ACK');
    expect(formatFlags(flagsFrom('R'))).toBe('RST');
    expect(formatFlags(flagsFrom('SEW'))).toBe('SYN,ECE,CWR');
    expect(formatFlags(flagsFrom('.'))).toBe('ACK');
  });

  it('reads comma names in any case and order', () => {
    expect(flagsFrom('ACK,SYN')).toEqual(flagsFrom('S.'));
    expect(flagsFrom('fin, ack')).toEqual(flagsFrom('F.'));
    expect(flagsFrom('RST')).toEqual(flagsFrom('R'));
  });

  it('writes the comma form in the documented order: SYN,FIN,RST,PSH,ACK,URG,ECE,CWR', () => {
    const all = flagsFromByte(0xff);
    expect(formatFlags(all)).toBe('SYN,FIN,RST,PSH,ACK,URG,ECE,CWR');
    expect(FLAG_ORDER.join(',')).toBe('syn,fin,rst,psh,ack,urg,ece,cwr');
    expect(flagLetters(all)).toBe('FSRP.UEW');
  });

  it('spells no flags as "" (comma form) and "none" (letters), and reads both back', () => {
    expect(formatFlags(emptyFlags())).toBe('');
    expect(flagLetters(emptyFlags())).toBe('none');
    expect(flagsFrom('')).toEqual(emptyFlags());
    expect(flagsFrom('none')).toEqual(emptyFlags());
  });

  it('refuses text that is not flags, with a clear error', () => {
    expect(parseFlags('SX')).toBeUndefined();
    expect(parseFlags('SYN,BOGUS')).toBeUndefined();
    expect(() => flagsFrom('Q')).toThrow(/not TCP flags: "Q"/);
  });

  it('round-trips every flags byte through the record, the comma form and the letters', () => {
    for (let byte = 0; byte < 256; byte++) {
      const flags = flagsFromByte(byte);
      expect(flagsToByte(flags)).toBe(byte);
      expect(flagsToByte(flagsFrom(formatFlags(flags)))).toBe(byte);
      expect(flagsToByte(flagsFrom(flagLetters(flags)))).toBe(byte);
    }
  });
});

describe('IPv4 addresses', () => {
  it('converts dotted quads to u32 and back', () => {
    expect(ipv4ToU32('192.0.2.1')).toBe(0xc0000201);
    expect(ipv4ToU32('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToU32('0.0.0.0')).toBe(0);
    expect(u32ToIpv4(0xc0000201)).toBe('192.0.2.1');
    expect(u32ToIpv4(0xffffffff)).toBe('255.255.255.255');
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        expect(u32ToIpv4(ipv4ToU32(text))).toBe(text);
      }),
    );
  });

  it('refuses what is not a strict dotted quad', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.04',
      '1..2.3',
      'a.b.c.d',
      ' 1.2.3.4',
      '1.2.3.4.',
    ]) {
      expect(parseIpv4Address(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(() => ipv4ToU32('10.0.0.256')).toThrow(RangeError);
    expect(() => ipv4ToU32(-1)).toThrow(RangeError);
    expect(() => ipv4ToU32(2 ** 32)).toThrow(RangeError);
  });
});
