/**
 * Which process holds which socket: every /proc/PID/fd/N that is a symlink to `socket:[INODE]`.
 * Socket inodes are global, so this works for sockets of any network namespace. Other users'
 * /proc/PID/fd directories are unreadable without root (or CAP_SYS_PTRACE); those processes are
 * counted so the caller can say so instead of printing silent blanks.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { HostSocket } from '../types.js';

export interface SocketOwner {
  pid: number;
  process: string;
  fd: number;
}

export interface OwnerScan {
  /** Socket inode -> the owner with the lowest pid (a forked server's parent, usually). */
  owners: Map<number, SocketOwner>;
  /** Processes whose descriptors could not be read (permission). */
  unreadableProcesses: number;
}

const SOCKET_PREFIX = 'socket:[';

/**
 * Reads every process's descriptors. With `wanted`, stops as soon as every wanted inode has an
 * owner: /proc lists pids in ascending order, so the owner found first is the lowest pid anyway.
 * Each descriptor costs one readlink (~5 µs in the kernel), so this is the price of process
 * names on a host with 100k sockets, as it is for `ss -p` and `netstat -p`.
 */
export function scanSocketOwners(procRoot = '/proc', wanted?: ReadonlySet<number>): OwnerScan {
  const owners = new Map<number, SocketOwner>();
  let missing = wanted?.size ?? Number.POSITIVE_INFINITY;
  let unreadableProcesses = 0;
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return { owners, unreadableProcesses };
  }
  for (const entry of entries) {
    if (missing === 0) break;
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const fdDir = `${procRoot}/${entry}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (err) {
      // EACCES: another user's process; ENOENT: it exited while we looked.
      if ((err as NodeJS.ErrnoException).code === 'EACCES') unreadableProcesses++;
      continue;
    }
    let comm: string | undefined;
    for (const fdName of fds) {
      if (missing === 0) break;
      let target: string;
      try {
        target = readlinkSync(`${fdDir}/${fdName}`);
      } catch {
        continue;
      }
      if (!target.startsWith(SOCKET_PREFIX)) continue;
      const inode = Number(target.slice(SOCKET_PREFIX.length, -1));
      if (owners.has(inode) || (wanted !== undefined && !wanted.has(inode))) continue;
      comm ??= readComm(procRoot, entry);
      owners.set(inode, { pid, process: comm, fd: Number(fdName) });
      missing--;
    }
  }
  return { owners, unreadableProcesses };
}

function readComm(procRoot: string, pid: string): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trimEnd();
  } catch {
    return '?';
  }
}

/**
 * Fills pid/process/fd in place. Returns how many sockets that belong to a process (inode != 0)
 * found no owner: those are other users' when `unreadableProcesses > 0`.
 */
export function attachOwners(sockets: HostSocket[], scan: OwnerScan): number {
  let unresolved = 0;
  for (const socket of sockets) {
    if (!socket.inode) continue;
    const owner = scan.owners.get(socket.inode);
    if (owner === undefined) {
      unresolved++;
      continue;
    }
    socket.pid = owner.pid;
    socket.process = owner.process;
    socket.fd = owner.fd;
  }
  return unresolved;
}
