import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import type { TcpOption } from '../../src/wire/types.js';
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

function synRecv(config = PLAIN, options: TcpOption[] = MSS_1460): Connection {
  const c = Connection.acceptSyn(0, seg({ flags: 'S', seq: IRS, options }), opts(config));
  expectSegments(c, 0, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
  expect(transitions(events(c))).toEqual(['LISTEN->SYN_RECV (rcv SYN)']);
  return c;
}

describe('SYN_RECV (passive open via acceptSyn)', () => {
  it('SYN,ACK answers only the options the SYN carried', () => {
    const full = Connection.acceptSyn(
      3,
      seg({
        flags: 'S',
        seq: IRS,
        options: [
          { kind: 'mss', value: 1400 },
          { kind: 'sack-permitted' },
          { kind: 'timestamp', value: 777, echo: 0 },
          { kind: 'nop' },
          { kind: 'wscale', shift: 7 },
        ],
      }),
      opts({}),
    );
    expectSegments(full, 3, [
      {
        flags: 'S.',
        options: [
          { kind: 'mss', value: 1460 },
          { kind: 'sack-permitted' },
          { kind: 'timestamp', value: 3, echo: 777 },
          { kind: 'nop' },
          { kind: 'wscale', shift: 3 },
        ],
      },
    ]);
    const bare = Connection.acceptSyn(3, seg({ flags: 'S', seq: IRS }), opts({}));
    expectSegments(bare, 3, [{ flags: 'S.', options: [{ kind: 'mss', value: 1460 }] }]);
  });

  it('ACK of our SYN: ESTABLISHED (cause rcv ACK), nothing sent', () => {
    const c = synRecv();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 10);
    expectNothing(c, 10);
    expect(transitions(events(c))).toEqual(['SYN_RECV->ESTABLISHED (rcv ACK)']);
  });

  it('ACK with data: ESTABLISHED and the data delivered', () => {
    const c = synRecv();
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 10);
    expectSegments(c, 10, [{ flags: '.', ack: IRS + 11 }]);
    expect(c.recvQueue).toBe(10);
  });

  it('bad ACK: RST <SEQ=SEG.ACK>, stays in SYN_RECV', () => {
    const c = synRecv();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 50 }), 10);
    // RFC 5961 5.2 runs first in the ACK step for synchronized states; SYN_RECV answers RST.
    expectSegments(c, 10, [{ flags: 'R', seq: ISS + 50 }]);
    expect(c.state).toBe('SYN_RECV');
  });

  it('the SYN again (our SYN,ACK was lost): SYN,ACK again', () => {
    const c = synRecv();
    send(c, seg({ flags: 'S', seq: IRS, options: MSS_1460 }), 10);
    expectSegments(c, 10, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
  });

  it('a SYN with another ISN: challenge ACK (RFC 5961 4)', () => {
    const c = synRecv();
    send(c, seg({ flags: 'S', seq: IRS + 100 }), 10);
    expectSegments(c, 10, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
  });

  it('RST exact: CLOSED, reason reset (the listener stays in stack/)', () => {
    const c = synRecv();
    send(c, seg({ flags: 'R', seq: IRS + 1 }), 10);
    expectNothing(c, 10);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['SYN_RECV->CLOSED (rcv RST)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });

  it('RST in window but not exact: challenge ACK', () => {
    const c = synRecv();
    send(c, seg({ flags: 'R', seq: IRS + 10 }), 10);
    expectSegments(c, 10, [{ flags: '.', ack: IRS + 1 }]);
  });

  it('out-of-window data: ACK', () => {
    const c = synRecv();
    send(c, seg({ flags: '.', seq: IRS + 100_000, ack: ISS + 1, data: 5 }), 10);
    expectSegments(c, 10, [{ flags: '.', ack: IRS + 1 }]);
    expect(c.state).toBe('SYN_RECV');
  });

  it('FIN with the ACK: ESTABLISHED then CLOSE_WAIT', () => {
    const c = synRecv();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 10);
    expectSegments(c, 10, [{ flags: '.', ack: IRS + 2 }]);
    expect(transitions(events(c))).toEqual([
      'SYN_RECV->ESTABLISHED (rcv ACK)',
      'ESTABLISHED->CLOSE_WAIT (rcv FIN)',
    ]);
  });

  it('SYN,ACK retransmitted on timeout; synRetries then timeout', () => {
    const c = synRecv({ ...PLAIN, synRetries: 2 });
    c.handleTimeout(1000);
    expectSegments(c, 1000, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
    c.handleTimeout(3000);
    expectSegments(c, 3000, [{ flags: 'S.' }]);
    c.handleTimeout(7000);
    expectNothing(c, 7000);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
  });

  it('abort(): RST and CLOSED, reason aborted', () => {
    const c = synRecv();
    c.abort(5);
    expectSegments(c, 5, [{ flags: 'R.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'aborted' });
  });
});

describe('acceptSyn (LISTEN -> SYN_RECV)', () => {
  it('data on the SYN is not acknowledged (the peer sends it again after the handshake)', () => {
    const c = Connection.acceptSyn(0, seg({ flags: 'S', seq: IRS, data: 20 }), opts());
    expectSegments(c, 0, [{ flags: 'S.', seq: ISS, ack: IRS + 1, len: 0 }]);
    expect(c.recvQueue).toBe(0);
  });

  it('answers with the configured window (at most 65535, unscaled) and MSS', () => {
    const c = Connection.acceptSyn(
      0,
      seg({ flags: 'S', seq: IRS }),
      opts({ ...PLAIN, receiveBufferSize: 4000, mss: 1200 }),
    );
    expectSegments(c, 0, [{ flags: 'S.', window: 4000, options: [{ kind: 'mss', value: 1200 }] }]);
    expect(c.info()).toMatchObject({ state: 'SYN_RECV', iss: ISS, irs: IRS, rcvNxt: IRS + 1 });
  });
});
