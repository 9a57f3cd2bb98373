/**
 * The kernel side of keeping watch in one network namespace (the sorting itself is
 * host/watch-netns.ts): which namespace is watched, the namespace of a traced task, and the
 * watched namespace's own socket table with the sockets' kernel addresses.
 *
 * /proc/net/tcp prints each socket's address with %pK: the real address for a reader with
 * CAP_SYSLOG when kernel.kptr_restrict is 1, a hash when it is 0, zeros when it is 2. Watching
 * through tracefs already needs root; where the setting is 0, watch raises it to 1 while it runs
 * (for everyone else that only turns hashes into zeros) and puts the old value back when it
 * stops, saying so. The change is made once per process and undone on exit.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { HostError } from '../errors.js';
import type { HostSocket } from '../types.js';
import {
  type NetnsVerdict,
  type ProcSocketAddresses,
  procSocketAddresses,
} from '../watch-netns.js';
import { type HostLibc, loadHostLibc } from './libc.js';
import { inNetns, resolveNetns } from './netns.js';
import { readProcSockets } from './snapshot.js';

/** Reads files of the watched namespace's /proc/net, whichever way reaches them. */
export interface NetnsView {
  /** `netns NAME`, `pid N`, or `this namespace`. */
  readonly label: string;
  /** The namespace's inode (as /proc/PID/ns/net shows it). */
  readonly inode: number;
  /** Runs `fn` with a /proc/net directory showing the namespace (inside setns when needed). */
  read<T>(fn: (netDir: string) => T): T;
}

/** The namespace watch runs in, or the one `--netns NAME|PID` names. */
export async function watchedNetns(spec: string | undefined): Promise<NetnsView> {
  if (spec === undefined) {
    return {
      label: 'this namespace',
      inode: statSync('/proc/thread-self/ns/net').ino,
      read: (fn) => fn('/proc/thread-self/net'),
    };
  }
  const target = resolveNetns(spec);
  const inode = statSync(target.nsPath).ino;
  let libc: HostLibc | undefined;
  try {
    libc = await loadHostLibc();
  } catch {
    // no koffi: only a resident process's /proc/PID/net can show the namespace
  }
  const lib = libc;
  const canEnter = lib !== undefined && inNetns(lib, target, () => true) === true;
  if (canEnter && lib) {
    return {
      label: target.label,
      inode,
      read: (fn) => {
        const out = inNetns(lib, target, () => fn('/proc/thread-self/net'));
        if (out === undefined) throw new HostError('EPERM', `cannot enter ${target.label}`);
        return out;
      },
    };
  }
  const dir = target.procNetDir;
  if (!dir) {
    throw new HostError(
      'EPERM',
      `cannot watch ${target.label}: setns needs root (CAP_SYS_ADMIN), and no process lives in it to read its /proc/PID/net`,
    );
  }
  return { label: target.label, inode, read: (fn) => fn(dir) };
}

/** The sockets of the view's namespace (for polling). */
export function viewSockets(view: NetnsView): HostSocket[] {
  return view.read((dir) => readProcSockets(dir));
}

/** The kernel addresses of the namespace's sockets (tcp and tcp6). */
export function viewSocketAddresses(view: NetnsView): ProcSocketAddresses {
  return view.read((dir) => {
    const all: ProcSocketAddresses = { addresses: new Set(), hidden: false };
    for (const file of ['tcp', 'tcp6']) {
      let text: string;
      try {
        text = readFileSync(`${dir}/${file}`, 'latin1');
      } catch {
        continue; // tcp6 is absent without IPv6
      }
      const part = procSocketAddresses(text);
      for (const a of part.addresses) all.addresses.add(a);
      all.hidden ||= part.hidden;
    }
    return all;
  });
}

/** Namespace inode of traced tasks, kept while they live (pids are reused: small, cleared). */
export class TaskNetns {
  private readonly cache = new Map<number, number | undefined>();

  constructor(private readonly home: number) {}

  verdict(pid: number): NetnsVerdict | undefined {
    if (pid <= 0) return undefined;
    let inode = this.cache.get(pid);
    if (inode === undefined) {
      try {
        inode = statSync(`/proc/${pid}/ns/net`).ino;
      } catch {
        return undefined; // exited already: this change cannot tell
      }
      if (this.cache.size >= 1024) this.cache.clear();
      this.cache.set(pid, inode);
    }
    return inode === this.home ? 'ours' : 'theirs';
  }
}

const KPTR_RESTRICT = '/proc/sys/kernel/kptr_restrict';

/**
 * Makes /proc/net/tcp show real socket addresses to us (kptr_restrict 0 -> 1); returns how to
 * undo it, or undefined when nothing was changed (already 1 or 2, or not allowed).
 */
export function revealSocketAddresses(): (() => void) | undefined {
  let before: string;
  try {
    before = readFileSync(KPTR_RESTRICT, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (before !== '0') return undefined;
  try {
    writeFileSync(KPTR_RESTRICT, '1');
  } catch {
    return undefined;
  }
  let undone = false;
  const undo = (): void => {
    if (undone) return;
    undone = true;
    try {
      writeFileSync(KPTR_RESTRICT, before);
    } catch {
      // left at 1, the stricter value
    }
  };
  process.once('exit', undo);
  return undo;
}
