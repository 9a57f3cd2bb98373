/**
 * What the host view knows of each socket since the page opened: the state it was first seen
 * in (a snapshot, or a poll's `seen` line), every transition the event stream reported, the
 * changes only a later snapshot showed (a poll can miss short states), and when it was gone.
 * Pure: times come in as arguments (Unix epoch ms).
 */
import type { HostSocket } from '../../host/types.js';
import type { WatchEventJson } from '../../host/watch-view.js';
import type { TcpState } from '../../state/states.js';
import { socketId } from './endpoint.js';

export type HistoryEntry =
  | { kind: 'seen'; time: number; state: TcpState; how: 'snapshot' | 'poll' }
  | { kind: 'transition'; time: number; from: TcpState; to: TcpState; process?: string }
  /** The snapshot showed another state than the stream's last word: a change it missed. */
  | { kind: 'changed'; time: number; from: TcpState; to: TcpState }
  | { kind: 'gone'; time: number };

/** Enough for any one socket's life; the oldest sockets are forgotten past MAX_SOCKETS. */
const MAX_ENTRIES = 200;
const MAX_SOCKETS = 20_000;

export class SocketHistories {
  private readonly entries = new Map<string, HistoryEntry[]>();
  /** tracefs's socket address → the id it was last reported under. */
  private readonly bySkaddr = new Map<string, string>();

  history(id: string): readonly HistoryEntry[] {
    return this.entries.get(id) ?? [];
  }

  /** Its state as last known; CLOSED once it is gone. */
  state(id: string): TcpState | undefined {
    const last = this.history(id).at(-1);
    if (last === undefined) return undefined;
    if (last.kind === 'gone') return 'CLOSED';
    return last.kind === 'seen' ? last.state : last.to;
  }

  /** The last transition, if its `to` is the state the socket is in now. */
  lastChange(id: string): { from: TcpState; to: TcpState } | undefined {
    const last = this.history(id).at(-1);
    return last && (last.kind === 'transition' || last.kind === 'changed')
      ? { from: last.from, to: last.to }
      : undefined;
  }

  private add(id: string, entry: HistoryEntry): void {
    let list = this.entries.get(id);
    if (list === undefined) {
      if (this.entries.size >= MAX_SOCKETS) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      list = [];
      this.entries.set(id, list);
    }
    list.push(entry);
    if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
  }

  private lastTime(id: string): number {
    return this.history(id).at(-1)?.time ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * A snapshot requested at `time`. Rows older than the stream's latest word on a socket are
   * ignored for it, so a slow snapshot never undoes a transition that came in meanwhile.
   */
  observeSnapshot(time: number, sockets: readonly HostSocket[]): void {
    const present = new Set<string>();
    for (const s of sockets) {
      const id = socketId(s.local, s.remote);
      present.add(id);
      const known = this.state(id);
      const gone = this.history(id).at(-1)?.kind === 'gone';
      if (known === undefined || gone) {
        this.add(id, { kind: 'seen', time, state: s.state, how: 'snapshot' });
      } else if (known !== s.state && time > this.lastTime(id)) {
        this.add(id, { kind: 'changed', time, from: known, to: s.state });
      }
    }
    for (const [id, list] of this.entries) {
      const last = list.at(-1);
      if (present.has(id) || last === undefined || last.kind === 'gone') continue;
      if (time > last.time && !(last.kind === 'transition' && last.to === 'CLOSED')) {
        this.add(id, { kind: 'gone', time });
      }
    }
  }

  /** One line of the event stream; returns the id of the socket it concerns. */
  observeEvent(e: WatchEventJson): string {
    const id = socketId(e.local, e.remote);
    if (e.type === 'seen') {
      if (this.state(id) !== e.state) {
        this.add(id, { kind: 'seen', time: e.time, state: e.state, how: 'poll' });
      }
      return id;
    }
    // The kernel reports a connecting socket before its port is bound (SYN_SENT from local
    // port 0); tracefs's socket address ties that report to the connection it became.
    if (e.skaddr !== null) {
      const before = this.bySkaddr.get(e.skaddr);
      if (before !== undefined && before !== id) {
        const moved = this.entries.get(before) ?? [];
        this.entries.delete(before);
        this.entries.set(id, [...moved, ...(this.entries.get(id) ?? [])]);
      }
      this.bySkaddr.set(e.skaddr, id);
      if (e.to === 'CLOSED') this.bySkaddr.delete(e.skaddr);
    }
    this.add(id, {
      kind: 'transition',
      time: e.time,
      from: e.from,
      to: e.to,
      ...(e.process !== null ? { process: e.process } : {}),
    });
    return id;
  }
}
