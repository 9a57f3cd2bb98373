/**
 * The screen of `tcpstate top`: counts per state, the processes holding the most sockets, and
 * the newest transitions, fitted to a terminal of `width` x `height` (one string per line, none
 * wider than `width`). Pure: the command takes the snapshot, keeps the transitions and gives the
 * clock text.
 */
import { formatEndpoint } from '../host/doctor.js';
import type { HostSocket } from '../host/types.js';
import { formatDuration } from '../host/view.js';
import type { WatchEvent } from '../host/watch-tracker.js';
import type { Lang } from '../state/meanings.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import { words } from '../state/words.js';
import { stateStyle } from './state-style.js';
import type { Colors } from './table-style.js';

export interface TopModel {
  /** `this namespace`, `netns NAME`, … */
  netns: string;
  /** The clock text of the snapshot. */
  clock: string;
  sockets: readonly HostSocket[];
  /** Newest last. */
  recent: readonly WatchEvent[];
  /** The clock text of each recent event, same order. */
  recentClock: readonly string[];
  /** How transitions are read (`tracefs`, `poll`), or why they are not. */
  source: string;
  /** One line for the user (a fallback, an error), shown under the header. */
  note?: string;
}

export interface ProcessRow {
  pid: number;
  process: string;
  total: number;
  byState: Partial<Record<TcpState, number>>;
}

/** Sockets per state, in the order of the state table. */
export function countStates(sockets: readonly HostSocket[]): [TcpState, number][] {
  const counts = new Map<TcpState, number>();
  for (const s of sockets) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return TCP_STATES.flatMap((state) => {
    const n = counts.get(state);
    return n ? [[state, n] as [TcpState, number]] : [];
  });
}

/** Processes by the number of sockets they hold, most first (ties: lower pid). */
export function busiestProcesses(sockets: readonly HostSocket[], limit: number): ProcessRow[] {
  const rows = new Map<number, ProcessRow>();
  for (const s of sockets) {
    if (s.pid === undefined) continue;
    let row = rows.get(s.pid);
    if (!row) {
      row = { pid: s.pid, process: s.process ?? '?', total: 0, byState: {} };
      rows.set(s.pid, row);
    }
    row.total++;
    row.byState[s.state] = (row.byState[s.state] ?? 0) + 1;
  }
  return [...rows.values()]
    .sort((a, b) => b.total - a.total || a.pid - b.pid)
    .slice(0, Math.max(0, limit));
}

const PROCESS_STATES: readonly TcpState[] = [
  'LISTEN',
  'ESTABLISHED',
  'CLOSE_WAIT',
  'SYN_SENT',
  'FIN_WAIT2',
];

/** Cuts plain text to `width` columns (the screen never wraps). */
function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function renderTop(
  model: TopModel,
  size: { width: number; height: number },
  c: Colors,
  lang: Lang = 'en',
): string[] {
  const w = words(lang);
  const width = Math.max(20, size.width);
  const height = Math.max(8, size.height);
  const lines: string[] = [];
  // Styling wraps text already fitted, so escapes never count towards the width.
  const add = (text: string, style: (t: string) => string = (t) => t): void => {
    lines.push(style(clip(text, width)));
  };
  add(
    `tcpstate top  ${model.netns}  ${model.clock}  ${w.topSockets(model.sockets.length)}  ${w.topTransitions} ${model.source}  ${w.topQuits}`,
    c.bold,
  );
  if (model.note) add(model.note, c.dim);

  add('');
  add(`${w.colState.padEnd(14)}${w.colSockets.padStart(8)}`, c.bold);
  const counts = countStates(model.sockets);
  const most = Math.max(1, ...counts.map(([, n]) => n));
  const barRoom = Math.max(0, width - 24);
  for (const [state, n] of counts) {
    const bar = '#'.repeat(Math.max(1, Math.round((n / most) * Math.min(barRoom, 40))));
    const text = clip(`${state.padEnd(13)} ${String(n).padStart(8)} ${bar}`, width);
    lines.push(stateStyle(c, state)(text));
  }
  if (counts.length === 0) add(w.noTcpSockets, c.dim);

  // The rest of the screen is shared: processes get up to a third, transitions the remainder.
  const left = height - lines.length - 4;
  const processRoom = Math.max(1, Math.min(8, Math.floor(left / 3)));
  add('');
  add(
    `${'PID'.padStart(7)} ${w.colProcess.padEnd(16)} ${w.colSockets.padStart(7)} ${PROCESS_STATES.map((s) => (s === 'ESTABLISHED' ? 'ESTAB' : s).padStart(10)).join(' ')}`,
    c.bold,
  );
  const processes = busiestProcesses(model.sockets, processRoom);
  for (const p of processes) {
    add(
      `${String(p.pid).padStart(7)} ${p.process.slice(0, 16).padEnd(16)} ${String(p.total).padStart(7)} ${PROCESS_STATES.map((s) => String(p.byState[s] ?? '').padStart(10)).join(' ')}`,
    );
  }
  if (processes.length === 0) add(w.noOwners, c.dim);

  add('');
  add(
    `${w.colTime.padEnd(12)} ${w.colLocal.padEnd(22)} ${w.colRemote.padEnd(22)} ${w.colChange.padEnd(26)} ${w.colInOldState}`,
    c.bold,
  );
  const room = Math.max(0, height - lines.length);
  const shown = model.recent.slice(-room).reverse();
  const clocks = model.recentClock.slice(-room).reverse();
  shown.forEach((e, i) => {
    const change =
      e.kind === 'seen'
        ? `${w.newSocket} -> ${e.state}`
        : `${e.from} -> ${e.to}${e.reported ? '*' : ''}`;
    const ms = e.kind === 'transition' && e.ms !== null ? formatDuration(e.ms) : '';
    const to = e.kind === 'seen' ? e.state : e.to;
    const text = clip(
      `${(clocks[i] ?? '').padEnd(12)} ${formatEndpoint(e.connection.local).padEnd(22)} ${formatEndpoint(e.connection.remote).padEnd(22)} ${change.padEnd(26)} ${ms}`,
      width,
    );
    lines.push(stateStyle(c, to)(text));
  });
  if (shown.length === 0 && room > 0) add(w.noTransitionYet, c.dim);
  return lines.slice(0, height);
}
