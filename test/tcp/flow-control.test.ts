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

describe('flow control', () => {
  it('never sends beyond the offered window', () => {
    const c = established(PLAIN, undefined, 3000);
    c.send(pattern(10_000));
    expectSegments(c, 20, [
      { flags: '.', len: 1460 },
      { flags: '.', len: 1460 },
    ]);
    // 80 bytes are left in the window: less than half of the largest window (SWS), held.
    expectNothing(c, 20);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2921, window: 3000 }), 30);
    expectSegments(c, 30, [
      { flags: '.', seq: ISS + 2921, len: 1460 },
      { flags: '.', len: 1460 },
    ]);
  });

  it('the window closing with data in flight: retransmission timer, then persist probes', () => {
    const c = established({ ...PLAIN, minRto: 200, dataRetries: 3 });
    c.send(pattern(20_000));
    const out = expectSegments(
      c,
      20,
      Array.from({ length: 10 }, () => ({ flags: '.' })),
    );
    expect(out).toHaveLength(10);
    // Everything but the last segment is taken and the window closes.
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 + 9 * 1460, window: 0 }), 30);
    expect(c.activeTimer()?.kind).toBe('retransmit');
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectNothing(c, t);
    expect(c.activeTimer()?.kind).toBe('persist');
    // Probing goes on far beyond dataRetries timeouts while the peer answers.
    let now = t;
    for (let i = 0; i < 8; i++) {
      now = c.pollTimeout() as number;
      c.handleTimeout(now);
      expectSegments(c, now, [{ flags: '.', seq: ISS + 1 + 9 * 1460, len: 1 }]);
      send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 + 9 * 1460, window: 0 }), now + 1);
      expectNothing(c, now + 1);
    }
    expect(c.state).toBe('ESTABLISHED');
    expect(c.stats.fastRetransmits).toBe(0);
  });

  it('unanswered zero-window probes end the connection after dataRetries', () => {
    const c = established({ ...PLAIN, dataRetries: 2 });
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, window: 0 }), 20);
    c.send(pattern(100));
    expectNothing(c, 20);
    for (let i = 0; i < 10 && c.state === 'ESTABLISHED'; i++) {
      const t = c.pollTimeout() as number;
      c.handleTimeout(t);
      c.pollTransmit(t);
    }
    expect(transitions(events(c)).at(-1)).toBe('ESTABLISHED->CLOSED (retransmission limit)');
  });

  it('with our window at zero, an ACK on a data segment is still processed', () => {
    const c = established({ ...PLAIN, receiveBufferSize: 1000 });
    c.send(pattern(100));
    expectSegments(c, 20, [{ flags: 'P.', len: 100 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 1000 }), 30);
    expectSegments(c, 30, [{ flags: '.', ack: IRS + 1001, window: 0 }]);
    // The peer probes our zero window; the probe also acknowledges our 100 bytes.
    send(c, seg({ flags: '.', seq: IRS + 1001, ack: ISS + 101, data: 1 }), 40);
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 1001, window: 0 }]);
    expect(c.sendQueue).toBe(0);
    expect(c.recvQueue).toBe(1000);
  });

  it('receiver SWS avoidance: the window opens only by a full MSS or half the buffer', () => {
    const c = established({ ...PLAIN, receiveBufferSize: 10_000 });
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 1460 }), 20);
    expectSegments(c, 20, [{ flags: '.', window: 10_000 - 1460 }]);
    c.read(100);
    // 100 bytes freed: less than an MSS, the right edge does not move.
    send(c, seg({ flags: '.', seq: IRS + 1461, ack: ISS + 1, data: 10 }), 30);
    expectSegments(c, 30, [{ flags: '.', window: 10_000 - 1470 }]);
    c.read();
    send(c, seg({ flags: '.', seq: IRS + 1471, ack: ISS + 1, data: 10 }), 40);
    expectSegments(c, 40, [{ flags: '.', window: 10_000 - 10 }]);
  });

  it('out-of-order data is bounded by the receive buffer', () => {
    const c = established({ ...PLAIN, receiveBufferSize: 4000 });
    send(c, seg({ flags: '.', seq: IRS + 1001, ack: ISS + 1, data: 5000 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 1000 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 4001, window: 0 }]);
    expect(c.recvQueue).toBe(4000);
  });

  it('keepalive also watches FIN_WAIT2 after shutdown()', () => {
    const c = established({
      ...PLAIN,
      keepalive: { enabled: true, idle: 1000, interval: 100, count: 1 },
    });
    c.shutdown(20);
    expectSegments(c, 20, [{ flags: 'F.' }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 30);
    expect(c.state).toBe('FIN_WAIT2');
    expect(c.activeTimer()).toEqual({ kind: 'keepalive', deadline: 1030 });
    c.handleTimeout(1030);
    expectSegments(c, 1030, [{ flags: '.', seq: ISS + 1 }]);
    c.handleTimeout(1130);
    expect(transitions(events(c)).at(-1)).toBe('FIN_WAIT2->CLOSED (keepalive timeout)');
  });
});
