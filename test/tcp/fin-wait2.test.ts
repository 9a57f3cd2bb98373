import { describe, expect, it } from 'vitest';
import {
  established,
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  pattern,
  seg,
  send,
  transitions,
} from './helpers.js';

function finWait2(how: 'shutdown' | 'close' = 'shutdown') {
  const c = established({ ...PLAIN, finWait2Timeout: 60_000 });
  if (how === 'shutdown') c.shutdown(20);
  else c.close(20);
  expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1 }]);
  send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 30);
  expectNothing(c, 30);
  expect(transitions(events(c)).at(-1)).toBe('FIN_WAIT1->FIN_WAIT2 (rcv ACK)');
  return c;
}

describe('FIN_WAIT2', () => {
  it('data keeps flowing in and is ACKed', () => {
    const c = finWait2();
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 2, data: 1000 }), 40);
    expectSegments(c, 40, [{ flags: '.', seq: ISS + 2, ack: IRS + 1001 }]);
    expect(c.read()).toEqual(pattern(1000));
  });

  it('FIN: TIME_WAIT, ACK sent, 2MSL timer armed', () => {
    const c = finWait2();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 40);
    expectSegments(c, 40, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    expect(transitions(events(c))).toEqual(['FIN_WAIT2->TIME_WAIT (rcv FIN)']);
    expect(c.activeTimer()).toEqual({ kind: 'time-wait', deadline: 40 + 60_000 });
  });

  it('after shutdown() only: no timer, waits as long as the peer stays', () => {
    const c = finWait2('shutdown');
    expect(c.pollTimeout()).toBeUndefined();
    c.handleTimeout(1e7);
    expect(c.state).toBe('FIN_WAIT2');
  });

  it('an orphan (close()) gives up after finWait2Timeout (cause FIN_WAIT2 timer)', () => {
    const c = finWait2('close');
    expect(c.activeTimer()).toEqual({ kind: 'fin-wait2', deadline: 30 + 60_000 });
    c.handleTimeout(30 + 60_000);
    expectNothing(c, 30 + 60_000);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['FIN_WAIT2->CLOSED (FIN_WAIT2 timer)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'normal' });
  });

  it('close() after shutdown() in FIN_WAIT2 starts the orphan timer', () => {
    const c = finWait2('shutdown');
    c.close(100);
    expect(c.activeTimer()).toEqual({ kind: 'fin-wait2', deadline: 100 + 60_000 });
  });

  it('out-of-window segment: ACK; SYN: challenge ACK; exact RST: reset', () => {
    const c = finWait2();
    send(c, seg({ flags: '.', seq: IRS + 1_000_000, ack: ISS + 2, data: 1 }), 40);
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 1 }]);
    send(c, seg({ flags: 'S', seq: IRS + 1 }), 41);
    expectSegments(c, 41, [{ flags: '.', ack: IRS + 1 }]);
    send(c, seg({ flags: 'R', seq: IRS + 1 }), 42);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });
});
