import { describe, expect, it } from 'vitest';
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

describe('keepalive', () => {
  const ka = { enabled: true, idle: 1000, interval: 100, count: 3 };

  it('is off by default', () => {
    const c = established();
    expect(c.pollTimeout()).toBeUndefined();
  });

  it('probes with SND.NXT - 1 after idle; an answer resets it', () => {
    const c = established({ ...PLAIN, keepalive: ka });
    expect(c.activeTimer()).toEqual({ kind: 'keepalive', deadline: 1010 });
    c.handleTimeout(1010);
    expectSegments(c, 1010, [{ flags: '.', seq: ISS, ack: IRS + 1, len: 0 }]);
    expect(c.activeTimer()).toEqual({ kind: 'keepalive', deadline: 1110 });
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 1050);
    expectNothing(c, 1050);
    expect(c.activeTimer()).toEqual({ kind: 'keepalive', deadline: 2050 });
    expect(c.stats.keepaliveProbes).toBe(1);
  });

  it('count unanswered probes end the connection (keepalive timeout)', () => {
    const c = established({ ...PLAIN, keepalive: ka });
    for (const t of [1010, 1110, 1210]) {
      c.handleTimeout(t);
      expectSegments(c, t, [{ flags: '.', seq: ISS }]);
    }
    c.handleTimeout(1310);
    expectNothing(c, 1310);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSED (keepalive timeout)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
  });

  it('configure() turns it on later', () => {
    const c = established();
    c.configure({ keepalive: { enabled: true, idle: 500, interval: 100, count: 1 } });
    c.send(new Uint8Array(0));
    expect(c.pollTimeout()).toBeUndefined();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 100);
    expect(c.activeTimer()).toEqual({ kind: 'keepalive', deadline: 600 });
  });
});

describe('user timeout (RFC 9293 3.8.4, RFC 5482)', () => {
  it('data unacknowledged for userTimeout ms aborts with timeout', () => {
    const c = established({ ...PLAIN, userTimeout: 2500, minRto: 200 });
    c.send(new Uint8Array(10));
    expectSegments(c, 100, [{ flags: 'P.' }]);
    let t = 0;
    while (c.state === 'ESTABLISHED') {
      t = c.pollTimeout() as number;
      c.handleTimeout(t);
      c.pollTransmit(t);
    }
    expect(t).toBe(2600);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSED (user timeout)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
  });

  it('ACKs that make progress restart it', () => {
    const c = established({ ...PLAIN, userTimeout: 1000, nagle: false });
    c.send(new Uint8Array(10));
    expectSegments(c, 100, [{ flags: 'P.' }]);
    c.send(new Uint8Array(10));
    expectSegments(c, 900, [{ flags: 'P.' }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 11 }), 1000);
    // Restarted from the ACK at 1000 (it would have fired at 1100 otherwise).
    expect(c.activeTimer()).toEqual({ kind: 'user-timeout', deadline: 2000 });
    c.handleTimeout(1100);
    expect(c.state).toBe('ESTABLISHED');
  });
});

describe('challenge ACK rate limit (RFC 5961 7)', () => {
  it('at most challengeAckLimit per second', () => {
    const c = established({ ...PLAIN, challengeAckLimit: 2 });
    for (let i = 0; i < 5; i++) send(c, seg({ flags: 'S', seq: IRS + 1 }), 100 + i);
    expectSegments(c, 105, [{ flags: '.' }]);
    // The pending ACK is one segment; count what was allowed.
    expect(c.stats.challengeAcksSent).toBe(2);
    expect(c.stats.challengeAcksSuppressed).toBe(3);
    send(c, seg({ flags: 'S', seq: IRS + 1 }), 1200);
    expectSegments(c, 1200, [{ flags: '.' }]);
    expect(c.stats.challengeAcksSent).toBe(3);
  });
});
