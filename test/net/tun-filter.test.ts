import { describe, expect, it } from 'vitest';
import {
  classifyPacket,
  countPacket,
  ipv4ToUint32,
  newFilterCounters,
} from '../../src/link/tun/filter.js';

const US = ipv4ToUint32('10.77.0.2');

function ipv4(protocol: number, dst: number[]): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x45;
  p[9] = protocol;
  p.set([10, 77, 0, 1], 12);
  p.set(dst, 16);
  return p;
}

describe('classifyPacket: what the kernel routes into the device', () => {
  it('delivers TCP and ICMP for our address', () => {
    expect(classifyPacket(ipv4(6, [10, 77, 0, 2]), US)).toBe('deliver');
    expect(classifyPacket(ipv4(1, [10, 77, 0, 2]), US)).toBe('deliver');
  });

  it('ignores IPv6 (router solicitations as soon as the link is up)', () => {
    // An ICMPv6 router solicitation header start: version 6, next header 58.
    const rs = new Uint8Array(48);
    rs[0] = 0x60;
    rs[6] = 58;
    expect(classifyPacket(rs, US)).toBe('ipv6');
  });

  it('ignores other protocols, other addresses and garbage', () => {
    expect(classifyPacket(ipv4(17, [10, 77, 0, 2]), US)).toBe('other-protocol');
    expect(classifyPacket(ipv4(2, [224, 0, 0, 22]), US)).toBe('not-for-us');
    expect(classifyPacket(ipv4(6, [10, 77, 0, 9]), US)).toBe('not-for-us');
    expect(classifyPacket(new Uint8Array(0), US)).toBe('malformed');
    expect(classifyPacket(new Uint8Array([0x45, 0, 0]), US)).toBe('malformed');
    expect(classifyPacket(new Uint8Array(20).fill(0x15), US)).toBe('malformed');
  });

  it('counts each class', () => {
    const c = newFilterCounters();
    for (const cls of [
      'ipv6',
      'ipv6',
      'other-protocol',
      'not-for-us',
      'malformed',
      'deliver',
    ] as const) {
      countPacket(c, cls);
    }
    expect(c).toEqual({
      ipv6: 2,
      routerSolicitations: 0,
      otherProtocol: 1,
      notForUs: 1,
      malformed: 1,
    });
  });

  it('parses dotted quads strictly', () => {
    expect(ipv4ToUint32('255.255.255.255')).toBe(0xffffffff);
    expect(() => ipv4ToUint32('10.0.0')).toThrow(RangeError);
    expect(() => ipv4ToUint32('10.0.0.256')).toThrow(RangeError);
  });
});
