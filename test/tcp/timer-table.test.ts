import { describe, expect, it } from 'vitest';
import {
  isArmed,
  isExpired,
  newTimerTable,
  nextDeadline,
  nextTimer,
  STOPPED,
  TIMER_KINDS,
  TIMERS,
  Timer,
} from '../../src/tcp/timer-table.js';
import {
  established,
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  seg,
  send,
  transitions,
} from './helpers.js';

describe('timer table', () => {
  it('starts with nothing armed', () => {
    const t = newTimerTable();
    expect(t).toHaveLength(TIMERS.length);
    expect(nextTimer(t)).toBeUndefined();
    expect(nextDeadline(t)).toBeUndefined();
    for (const k of TIMERS) expect(isArmed(t, k)).toBe(false);
    expect(isExpired(t, Timer.retransmit, Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('the next timer is the earliest deadline; equal deadlines go to the lower slot', () => {
    const t = newTimerTable();
    t[Timer.delayedAck] = 50;
    t[Timer.keepalive] = 40;
    expect(nextTimer(t)).toBe(Timer.keepalive);
    t[Timer.retransmit] = 40;
    expect(nextTimer(t)).toBe(Timer.retransmit);
    expect(nextDeadline(t)).toBe(40);
    t[Timer.retransmit] = STOPPED;
    t[Timer.keepalive] = STOPPED;
    expect(nextTimer(t)).toBe(Timer.delayedAck);
    expect(isExpired(t, Timer.delayedAck, 49)).toBe(false);
    expect(isExpired(t, Timer.delayedAck, 50)).toBe(true);
  });

  it('names every netstat timer kind once, one per slot', () => {
    expect(TIMER_KINDS).toHaveLength(TIMERS.length);
    expect(new Set(TIMER_KINDS).size).toBe(TIMERS.length);
    expect(TIMER_KINDS[Timer.persist]).toBe('persist');
    expect(TIMER_KINDS[Timer.userTimeout]).toBe('user-timeout');
  });
});

describe('handleTimeout', () => {
  it('before any deadline is a no-op', () => {
    const c = established({ ...PLAIN, nagle: false });
    c.send(new Uint8Array(10));
    expectSegments(c, 100, [{ flags: 'P.' }]);
    const before = c.activeTimer();
    expect(before?.kind).toBe('retransmit');
    c.handleTimeout((before?.deadline ?? 0) - 1);
    expectNothing(c, (before?.deadline ?? 0) - 1);
    expect(c.activeTimer()).toEqual(before);
    expect(events(c)).toEqual([]);
  });

  it('serves the user timeout before a retransmission due at the same time', () => {
    const rto = established().info().rto;
    const c = established({ ...PLAIN, userTimeout: rto });
    c.send(new Uint8Array(10));
    expectSegments(c, 100, [{ flags: 'P.', seq: ISS + 1 }]);
    expect(c.activeTimer()).toEqual({ kind: 'user-timeout', deadline: 100 + rto });
    c.handleTimeout(100 + rto);
    expectNothing(c, 100 + rto);
    expect(transitions(events(c))).toEqual(['ESTABLISHED->CLOSED (user timeout)']);
  });

  it('serves a delayed ACK due with a keepalive probe in one call', () => {
    const c = established({
      ...PLAIN,
      keepalive: { enabled: true, idle: 1000, interval: 100, count: 3 },
      delayedAck: true,
      delayedAckTimeout: 40,
    });
    // Data at 970 restarts keepalive (idle from 970) and arms the delayed ACK for 1010.
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 970);
    expectNothing(c, 970);
    expect(c.activeTimer()).toEqual({ kind: 'delayed-ack', deadline: 1010 });
    c.handleTimeout(1970);
    // Keepalive (slot before delayed ACK) asks for a probe; the delayed ACK is due too.
    expectSegments(c, 1970, [{ flags: '.', seq: ISS, ack: IRS + 11 }]);
  });
});
