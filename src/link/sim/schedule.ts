/**
 * The clock arithmetic every driver of a sans-IO stack shares, virtual (the stepper) or real
 * (net/driver.ts): the earliest of several optional deadlines, and firing a stack's timers once
 * their deadline has come (a spurious `handleTimeout` is a no-op, but an early one is a wasted
 * pass over the timer heap).
 */

/** Anything with a next deadline and a way to fire it (a Stack, a Connection). */
export interface Timed {
  pollTimeout(): number | undefined;
  handleTimeout(now: number): void;
}

/** The earlier of two optional times. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

/** Fires `timed`'s timers when their deadline is at or before `now`; true when it did. */
export function fireDueTimers(timed: Timed, now: number): boolean {
  const t = timed.pollTimeout();
  if (t === undefined || t > now) return false;
  timed.handleTimeout(now);
  return true;
}
