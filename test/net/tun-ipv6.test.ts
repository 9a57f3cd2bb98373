/** The TUN link's IPv6 parts: what the kernel routes into the device, and address checks. */
import { describe, expect, it } from 'vitest';
import { parseGetUrl } from '../../src/cli/commands/tun.js';
import { classifyPacket6, countPacket, newFilterCounters } from '../../src/link/tun/filter.js';
import { checkTunAddresses, parseCidr6 } from '../../src/link/tun/kernel-side.js';
import { parseIpv6Address } from '../../src/wire/address6.js';

const US = parseIpv6Address('fd00::2') as Uint8Array;

function ipv6(next: number, dst: string, firstByte = 0): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = 0x60;
  p[6] = next;
  p.set(parseIpv6Address('fd00::1') as Uint8Array, 8);
  p.set(parseIpv6Address(dst) as Uint8Array, 24);
  p[40] = firstByte;
  return p;
}

describe('classifyPacket6: what the kernel routes into an IPv6 device', () => {
  it('delivers TCP, ICMPv6 and extension-header chains for our address', () => {
    expect(classifyPacket6(ipv6(6, 'fd00::2'), US)).toBe('deliver');
    expect(classifyPacket6(ipv6(58, 'fd00::2', 128), US)).toBe('deliver');
    expect(classifyPacket6(ipv6(60, 'fd00::2'), US)).toBe('deliver');
  });

  it('counts router solicitations apart; other multicast, IPv4 and garbage are not ours', () => {
    const counters = newFilterCounters();
    const rs = classifyPacket6(ipv6(58, 'ff02::2', 133), US);
    expect(rs).toBe('router-solicitation');
    countPacket(counters, rs);
    expect(counters.routerSolicitations).toBe(1);
    expect(classifyPacket6(ipv6(0, 'ff02::16'), US)).toBe('not-for-us');
    expect(classifyPacket6(ipv6(6, 'fd00::9'), US)).toBe('not-for-us');
    expect(classifyPacket6(ipv6(17, 'fd00::2'), US)).toBe('other-protocol');
    expect(classifyPacket6(Uint8Array.of(0x45, 0, 0, 20), US)).toBe('not-for-us');
    expect(classifyPacket6(new Uint8Array(10).fill(0x60), US)).toBe('malformed');
  });
});

describe('IPv6 addresses of tcpstate tun', () => {
  it('checks --address against an IPv6 --kernel-address prefix', () => {
    expect(() => checkTunAddresses('fd00::2', 'fd00::1/64')).not.toThrow();
    expect(() => checkTunAddresses('fd00:1::2', 'fd00::1/64')).toThrow(/prefix/);
    expect(() => checkTunAddresses('fd00::1', 'fd00::1/64')).toThrow(/different/);
    expect(() => checkTunAddresses('fd00::2', 'fd00::1/127')).toThrow(/prefix/);
    expect(() => checkTunAddresses('fd00::2', '10.77.0.1/24')).toThrow(/IPv6/);
    expect(() => checkTunAddresses('10.77.0.2', 'fd00::1/64')).toThrow(/IPv6/);
    expect(() => parseCidr6('fd00::1/129')).toThrow(/prefix/);
    expect(parseCidr6('fd00::1/64')).toMatchObject({ address: 'fd00::1', prefix: 64 });
  });

  it('--get takes an IPv6 host in brackets', () => {
    expect(parseGetUrl('http://[fd00::1]:8000/x?y')).toEqual({
      host: 'fd00::1',
      port: 8000,
      path: '/x?y',
    });
  });
});
