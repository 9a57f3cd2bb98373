/**
 * The fallback when tracefs cannot be used (not root, no tracefs): read /proc/net/tcp and tcp6
 * at an interval and report what changed. States that begin and end between two reads (a
 * loopback handshake, a SYN_RECV that lasts one RTT) are never seen; the caller says so.
 *
 * Sockets are matched by local and remote endpoint; listeners (remote port 0) also by inode, as
 * several can share one port (SO_REUSEPORT). A different non-zero inode on the same tuple is a
 * new socket. TIME_WAIT sockets have inode 0, so a connection keeps its identity into TIME_WAIT.
 */
import type { TcpState } from '../../state/states.js';
import type { HostSocket } from '../types.js';
import type { HostChange, HostSeen, HostTransition } from '../watch-tracker.js';
import { scanSocketOwners } from './owners.js';
import { readProcSockets } from './snapshot.js';

interface Seen {
  socket: HostSocket;
  pid?: number;
  process?: string;
}

function key(s: HostSocket): string {
  const base = `${s.family}|${s.local.address}|${s.local.port}|${s.remote.address}|${s.remote.port}`;
  return s.remote.port === 0 ? `${base}|${s.inode ?? 0}` : base;
}

export class ProcPoller {
  private seen = new Map<string, Seen>();
  private started = false;

  constructor(
    private readonly procNet = '/proc/net',
    private readonly procRoot = '/proc',
    /** How to read the sockets, when not from `procNet` (another namespace, through setns). */
    private readonly read?: () => HostSocket[],
  ) {}

  /** The changes since the previous call; the first call only takes the starting picture. */
  poll(now: number): HostChange[] {
    const current = new Map<string, Seen>();
    const sockets = this.read ? this.read() : readProcSockets(this.procNet);
    for (const socket of sockets) current.set(key(socket), { socket });
    const changes: HostChange[] = [];
    const fresh: Seen[] = [];
    for (const [k, now_] of current) {
      const before = this.seen.get(k);
      const sameSocket =
        before &&
        !(before.socket.inode && now_.socket.inode && before.socket.inode !== now_.socket.inode);
      if (before && sameSocket) {
        now_.pid = before.pid;
        now_.process = before.process;
        if (before.socket.state !== now_.socket.state) {
          changes.push(this.change(now, now_, before.socket.state, now_.socket.state));
        }
        continue;
      }
      if (before) changes.push(this.change(now, before, before.socket.state, 'CLOSED'));
      fresh.push(now_);
    }
    for (const [k, before] of this.seen) {
      if (!current.has(k)) changes.push(this.change(now, before, before.socket.state, 'CLOSED'));
    }
    this.attachOwners(fresh);
    if (this.started) {
      for (const s of fresh) changes.push(this.seenNow(now, s));
    }
    this.started = true;
    this.seen = current;
    return changes;
  }

  private attachOwners(fresh: Seen[]): void {
    const wanted = new Set(fresh.flatMap((s) => (s.socket.inode ? [s.socket.inode] : [])));
    if (wanted.size === 0) return;
    const scan = scanSocketOwners(this.procRoot, wanted);
    for (const s of fresh) {
      const owner = s.socket.inode ? scan.owners.get(s.socket.inode) : undefined;
      if (owner) {
        s.pid = owner.pid;
        s.process = owner.process;
      }
    }
  }

  private change(time: number, s: Seen, from: TcpState, to: TcpState): HostTransition {
    return { kind: 'transition', ...this.socketAt(time, s), from, to };
  }

  /** A socket that appeared between two reads: its state before is unknown. */
  private seenNow(time: number, s: Seen): HostSeen {
    return { kind: 'seen', ...this.socketAt(time, s), state: s.socket.state };
  }

  private socketAt(time: number, s: Seen): Omit<HostSeen, 'kind' | 'state'> {
    return {
      time,
      connection: { local: { ...s.socket.local }, remote: { ...s.socket.remote } },
      family: s.socket.family,
      ...(s.pid !== undefined ? { pid: s.pid } : {}),
      ...(s.process !== undefined ? { process: s.process } : {}),
    };
  }
}
