import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import {
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  MSS_1460,
  opts,
  PLAIN,
  seg,
  send,
  transitions,
} from './helpers.js';

function synSent(config = PLAIN): Connection {
  const c = Connection.connect(0, opts(config));
  expectSegments(c, 0, [{ flags: 'S', seq: ISS }]);
  expect(transitions(events(c))).toEqual(['CLOSED->SYN_SENT (connect())']);
  return c;
}

describe('SYN_SENT', () => {
  it('connect(): CLOSED -> SYN_SENT, SYN with Linux option order', () => {
    const c = Connection.connect(5, opts({ tsOffset: 100 }));
    expectSegments(c, 5, [
      {
        flags: 'S',
        seq: ISS,
        ack: 0,
        window: 65535,
        options: [
          { kind: 'mss', value: 1460 },
          { kind: 'sack-permitted' },
          { kind: 'timestamp', value: 105, echo: 0 },
          { kind: 'nop' },
          { kind: 'wscale', shift: 3 },
        ],
      },
    ]);
    expect(transitions(events(c))).toEqual(['CLOSED->SYN_SENT (connect())']);
  });

  it('SYN with FreeBSD option order', () => {
    const c = Connection.connect(0, opts({ synOptionLayout: 'freebsd', windowScaleShift: 6 }));
    expectSegments(c, 0, [
      {
        flags: 'S',
        options: [
          { kind: 'mss', value: 1460 },
          { kind: 'nop' },
          { kind: 'wscale', shift: 6 },
          { kind: 'sack-permitted' },
          { kind: 'timestamp', value: 0, echo: 0 },
        ],
      },
    ]);
  });

  it('SYN,ACK acking our SYN: ACK, ESTABLISHED (cause rcv SYN,ACK)', () => {
    const c = synSent();
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, options: MSS_1460 }), 10);
    expectSegments(c, 10, [{ flags: '.', seq: ISS + 1, ack: IRS + 1, window: 65535 }]);
    expect(transitions(events(c))).toEqual(['SYN_SENT->ESTABLISHED (rcv SYN,ACK)']);
    expect(c.info()).toMatchObject({ irs: IRS, sndUna: ISS + 1, rcvNxt: IRS + 1, mss: 1460 });
  });

  it('SYN,ACK with an unacceptable ACK: RST <SEQ=SEG.ACK>, stays in SYN_SENT', () => {
    const c = synSent();
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 7 }), 10);
    expectSegments(c, 10, [{ flags: 'R', seq: ISS + 7 }]);
    send(c, seg({ flags: '.', seq: IRS, ack: ISS }), 10);
    expectSegments(c, 10, [{ flags: 'R', seq: ISS }]);
    expect(c.state).toBe('SYN_SENT');
  });

  it('RST acking our SYN: CLOSED, reason refused', () => {
    const c = synSent();
    send(c, seg({ flags: 'R.', seq: 0, ack: ISS + 1 }), 10);
    expectNothing(c, 10);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['SYN_SENT->CLOSED (rcv RST)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'refused' });
  });

  it('RST without ACK, or with a bad ACK: ignored', () => {
    const c = synSent();
    send(c, seg({ flags: 'R', seq: IRS }), 10);
    send(c, seg({ flags: 'R.', seq: IRS, ack: ISS + 9 }), 10);
    expectNothing(c, 10);
    expect(c.state).toBe('SYN_SENT');
  });

  it('bare SYN (simultaneous open): SYN_RECV, SYN,ACK on our ISS', () => {
    const c = synSent();
    send(c, seg({ flags: 'S', seq: IRS, options: MSS_1460 }), 10);
    expectSegments(c, 10, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
    expect(transitions(events(c))).toEqual(['SYN_SENT->SYN_RECV (rcv SYN)']);
    // The peer's SYN,ACK completes it.
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1 }), 20);
    expect(transitions(events(c))).toEqual(['SYN_RECV->ESTABLISHED (rcv SYN,ACK)']);
  });

  it('a plain ACK (no SYN) with acceptable ack: dropped', () => {
    const c = synSent();
    send(c, seg({ flags: '.', seq: IRS, ack: ISS + 1 }), 10);
    expectNothing(c, 10);
    expect(c.state).toBe('SYN_SENT');
  });

  it('FIN or data without SYN: dropped', () => {
    const c = synSent();
    send(c, seg({ flags: 'F', seq: IRS }), 10);
    send(c, seg({ flags: '', seq: IRS, data: 10 }), 10);
    expectNothing(c, 10);
  });

  it('SYN retransmitted with exponential backoff; synRetries then timeout', () => {
    const c = synSent({ ...PLAIN, synRetries: 3 });
    const times: number[] = [];
    const open = (): boolean => c.state !== 'CLOSED';
    for (let i = 0; i < 10 && open(); i++) {
      const t = c.pollTimeout() as number;
      c.handleTimeout(t);
      times.push(t);
      if (open()) expectSegments(c, t, [{ flags: 'S', seq: ISS }]);
    }
    expect(times).toEqual([1000, 3000, 7000, 15000]);
    const evs = events(c);
    expect(transitions(evs).at(-1)).toBe('SYN_SENT->CLOSED (retransmission limit)');
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
    expect(c.stats.retransmits).toBe(3);
  });

  it('no options on the SYN,ACK: MSS 536, no scaling, no timestamps, no SACK', () => {
    const c = Connection.connect(0, opts({}));
    expectSegments(c, 0, [{ flags: 'S' }]);
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, window: 5000 }), 10);
    expectSegments(c, 10, [{ flags: '.', options: [] }]);
    expect(c.info()).toMatchObject({
      mss: 536,
      sndWndScale: 0,
      rcvWndScale: 0,
      timestamps: false,
      sackPermitted: false,
      sndWnd: 5000,
    });
  });

  it('close() in SYN_SENT: CLOSED without RST', () => {
    const c = synSent();
    c.close(5);
    expectNothing(c, 5);
    expect(transitions(events(c))).toEqual(['SYN_SENT->CLOSED (close())']);
  });

  it('shutdown() in SYN_SENT queues the FIN until ESTABLISHED', () => {
    const c = synSent();
    c.send(new Uint8Array([1, 2, 3]));
    c.shutdown(5);
    expect(c.state).toBe('SYN_SENT');
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, options: MSS_1460 }), 10);
    expectSegments(c, 10, [{ flags: 'FP.', seq: ISS + 1, ack: IRS + 1, len: 3 }]);
    expect(transitions(events(c))).toEqual([
      'SYN_SENT->ESTABLISHED (rcv SYN,ACK)',
      'ESTABLISHED->FIN_WAIT1 (shutdown())',
    ]);
  });
});

describe('SYN_SENT: simultaneous open is no retransmission', () => {
  it('the SYN,ACK answering a bare SYN keeps the full initial window and counts no retransmit', () => {
    const c = Connection.connect(0, opts());
    expectSegments(c, 0, [{ flags: 'S' }]);
    send(c, seg({ flags: 'S', seq: IRS, options: MSS_1460 }), 10);
    expectSegments(c, 10, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 20);
    expect(c.state).toBe('ESTABLISHED');
    expect(c.stats.retransmits).toBe(0);
    expect(c.info().cwnd).toBe(10 * 1460);
  });
});
