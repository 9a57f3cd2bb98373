/**
 * `--netns NAME|PID`: inspecting another network namespace (a container's, or one made with
 * `ip netns add`).
 *
 * How: the calling thread joins the namespace with setns(2) for the few synchronous calls that
 * need it (opening the netlink socket, reading /proc/thread-self/net/* and /proc/sys/net), then
 * returns to its own. A netlink socket stays bound to the namespace it was opened in, and the
 * /proc/thread-self and /proc/sys views follow the reading thread, so this covers everything.
 * setns(CLONE_NEWNET) is allowed in a multi-threaded process and affects only the calling thread;
 * Node's synchronous calls all run on the main thread, and no JavaScript runs in between.
 * Why not re-execute ourselves under `ip netns exec`: that needs iproute2, costs a second Node
 * start-up, remounts /sys, and only handles named namespaces.
 * Without CAP_SYS_ADMIN (or without koffi) setns is impossible; then a process living in the
 * namespace lends its view: /proc/PID/net/* is that process's namespace, readable without setns.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { HostError } from '../errors.js';
import { CLONE_NEWNET, type HostLibc, O_CLOEXEC, O_RDONLY } from './libc.js';

export interface NetnsTarget {
  /** What the user typed, for messages. */
  label: string;
  /** The namespace file to setns() into. */
  nsPath: string;
  /** A /proc/PID/net directory showing that namespace, if a process lives there. */
  procNetDir?: string;
}

const NETNS_DIRS = ['/run/netns', '/var/run/netns'];
const PID_PATTERN = /^[1-9][0-9]*$/;
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export function resolveNetns(spec: string): NetnsTarget {
  if (PID_PATTERN.test(spec)) {
    const nsPath = `/proc/${spec}/ns/net`;
    if (!existsSync(`/proc/${spec}`)) {
      throw new HostError('ENONETNS', `no process with pid ${spec}`);
    }
    return { label: `pid ${spec}`, nsPath, procNetDir: `/proc/${spec}/net` };
  }
  if (!NAME_PATTERN.test(spec) || spec === '.' || spec === '..') {
    throw new HostError('EBADNETNS', `"${spec}" is neither a pid nor a network namespace name`);
  }
  for (const dir of NETNS_DIRS) {
    const nsPath = `${dir}/${spec}`;
    if (existsSync(nsPath)) {
      return { label: `netns ${spec}`, nsPath, procNetDir: findProcessIn(nsPath) };
    }
  }
  const known = listNetns();
  throw new HostError(
    'ENONETNS',
    `no network namespace named "${spec}" (${known.length > 0 ? `known: ${known.join(', ')}` : 'none in /run/netns'}); a pid works too`,
  );
}

export function listNetns(): string[] {
  for (const dir of NETNS_DIRS) {
    try {
      return readdirSync(dir).sort();
    } catch {
      // try the next place
    }
  }
  return [];
}

/** A /proc/PID/net of some process inside the namespace file's namespace, if any. */
function findProcessIn(nsPath: string): string | undefined {
  let target: number;
  try {
    target = statSync(nsPath).ino;
  } catch {
    return undefined;
  }
  for (const entry of readdirSync('/proc')) {
    if (!PID_PATTERN.test(entry)) continue;
    try {
      if (statSync(`/proc/${entry}/ns/net`).ino === target) return `/proc/${entry}/net`;
    } catch {
      // exited, or not ours to read
    }
  }
  return undefined;
}

/**
 * Runs `fn` with the calling thread inside the namespace, and always returns to the original one.
 * Returns undefined (without calling fn) when setns is not permitted.
 */
export function inNetns<T>(libc: HostLibc, target: NetnsTarget, fn: () => T): T | undefined {
  const home = libc.open('/proc/thread-self/ns/net', O_RDONLY | O_CLOEXEC);
  if (home < 0) return undefined;
  const away = libc.open(target.nsPath, O_RDONLY | O_CLOEXEC);
  if (away < 0) {
    libc.close(home);
    return undefined;
  }
  try {
    if (libc.setns(away, CLONE_NEWNET) !== 0) return undefined;
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: fn() };
    } catch (error) {
      outcome = { error };
    }
    if (libc.setns(home, CLONE_NEWNET) !== 0) {
      // Staying in the wrong namespace would make every later answer wrong: stop here.
      throw new HostError('EPERM', `could not return from ${target.label} to this namespace`);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  } finally {
    libc.close(away);
    libc.close(home);
  }
}
