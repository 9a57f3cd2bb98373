import { describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import { firstDifference, flagsOf, pattern } from './helpers.js';
import { Pair, type Side } from './pair.js';

/** Sends `data` from `side`, topping up the send buffer as ACKs free it, until all arrive. */
function transfer(p: Pair, side: Side, data: Uint8Array, limit = 3_600_000): void {
  const other: Side = side === 'a' ? 'b' : 'a';
  const start = p.receivedLength[other];
  let off = 0;
  const c = p.conn(side);
  for (let i = 0; i < 1_000_000; i++) {
    if (off < data.length) off += c.send(data.subarray(off));
    p.flush();
    if (p.receivedLength[other] - start >= data.length) return;
    const t = p.next();
    if (t === undefined || t > limit) break;
    p.run(t);
  }
  throw new Error(`transfer stalled: ${p.receivedLength[other] - start} of ${data.length}`);
}

/** a closes, then b closes once a's FIN is in, then both run out. */
function closeInTurn(p: Pair): void {
  p.conn('a').close(p.now);
  p.flush();
  p.run(p.now + 5000);
  p.conn('b').close(p.now);
  p.flush();
  p.run();
}

function bytes(p: Pair, side: Side): Uint8Array {
  return p.bytes(side);
}

describe('pairs: every transition end to end', () => {
  it('simultaneous open: both SYN_SENT -> SYN_RECV -> ESTABLISHED', () => {
    const p = new Pair().connectBoth().run(1000);
    for (const side of ['a', 'b'] as const) {
      expect(p.transitions(side)).toEqual([
        'CLOSED->SYN_SENT (connect())',
        'SYN_SENT->SYN_RECV (rcv SYN)',
        'SYN_RECV->ESTABLISHED (rcv SYN,ACK)',
      ]);
    }
    expect(p.exchange().slice(0, 4)).toEqual(['a>b S', 'b>a S', 'a>b S.', 'b>a S.']);
    transfer(p, 'a', pattern(10_000));
    expect(firstDifference(bytes(p, 'b'), pattern(10_000))).toBe(-1);
  });

  it('simultaneous close: FIN_WAIT1 -> CLOSING -> TIME_WAIT -> CLOSED on both', () => {
    const p = new Pair({ config: { msl: 1000 } }).connect().run(100);
    p.conn('a').close(p.now);
    p.conn('b').close(p.now);
    p.flush();
    p.run();
    for (const side of ['a', 'b'] as const) {
      expect(p.transitions(side).slice(-4)).toEqual([
        'ESTABLISHED->FIN_WAIT1 (close())',
        'FIN_WAIT1->CLOSING (rcv FIN)',
        'CLOSING->TIME_WAIT (rcv ACK)',
        'TIME_WAIT->CLOSED (2MSL timer)',
      ]);
      expect(p.closedReason(side)).toBe('normal');
    }
  });

  it('half-close: a shuts down, b keeps sending in CLOSE_WAIT, then closes', () => {
    const p = new Pair({ config: { msl: 1000 } }).connect().run(100);
    p.conn('a').shutdown(p.now);
    p.flush();
    p.run(p.now + 100);
    expect(p.state('a')).toBe('FIN_WAIT2');
    expect(p.state('b')).toBe('CLOSE_WAIT');
    transfer(p, 'b', pattern(300_000, 3));
    expect(firstDifference(bytes(p, 'a'), pattern(300_000, 3))).toBe(-1);
    expect(p.state('a')).toBe('FIN_WAIT2');
    p.conn('b').close(p.now);
    p.flush();
    p.run();
    expect(p.transitions('a').slice(-3)).toEqual([
      'FIN_WAIT1->FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2->TIME_WAIT (rcv FIN)',
      'TIME_WAIT->CLOSED (2MSL timer)',
    ]);
    expect(p.transitions('b').slice(-2)).toEqual([
      'CLOSE_WAIT->LAST_ACK (close())',
      'LAST_ACK->CLOSED (rcv ACK)',
    ]);
  });

  it('abort: RST reaches the peer, which ends with reset', () => {
    const p = new Pair().connect().run(100);
    p.conn('a').abort(p.now);
    p.flush();
    p.run();
    expect(p.closedReason('a')).toBe('aborted');
    expect(p.closedReason('b')).toBe('reset');
    expect(p.transitions('b').at(-1)).toBe('ESTABLISHED->CLOSED (rcv RST)');
  });

  it('close() with unread data sends RST', () => {
    const p = new Pair().connect().run(100);
    p.autoRead.b = false;
    p.conn('a').send(pattern(100));
    p.flush();
    p.run(p.now + 100);
    expect(p.conn('b').recvQueue).toBe(100);
    p.conn('b').close(p.now);
    p.flush();
    p.run();
    expect(p.closedReason('b')).toBe('aborted');
    expect(p.closedReason('a')).toBe('reset');
  });

  it('connect to a peer that refuses: refused', () => {
    const p = new Pair().connect();
    // No acceptSyn on b: answer the SYN with RST,ACK as a stack without a listener would.
    const syn = p.flight.shift()?.seg;
    expect(syn?.flags.syn).toBe(true);
    p.conn('a').handleSegment(10, {
      ...(syn as NonNullable<typeof syn>),
      srcPort: 80,
      dstPort: 40000,
      seq: 0,
      ack: ((syn?.seq ?? 0) + 1) >>> 0,
      flags: { ...(syn as NonNullable<typeof syn>).flags, syn: false, rst: true, ack: true },
      options: [],
    });
    p.flush();
    expect(p.closedReason('a')).toBe('refused');
  });
});

describe('pairs: data transfer under loss and reordering', () => {
  const lossy = (every: number, skipFirst = 3) => {
    let n = 0;
    return (_from: Side, seg: { payload: Uint8Array }) => {
      if (seg.payload.byteLength === 0) return true;
      n++;
      return n <= skipFirst || n % every !== 0;
    };
  };

  const configs: Array<[string, Partial<ConnectionConfig>]> = [
    ['defaults (wscale, timestamps, SACK, delayed ACK)', {}],
    ['no options', { windowScale: false, timestamps: false, sack: false }],
    ['small buffers', { sendBufferSize: 8192, receiveBufferSize: 4096 }],
  ];

  for (const [name, config] of configs) {
    it(`every 7th data segment lost, ${name}: all bytes arrive in order`, () => {
      const p = new Pair({ config }).connect().run(100);
      p.filter = lossy(7);
      const data = pattern(400_000, 11);
      transfer(p, 'a', data);
      expect(firstDifference(bytes(p, 'b'), data)).toBe(-1);
      expect(p.conn('a').stats.retransmits).toBeGreaterThan(0);
    });
  }

  it('a burst loss of many segments recovers (SACK, then RTO if needed)', () => {
    const p = new Pair().connect().run(100);
    let n = 0;
    p.filter = (_f, seg) => {
      if (seg.payload.byteLength === 0) return true;
      n++;
      return n < 20 || n > 26;
    };
    transfer(p, 'a', pattern(200_000));
    expect(firstDifference(bytes(p, 'b'), pattern(200_000))).toBe(-1);
  });

  it('reordering (every 5th segment delayed) delivers in order', () => {
    const p = new Pair().connect().run(100);
    let n = 0;
    const orig = p.filter;
    p.filter = (from, seg) => {
      n++;
      if (seg.payload.byteLength > 0 && n % 5 === 0) {
        p.flight.push({ at: p.now + 25, to: from === 'a' ? 'b' : 'a', seg });
        return false;
      }
      return orig(from, seg);
    };
    transfer(p, 'a', pattern(200_000));
    expect(firstDifference(bytes(p, 'b'), pattern(200_000))).toBe(-1);
  });

  it('lost FIN and lost final ACK are recovered by retransmission', () => {
    const p = new Pair({ config: { msl: 1000 } }).connect().run(100);
    let dropped = 0;
    p.filter = (_from, seg) => {
      if (seg.flags.fin && dropped === 0) {
        dropped++;
        return false;
      }
      return true;
    };
    closeInTurn(p);
    expect(dropped).toBe(1);
    expect(p.closedReason('a')).toBe('normal');
    expect(p.closedReason('b')).toBe('normal');
  });

  it('final ACK always lost, FIN sent again after 2MSL: the peer has no TCB and resets LAST_ACK', () => {
    // RFC 9293 3.6: TIME_WAIT guards the last ACK for 2MSL only. b's FIN retransmissions back
    // off (RFC 6298 5.5) until one comes more than 2MSL (2 s) after the last one a got; a's
    // CLOSED answers RST (RFC 9293 3.10.7.1), which LAST_ACK takes (RFC 9293 3.10.7.4).
    const p = new Pair({ config: { msl: 1000 } }).connect().run(100);
    p.filter = (from, seg) => !(from === 'a' && p.state('a') === 'TIME_WAIT' && !seg.flags.rst);
    closeInTurn(p);
    expect(p.transitions('a').slice(-2)).toEqual([
      'FIN_WAIT2->TIME_WAIT (rcv FIN)',
      'TIME_WAIT->CLOSED (2MSL timer)',
    ]);
    expect(p.transitions('b').at(-1)).toBe('LAST_ACK->CLOSED (rcv RST)');
    expect([p.closedReason('a'), p.closedReason('b')]).toEqual(['normal', 'reset']);
    const tail = p.log.slice(-2);
    expect(tail.map((l) => `${l.from} ${flagsOf(l.seg)}`)).toEqual(['b F.', 'a R']);
    const timeWaitEnd = p.eventsOf.a.find((e) => e.type === 'state' && e.to === 'CLOSED');
    expect(timeWaitEnd?.type === 'state' && tail[1].at > timeWaitEnd.time).toBe(true);
  });
});

describe('pairs: sequence wraparound and determinism', () => {
  it('1 MiB each way across 2^32 with loss', () => {
    const p = new Pair({ issA: 0xffff_0000, issB: 0xfff0_0000 }).connect().run(100);
    p.filter = (() => {
      let n = 0;
      return (_f: Side, seg: { payload: Uint8Array }) =>
        seg.payload.byteLength === 0 || ++n % 13 !== 0;
    })();
    const up = pattern(1 << 20, 5);
    const down = pattern(1 << 20, 6);
    transfer(p, 'a', up);
    transfer(p, 'b', down);
    expect(firstDifference(bytes(p, 'b'), up)).toBe(-1);
    expect(firstDifference(bytes(p, 'a'), down)).toBe(-1);
    const info = p.conn('a').info();
    // Both sequence spaces wrapped.
    expect(info.sndNxt).toBeLessThan(0xffff_0000);
    expect(info.rcvNxt).toBeLessThan(0xfff0_0000);
  });

  it('the same inputs give the same exchange, segment for segment', () => {
    const run = () => {
      const p = new Pair().connect().run(100);
      let n = 0;
      p.filter = (_f, seg) => seg.payload.byteLength === 0 || ++n % 9 !== 0;
      transfer(p, 'a', pattern(100_000));
      p.conn('a').close(p.now);
      p.flush();
      p.run();
      return p.log.map(
        (l) =>
          `${l.at} ${l.from} ${l.seg.seq} ${l.seg.ack} ${l.seg.window} ${l.seg.payload.byteLength}`,
      );
    };
    const first = run();
    expect(first.length).toBeGreaterThan(80);
    expect(run()).toEqual(first);
  });
});
