/**
 * The kernel's TCP settings and counters that explain what sockets do: sysctls under
 * /proc/sys/net, `TcpExt` of /proc/net/netstat, `Tcp` of /proc/net/snmp, /proc/net/sockstat.
 * Every file may be missing (old kernels, restricted containers); each miss becomes a note.
 */
import { readFileSync } from 'node:fs';
import { parseCounterSections, parseSockstat } from '../kernel-counters.js';
import type { DiagnoseContext } from '../types.js';

export interface KernelInfo {
  context: DiagnoseContext;
  /** One line per file that could not be read. */
  notes: string[];
}

function read(path: string, notes: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    notes.push(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

function sysctlNumbers(path: string, notes: string[]): number[] | undefined {
  const text = read(path, notes);
  if (text === undefined) return undefined;
  const values = text.trim().split(/\s+/).map(Number);
  return values.every(Number.isFinite) ? values : undefined;
}

/**
 * Reads everything. `netDir` is where the namespace's net files are (/proc/net, /proc/PID/net or
 * /proc/thread-self/net); sysctls are always those of the reading thread's namespace.
 */
export function readKernelInfo(netDir = '/proc/net', sysDir = '/proc/sys/net'): KernelInfo {
  const notes: string[] = [];
  const context: DiagnoseContext = {};
  const range = sysctlNumbers(`${sysDir}/ipv4/ip_local_port_range`, notes);
  if (range && range.length >= 2) context.ephemeralPorts = { low: range[0], high: range[1] };
  const one = (name: string): number | undefined => sysctlNumbers(`${sysDir}/${name}`, notes)?.[0];
  context.finTimeoutSec = one('ipv4/tcp_fin_timeout');
  context.twReuse = one('ipv4/tcp_tw_reuse');
  context.maxSynBacklog = one('ipv4/tcp_max_syn_backlog');
  context.somaxconn = one('core/somaxconn');
  context.maxOrphans = one('ipv4/tcp_max_orphans');
  context.maxTwBuckets = one('ipv4/tcp_max_tw_buckets');
  const netstat = read(`${netDir}/netstat`, notes);
  if (netstat !== undefined) context.tcpExt = parseCounterSections(netstat).get('TcpExt');
  const snmp = read(`${netDir}/snmp`, notes);
  if (snmp !== undefined) context.snmpTcp = parseCounterSections(snmp).get('Tcp');
  const sockstat = read(`${netDir}/sockstat`, notes);
  if (sockstat !== undefined) context.sockstat = parseSockstat(sockstat);
  for (const key of Object.keys(context) as (keyof DiagnoseContext)[]) {
    if (context[key] === undefined) delete context[key];
  }
  return { context, notes };
}
