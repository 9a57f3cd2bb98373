/**
 * One consistent look at the machine: its TCP sockets (netlink sock_diag, else /proc/net/tcp*),
 * their owning processes, and the kernel's settings and counters. Every command of the host
 * (summary, ls, doctor, metrics) starts here.
 *
 * Layer host/kernel/: this machine's kernel I/O (this file, kernel-info, libc, netns, owners,
 * sock-diag, tracefs, watch, watch-poll, trace-timewait). May import: host's pure analysis
 * (host/*.ts), state/, util/, wire/, node: and koffi. Must not: import our own stack (tcp/, stack/,
 * link/, net/) or anything above host/; the parsing and presenting belong in host/ (pure).
 */
import { existsSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { HostError } from '../errors.js';
import { parseProcNetTcp } from '../proc-net-tcp.js';
import type { DiagnoseContext, HostSocket } from '../types.js';
import { plural } from '../view.js';
import { readKernelInfo } from './kernel-info.js';
import { type HostLibc, loadHostLibc } from './libc.js';
import { inNetns, resolveNetns } from './netns.js';
import { attachOwners, scanSocketOwners } from './owners.js';
import { dumpTcp, openSockDiag } from './sock-diag.js';

export type SocketSource = 'netlink' | 'proc';

export interface SnapshotOptions {
  /** A network namespace name (/run/netns) or a pid whose namespace to inspect. */
  netns?: string;
  /** 'auto' (default) tries netlink first and falls back to /proc. */
  source?: 'auto' | SocketSource;
  /** Map sockets to processes (default true). */
  owners?: boolean;
  /** Read sysctls and counters (default true). */
  kernelInfo?: boolean;
  /** Read the sockets (default true); false reads only the kernel's settings and counters. */
  sockets?: boolean;
  /** Ask sock_diag for each socket's tcp_info and congestion algorithm (`ls --info`). */
  tcpInfo?: boolean;
  /**
   * Keep only these sockets, decided before process owners are looked up, so that a narrow
   * `ls --state …` on a busy host reads only the descriptors it needs.
   */
  keep?: (socket: HostSocket) => boolean;
}

export interface Snapshot {
  sockets: HostSocket[];
  context: DiagnoseContext;
  source: SocketSource;
  /** The namespace looked at, when not our own. */
  netns?: string;
  /** Sockets held by a process this user cannot see (other users' processes without root). */
  unresolvedOwners: number;
  /** Things the user should know, one line each (privileges, fallbacks). */
  notes: string[];
  /** Kernel files that could not be read (settings and counters; matters to doctor). */
  kernelNotes: string[];
}

export const NOT_LINUX_MESSAGE =
  'live inspection needs Linux (/proc/net/tcp); on other systems paste `netstat -an` output into `tcpstate explain -`';

export async function takeSnapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  if (process.platform !== 'linux' || !existsSync('/proc/net/tcp')) {
    throw new HostError('ENOTLINUX', NOT_LINUX_MESSAGE);
  }
  const target = options.netns !== undefined ? resolveNetns(options.netns) : undefined;
  const source = options.source ?? 'auto';
  const notes: string[] = [];
  let libc: HostLibc | undefined;
  try {
    libc = await loadHostLibc();
  } catch (err) {
    if (source === 'netlink') throw err;
    if (target) notes.push(`${(err as Error).message}: cannot enter ${target.label} with setns`);
  }

  const read = (netDir: string, useNetlink: boolean) =>
    readSockets(
      libc,
      netDir,
      useNetlink,
      source,
      options.kernelInfo ?? true,
      options.sockets ?? true,
      notes,
      options.tcpInfo ?? false,
    );
  let result: ReadResult | undefined;
  if (!target) {
    result = read('/proc/net', source !== 'proc');
  } else {
    if (libc) {
      const lib = libc;
      result = inNetns(lib, target, () => read('/proc/thread-self/net', source !== 'proc'));
    }
    if (!result) {
      if (source === 'netlink') {
        throw new HostError('EPERM', `netlink in ${target.label} needs setns, which needs root`);
      }
      if (!target.procNetDir) {
        throw new HostError(
          'EPERM',
          `cannot enter ${target.label}: setns needs root (CAP_SYS_ADMIN), and no process of this user lives in it to read its /proc/PID/net`,
        );
      }
      // No setns: a resident process's /proc view; sysctls read here are this namespace's.
      result = read(target.procNetDir, false);
      notes.push(
        `read ${target.label} through ${target.procNetDir} (setns needs root); the settings shown are this namespace's, not its own`,
      );
    }
  }

  if (options.keep) result.sockets = result.sockets.filter(options.keep);
  let unresolvedOwners = 0;
  if (options.owners ?? true) {
    const wanted = options.keep
      ? new Set(result.sockets.map((s) => s.inode ?? 0).filter((inode) => inode !== 0))
      : undefined;
    const scan = scanSocketOwners('/proc', wanted);
    unresolvedOwners = attachOwners(result.sockets, scan);
    if (unresolvedOwners > 0 && scan.unreadableProcesses > 0) {
      result.context.unreadableOwners = true;
      notes.push(
        `${plural(unresolvedOwners, 'socket')} belong${unresolvedOwners === 1 ? 's' : ''} to other users' processes; run as root to see them`,
      );
    } else if (unresolvedOwners > 0) {
      notes.push(
        `${plural(unresolvedOwners, 'socket')} belong${unresolvedOwners === 1 ? 's' : ''} to processes outside this view (another PID namespace, e.g. the container host)`,
      );
    }
  }
  return {
    sockets: result.sockets,
    context: result.context,
    source: result.source,
    ...(target ? { netns: target.label } : {}),
    unresolvedOwners,
    notes,
    kernelNotes: result.notes,
  };
}

interface ReadResult {
  sockets: HostSocket[];
  context: DiagnoseContext;
  source: SocketSource;
  notes: string[];
}

/** Synchronous on purpose: it may run inside a setns window, where nothing else may run. */
function readSockets(
  libc: HostLibc | undefined,
  netDir: string,
  tryNetlink: boolean,
  source: 'auto' | SocketSource,
  withKernelInfo: boolean,
  withSockets: boolean,
  outerNotes: string[],
  withTcpInfo = false,
): ReadResult {
  let sockets: HostSocket[] | undefined = withSockets ? undefined : [];
  let used: SocketSource = 'proc';
  if (withSockets && tryNetlink && libc) {
    try {
      sockets = readNetlink(libc, withTcpInfo);
      used = 'netlink';
    } catch (err) {
      if (source === 'netlink') throw err;
      outerNotes.push(
        `netlink sock_diag unavailable (${(err as Error).message}); read ${netDir}/tcp instead, so listen backlogs are unknown`,
      );
    }
  }
  sockets ??= readProcSockets(netDir);
  const info = withKernelInfo ? readKernelInfo(netDir) : { context: {}, notes: [] };
  return { sockets, context: info.context, source: used, notes: info.notes };
}

function readNetlink(libc: HostLibc, info: boolean): HostSocket[] {
  const fd = openSockDiag(libc);
  try {
    return [...dumpTcp(libc, fd, 4, { info }), ...dumpTcp(libc, fd, 6, { info })];
  } finally {
    libc.close(fd);
  }
}

/**
 * Every socket in `netDir`/tcp and tcp6 (/proc/net, /proc/PID/net, …). A missing tcp6 means IPv6
 * is off; a missing tcp is a HostError (not Linux, or /proc not mounted).
 */
export function readProcSockets(netDir = '/proc/net'): HostSocket[] {
  const littleEndian = endianness() === 'LE';
  const sockets: HostSocket[] = [];
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    let data: Buffer;
    try {
      data = readFileSync(`${netDir}/${file}`);
    } catch (err) {
      // tcp6 is absent when IPv6 is disabled; tcp absent means no TCP view at all.
      if (family === 6) continue;
      throw new HostError(
        'ENOTLINUX',
        `cannot read ${netDir}/${file} (${(err as NodeJS.ErrnoException).code}): ${NOT_LINUX_MESSAGE}`,
      );
    }
    for (const socket of parseProcNetTcp(data, family, littleEndian).sockets) sockets.push(socket);
  }
  return sockets;
}
