import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKernelInfo } from '../../src/host/kernel/kernel-info.js';
import { parseCounterSections, parseSockstat } from '../../src/host/kernel-counters.js';

const NETSTAT = `TcpExt: SyncookiesSent ListenOverflows ListenDrops
TcpExt: 0 12 15
IpExt: InNoRoutes
IpExt: 3
`;

describe('kernel counters', () => {
  it('parses /proc/net/netstat and snmp sections', () => {
    const sections = parseCounterSections(NETSTAT);
    expect(sections.get('TcpExt')).toEqual({
      SyncookiesSent: 0,
      ListenOverflows: 12,
      ListenDrops: 15,
    });
    expect(sections.get('IpExt')).toEqual({ InNoRoutes: 3 });
  });

  it('parses the TCP line of sockstat', () => {
    const text =
      'sockets: used 200\nTCP: inuse 5 orphan 1 tw 30 alloc 9 mem 4\nUDP: inuse 1 mem 0\n';
    expect(parseSockstat(text)).toEqual({ inuse: 5, orphan: 1, tw: 30, alloc: 9, mem: 4 });
    expect(parseSockstat('nothing')).toBeUndefined();
  });

  it('tolerates missing files with one note each', () => {
    const root = mkdtempSync(join(tmpdir(), 'tcpstate-ki-'));
    mkdirSync(join(root, 'net'));
    mkdirSync(join(root, 'sys/ipv4'), { recursive: true });
    writeFileSync(join(root, 'net/netstat'), NETSTAT);
    writeFileSync(join(root, 'sys/ipv4/ip_local_port_range'), '32768\t60999\n');
    const { context, notes } = readKernelInfo(join(root, 'net'), join(root, 'sys'));
    expect(context.ephemeralPorts).toEqual({ low: 32768, high: 60999 });
    expect(context.tcpExt?.ListenOverflows).toBe(12);
    expect(context.finTimeoutSec).toBeUndefined();
    expect('finTimeoutSec' in context).toBe(false);
    expect(notes.some((n) => n.includes('tcp_fin_timeout'))).toBe(true);
    expect(notes.some((n) => n.includes('sockstat'))).toBe(true);
  });
});
