/**
 * The settings that let the engine answer as another RFC-conforming stack does (FreeBSD, for
 * the packetdrill suite) or as RFC 793 did, each off by default; and behaviour the FreeBSD
 * suite showed wrong and that is now fixed for every configuration.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import {
  established,
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

describe('RFC 5961 off (RFC 793 answers)', () => {
  it('synChallenge off: an in-window SYN in ESTABLISHED resets, <SEQ=SND.NXT><ACK=RCV.NXT><RST,ACK>', () => {
    const c = established({ ...PLAIN, synChallenge: false });
    send(c, seg({ flags: 'S', seq: IRS + 100 }), 20);
    expectSegments(c, 20, [{ flags: 'R.', seq: ISS + 1, ack: IRS + 1 }]);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSED (rcv SYN)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });

  it('rstChallenge off: any in-window RST resets; on (default) it draws a challenge ACK', () => {
    const on = established(PLAIN);
    send(on, seg({ flags: 'R', seq: IRS + 100 }), 20);
    expectSegments(on, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(on.state).toBe('ESTABLISHED');
    const off = established({ ...PLAIN, rstChallenge: false });
    send(off, seg({ flags: 'R', seq: IRS + 100 }), 20);
    expectNothing(off, 20);
    expect(events(off).at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });
});

describe('FreeBSD choices', () => {
  it('dropSynFin: a SYN,FIN is dropped unseen (SYN_SENT stays, nothing sent)', () => {
    const c = Connection.connect(0, opts({ ...PLAIN, dropSynFin: true }));
    expectSegments(c, 0, [{ flags: 'S', seq: ISS }]);
    send(c, seg({ flags: 'SF', seq: IRS, options: MSS_1460 }), 10);
    expectNothing(c, 10);
    expect(c.state).toBe('SYN_SENT');
  });

  it('roundBuffersToMss: SO_RCVBUF 65536 becomes 65700 with an MSS of 1460, and grows only', () => {
    const c = established({ ...PLAIN, receiveBufferSize: 65536, roundBuffersToMss: true });
    expect(c.info().receiveBufferSize).toBe(65700);
    expect(c.info().sendBufferSize).toBe(Math.ceil((256 * 1024) / 1460) * 1460);
    const plain = established({ ...PLAIN, receiveBufferSize: 65536 });
    expect(plain.info().receiveBufferSize).toBe(65536);
  });

  it("receiveWindow 'buffer': a segment past the advertised 65535 but inside the buffer is in the window", () => {
    const config = { ...PLAIN, receiveBufferSize: 65700, roundBuffersToMss: true };
    // RCV.NXT + 65700 - 1: outside the advertised window, inside the buffer.
    const edge = IRS + 1 + 65700 - 1;
    const advertised = established(config);
    send(advertised, seg({ flags: 'R', seq: edge }), 20);
    expectNothing(advertised, 20);
    const buffer = established({ ...config, receiveWindow: 'buffer' });
    send(buffer, seg({ flags: 'R', seq: edge }), 20);
    expectSegments(buffer, 20, [{ flags: '.', ack: IRS + 1 }]);
  });

  it('freebsd SYN layout: mss,nop,wscale,sackOK,TS; mss,sackOK,eol with SACK only', () => {
    const c = Connection.connect(
      0,
      opts({ synOptionLayout: 'freebsd', windowScaleShift: 6, receiveBufferSize: 65536 }),
    );
    const [syn] = expectSegments(c, 0, [{ flags: 'S' }]);
    expect(syn.options.map((o) => o.kind)).toEqual([
      'mss',
      'nop',
      'wscale',
      'sack-permitted',
      'timestamp',
    ]);
    const passive = Connection.acceptSyn(
      0,
      seg({ flags: 'S', seq: IRS, options: [...MSS_1460, { kind: 'sack-permitted' }] }),
      opts({ synOptionLayout: 'freebsd' }),
    );
    const [synAck] = expectSegments(passive, 0, [{ flags: 'S.' }]);
    expect(synAck.options.map((o) => o.kind)).toEqual(['mss', 'sack-permitted', 'eol']);
  });
});

describe("timeWaitInput 'freebsd' (tcp_twcheck)", () => {
  function timeWait(
    config: Partial<ConnectionConfig> = { ...PLAIN, timeWaitInput: 'freebsd', msl: 1000 },
  ) {
    const c = established(config);
    c.shutdown(20);
    expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1 }]);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    expect(c.state).toBe('TIME_WAIT');
    return c;
  }

  it('drops what has no ACK bit, in the window or not; the RFC answers one outside it', () => {
    const c = timeWait();
    send(c, seg({ flags: 'F', seq: IRS + 70000 }), 100);
    send(c, seg({ flags: 'S', seq: IRS + 1 }), 110);
    expectNothing(c, 110);
    const rfc = timeWait({ ...PLAIN, msl: 1000 });
    send(rfc, seg({ flags: 'F', seq: IRS + 70000 }), 100);
    expectSegments(rfc, 100, [{ flags: '.', ack: IRS + 2 }]);
  });

  it('acknowledges an ACK-bearing segment anywhere but an exact duplicate; a duplicate FIN restarts 2MSL', () => {
    const c = timeWait();
    send(c, seg({ flags: '.', seq: IRS + 70000, ack: ISS + 2 }), 100);
    expectSegments(c, 100, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 2 }), 200);
    expectNothing(c, 200);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 500);
    expectSegments(c, 500, [{ flags: '.', ack: IRS + 2 }]);
    expect(c.activeTimer()).toEqual({ kind: 'time-wait', deadline: 2500 });
    send(c, seg({ flags: 'R', seq: IRS + 2 }), 600);
    expectNothing(c, 600);
    expect(c.state).toBe('TIME_WAIT');
  });
});

describe('fixed for every configuration', () => {
  it('a full window stays full: after the peer’s FIN the ACK still offers 65535 (not 65534)', () => {
    const c = established(PLAIN);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 2, window: 65535 }]);
  });

  it('text on the SYN of a simultaneous open is delivered once ESTABLISHED (RFC 9293 3.10.7.3)', () => {
    const c = Connection.connect(0, opts(PLAIN));
    expectSegments(c, 0, [{ flags: 'S', seq: ISS }]);
    const data = new Uint8Array([1, 2, 3]);
    send(c, seg({ flags: 'S', seq: IRS, options: MSS_1460, data }), 10);
    expectSegments(c, 10, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
    expect(c.read()).toHaveLength(0);
    send(c, seg({ flags: '.', seq: IRS + 4, ack: ISS + 1 }), 20);
    expect(c.state).toBe('ESTABLISHED');
    expect([...c.read()]).toEqual([1, 2, 3]);
  });
});
