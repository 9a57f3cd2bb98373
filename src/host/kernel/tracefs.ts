/**
 * A tracing instance of our own in tracefs (Documentation/trace/ftrace.rst, "Instances"):
 * its own ring buffer, event switches, filter and clock, so the global buffer and other tracing
 * users are not disturbed. Everything changed is undone by `close()`: the event is disabled,
 * the instance removed, and tracefs unmounted if it was mounted here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { HostError } from '../errors.js';

const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
const EVENT = 'events/sock/inet_sock_set_state';
export const INSTANCE_PREFIX = 'tcpstate-';

export interface TraceFilter {
  ports?: readonly number[];
  family?: 4 | 6;
}

/** The event filter (Documentation/trace/events.rst, "Event filtering"). */
export function eventFilter(filter: TraceFilter): string {
  // IPPROTO_TCP = 6: the same event reports SCTP and MPTCP sockets.
  const parts = ['protocol == 6'];
  if (filter.family) parts.push(`family == ${filter.family === 4 ? 2 : 10}`);
  if (filter.ports && filter.ports.length > 0) {
    parts.push(`(${filter.ports.map((p) => `sport == ${p} || dport == ${p}`).join(' || ')})`);
  }
  return parts.join(' && ');
}

function eventRoot(): string | undefined {
  return TRACEFS_ROOTS.find((root) => existsSync(`${root}/${EVENT}`));
}

/** Why the tracefs route is closed here, or undefined when it is open (possibly after a mount). */
export function tracefsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'tracefs exists only on Linux';
  if (process.getuid?.() !== 0) return 'reading kernel transitions from tracefs needs root';
  if (eventRoot()) return undefined;
  if (!existsSync(TRACEFS_ROOTS[0])) return 'this kernel has no tracefs';
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Instances left by a tcpstate that was killed (SIGKILL leaves no chance to clean up). */
function removeStaleInstances(root: string): void {
  let names: string[];
  try {
    names = readdirSync(`${root}/instances`);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^tcpstate-(\d+)(-sk)?$/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    try {
      rmdirSync(`${root}/instances/${name}`);
    } catch {
      // Still busy or already gone: not ours to insist on.
    }
  }
}

export class TraceInstance {
  private closed = false;

  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly mountedHere: string | undefined,
  ) {}

  get pipePath(): string {
    return `${this.dir}/trace_pipe`;
  }

  /**
   * `fields`: print every field of the event (trace option `fields`, Linux 6.3+), for skaddr;
   * throws where the option does not exist.
   */
  static open(
    filter: TraceFilter,
    name = `${INSTANCE_PREFIX}${process.pid}`,
    options: { fields?: boolean } = {},
  ): TraceInstance {
    const why = tracefsUnavailable();
    if (why) throw new HostError('EPERM', why);
    let root = eventRoot();
    let mountedHere: string | undefined;
    if (!root) {
      const r = spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS_ROOTS[0]], {
        encoding: 'utf8',
      });
      root = eventRoot();
      if (r.status !== 0 || !root) {
        throw new HostError(
          'EPERM',
          `cannot mount tracefs at ${TRACEFS_ROOTS[0]}: ${(r.stderr || 'no sock/inet_sock_set_state event').trim()}`,
        );
      }
      mountedHere = root;
    }
    removeStaleInstances(root);
    const dir = `${root}/instances/${name}`;
    mkdirSync(dir);
    const instance = new TraceInstance(name, dir, mountedHere);
    try {
      // Timestamps on CLOCK_MONOTONIC, the clock Node's hrtime reads, so they map to wall time.
      try {
        writeFileSync(`${dir}/trace_clock`, 'mono');
      } catch {
        // Older kernels without `mono`: the default `local` clock is close to it.
      }
      if (options.fields) {
        if (!existsSync(`${dir}/options/fields`)) {
          throw new Error('this kernel has no trace option `fields` (Linux 6.3+)');
        }
        writeFileSync(`${dir}/options/fields`, '1');
      }
      writeFileSync(`${dir}/${EVENT}/filter`, eventFilter(filter));
      writeFileSync(`${dir}/${EVENT}/enable`, '1');
    } catch (err) {
      instance.close();
      throw err;
    }
    return instance;
  }

  /** Writes a line into this instance's buffer (its trace_marker), in order with the events. */
  mark(text: string): void {
    writeFileSync(`${this.dir}/trace_marker`, text);
  }

  /** Disables the event and removes the instance; call after every reader of trace_pipe is gone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      writeFileSync(`${this.dir}/${EVENT}/enable`, '0');
    } catch {
      // The instance may already be gone.
    }
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        rmdirSync(this.dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        // EBUSY while a reader still has trace_pipe open: it is closing; try again shortly.
        if (code !== 'EBUSY' || attempt === 49) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    if (this.mountedHere) spawnSync('umount', [this.mountedHere]);
  }
}
