/**
 * A connection's timers as one table (after quinn-proto's TimerTable): one absolute deadline per
 * timer kind, in one array indexed by `Timer`; the next deadline is the smallest. No timer has a
 * field of its own, so arming, stopping and finding the next one are the same few lines for all.
 */
import type { TimerKind } from './types.js';

/**
 * The slots, in the order `handleTimeout` serves those that expired together: the timers that
 * end the connection (2MSL, FIN_WAIT2, user timeout) before those that make it send
 * (retransmission or persist, keepalive, delayed ACK), so that a connection that is over sends
 * nothing more. On equal deadlines the lower slot is also the one `nextTimer()` reports.
 */
export const Timer = {
  timeWait: 0,
  finWait2: 1,
  userTimeout: 2,
  retransmit: 3,
  persist: 4,
  keepalive: 5,
  delayedAck: 6,
} as const;
export type Timer = (typeof Timer)[keyof typeof Timer];

/** Every slot, in serving order. */
export const TIMERS: readonly Timer[] = Object.values(Timer);

/** The netstat name (TimerKind) of each slot. */
export const TIMER_KINDS = [
  'time-wait',
  'fin-wait2',
  'user-timeout',
  'retransmit',
  'persist',
  'keepalive',
  'delayed-ack',
] as const satisfies { readonly [T in Timer]: TimerKind };

/** The deadline of a timer that is not armed: later than any `now`. */
export const STOPPED = Number.POSITIVE_INFINITY;

/**
 * Deadlines in ms, indexed by Timer; STOPPED for a timer that is not armed. A plain array of
 * numbers (unboxed doubles in V8): arming a timer allocates nothing, and an idle connection
 * pays for seven numbers.
 */
export type TimerTable = number[];

export function newTimerTable(): TimerTable {
  // A literal, one number per slot: V8 keeps it a packed array of doubles.
  return [STOPPED, STOPPED, STOPPED, STOPPED, STOPPED, STOPPED, STOPPED];
}

export function isArmed(table: TimerTable, t: Timer): boolean {
  return table[t] !== STOPPED;
}

/** True when `t` is armed and its deadline is at or before `now`. */
export function isExpired(table: TimerTable, t: Timer, now: number): boolean {
  const d = table[t];
  return d !== STOPPED && d <= now;
}

/** The armed timer with the earliest deadline (the lowest slot of equals), if any. */
export function nextTimer(table: TimerTable): Timer | undefined {
  let next: Timer | undefined;
  let earliest = STOPPED;
  for (let t = 0; t < table.length; t++) {
    if (table[t] < earliest) {
      earliest = table[t];
      next = t as Timer;
    }
  }
  return next;
}

/** The earliest deadline; undefined when no timer is armed. */
export function nextDeadline(table: TimerTable): number | undefined {
  const t = nextTimer(table);
  return t === undefined ? undefined : table[t];
}
