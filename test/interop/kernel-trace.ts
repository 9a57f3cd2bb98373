/**
 * The kernel's own TCP transitions, from the tracefs event sock/inet_sock_set_state, read from a
 * tracing instance of our own (so the global buffer and other users are untouched), created
 * per test and removed after. Lines are filtered to the addresses of the test's namespace.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import type { TcpState } from '../../src/state/states.js';

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

export interface KernelTransition {
  local: string;
  remote: string;
  from: TcpState;
  to: TcpState;
}

/** Where tracefs is, mounting it if needed (`mounted`: we did, and unmount it after). */
function tracefsRoot(): { root: string; mounted: boolean } | undefined {
  for (const root of TRACEFS) {
    if (existsSync(`${root}/events/sock/inet_sock_set_state`)) return { root, mounted: false };
  }
  spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS[0]]);
  if (!existsSync(`${TRACEFS[0]}/events/sock/inet_sock_set_state`)) return undefined;
  return { root: TRACEFS[0], mounted: true };
}

export function whyNoTracefs(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for tracefs';
  const found = tracefsRoot();
  if (found?.mounted) spawnSync('umount', [found.root]);
  return found ? undefined : 'tracefs with sock/inet_sock_set_state is not available';
}

/** Kernel names (TCP_NEW_SYN_RECV, TCP_CLOSE, …) to ours. */
function stateName(kernel: string): TcpState {
  const s = kernel.replace(/^TCP_/, '');
  if (s === 'CLOSE') return 'CLOSED';
  if (s === 'NEW_SYN_RECV') return 'SYN_RECV';
  return s as TcpState;
}

// AF_INET6 lines carry the IPv6 addresses in saddrv6/daddrv6 (saddr/daddr then say 0.0.0.0 or
// the IPv4 of a mapped address).
const LINE =
  /inet_sock_set_state: family=(AF_INET6?) protocol=IPPROTO_TCP sport=(\d+) dport=(\d+) saddr=([\d.]+) daddr=([\d.]+) (?:saddrv6=(\S+) daddrv6=(\S+) )?.*oldstate=(\w+) newstate=(\w+)/;

export function parseTraceLines(text: string, subnetPrefix: string): KernelTransition[] {
  const out: KernelTransition[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const v6 = m[1] === 'AF_INET6' && m[6] !== undefined;
    const saddr = v6 ? m[6] : m[4];
    const daddr = v6 ? m[7] : m[5];
    if (!saddr.startsWith(subnetPrefix) || !daddr.startsWith(subnetPrefix)) continue;
    out.push({
      local: `${saddr}:${m[2]}`,
      remote: `${daddr}:${m[3]}`,
      from: stateName(m[8]),
      to: stateName(m[9]),
    });
  }
  return out;
}

export class KernelTrace {
  private constructor(
    private readonly dir: string,
    private readonly unmount: string | undefined,
  ) {}

  static start(tag: string): KernelTrace {
    const found = tracefsRoot();
    if (!found) throw new Error('tracefs is not available');
    const dir = `${found.root}/instances/ts-${tag}-${process.pid}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/events/sock/inet_sock_set_state/enable`, '1');
    return new KernelTrace(dir, found.mounted ? found.root : undefined);
  }

  /** Stops tracing, removes the instance, and returns the transitions within `subnetPrefix`. */
  stop(subnetPrefix: string): KernelTransition[] {
    writeFileSync(`${this.dir}/events/sock/inet_sock_set_state/enable`, '0');
    const text = readFileSync(`${this.dir}/trace`, 'utf8');
    rmdirSync(this.dir);
    if (this.unmount) spawnSync('umount', [this.unmount]);
    return parseTraceLines(text, subnetPrefix);
  }
}
