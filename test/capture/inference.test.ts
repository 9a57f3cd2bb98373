/**
 * Connections built packet by packet, with what a passive observer must conclude from them:
 * both sides' states and causes, the uncertainty it owns up to, and the findings.
 */
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type ConnectionReport } from '../../src/capture/index.js';
import { ACK, Conversation, ethernet, FIN, PSH, pcapng, RST, SYN, sll2 } from './build.js';

function analyse(c: Conversation): ConnectionReport[] {
  const r = analyzeCapture('test', c.pcap());
  expect(r.problem).toBeUndefined();
  return r.connections;
}

function states(r: ConnectionReport, side: 'a' | 'b'): string[] {
  return r.events.flatMap((e) =>
    e.type === 'state' && e.side === side ? [`${e.from}>${e.to} (${e.cause})`] : [],
  );
}

const codes = (r: ConnectionReport) => r.summary.findings.map((f) => `${f.side ?? '-'}:${f.code}`);

function open(c: Conversation, rtt = 10): Conversation {
  c.send('a', SYN, 0, { wscale: 7 });
  c.at(rtt).send('b', SYN | ACK, 0, { wscale: 7 });
  c.at(0.05).send('a', ACK);
  return c;
}

describe('passive inference of both endpoints', () => {
  it('a normal close: a closes first, b follows; times in each state', () => {
    const c = open(new Conversation());
    c.at(5).send('a', PSH | ACK, 100);
    c.at(10).send('b', ACK);
    c.at(1000).send('a', FIN | ACK);
    c.at(10).send('b', ACK);
    c.at(20).send('b', FIN | ACK);
    c.at(10).send('a', ACK);
    const [r] = analyse(c);
    expect(states(r, 'a')).toEqual([
      'CLOSED>SYN_SENT (connect())',
      'SYN_SENT>ESTABLISHED (rcv SYN,ACK)',
      'ESTABLISHED>FIN_WAIT1 (close())',
      'FIN_WAIT1>FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2>TIME_WAIT (rcv FIN)',
    ]);
    expect(states(r, 'b')).toEqual([
      'LISTEN>SYN_RECV (rcv SYN)',
      'SYN_RECV>ESTABLISHED (rcv ACK)',
      'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
    expect(r.final).toEqual({ a: 'TIME_WAIT', b: 'CLOSED' });
    expect(r.a).toBe('10.1.0.1:40000');
    const est = r.summary.a.states.find((s) => s.state === 'ESTABLISHED');
    expect(est?.ms).toBeCloseTo(1015.05, 2);
    expect(r.summary.a.states.at(-1)).toMatchObject({ state: 'TIME_WAIT', open: true });
    expect(codes(r)).toContain('a:closed-first');
    expect(r.summary.zeek).toEqual({ conn_state: 'SF', history: 'ShADaFf' });
    // The capture was near a: the SYN,ACK a round trip after the SYN, the ACK at once.
    expect(r.summary.capturePoint).toMatchObject({ near: 'a' });
  });

  it('near the server the SYN,ACK follows the SYN at once', () => {
    const c = new Conversation();
    c.send('a', SYN);
    c.at(0.05).send('b', SYN | ACK);
    c.at(30).send('a', ACK);
    const [r] = analyse(c);
    expect(r.summary.capturePoint).toMatchObject({ near: 'b' });
    expect(codes(r)).toContain('b:capture-point');
  });

  it('a segment that fills the receiver’s advertised window (Wireshark’s "window full")', () => {
    const c = new Conversation();
    c.send('a', SYN);
    c.at(10).send('b', SYN | ACK, 0, { win: 1000 });
    c.at(0.05).send('a', ACK);
    c.at(1).send('a', PSH | ACK, 600);
    c.at(1).send('a', PSH | ACK, 400);
    const [r] = analyse(c);
    expect(r.summary.a.windowFull).toBe(1);
    expect(codes(r)).toContain('a:window-full');
  });

  it('a FIN the capture never shows acknowledged', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.at(200).send('a', FIN | ACK, 0, { seq: 1001 });
    const [r] = analyse(c);
    expect(r.final).toEqual({ a: 'FIN_WAIT1', b: 'ESTABLISHED' });
    expect(codes(r)).toContain('a:fin-unacknowledged');
    expect(r.summary.a.retransmissions).toBe(1);
  });

  it('a capture that starts mid-connection assumes ESTABLISHED and says so', () => {
    const c = new Conversation();
    c.send('b', PSH | ACK, 500, { ack: 1000 });
    c.at(1).send('a', ACK, 0);
    c.at(10).send('b', FIN | ACK);
    c.at(1).send('a', FIN | ACK);
    c.at(1).send('b', ACK);
    const [r] = analyse(c);
    // a is the first packet's sender when no SYN was seen.
    expect(r.a).toBe('10.1.0.2:80');
    expect(r.summary.a.initial).toEqual({ state: 'ESTABLISHED', assumed: true });
    expect(r.events[0]).toMatchObject({
      type: 'note',
      text: expect.stringMatching(/ESTABLISHED \(assumed/),
    });
    expect(states(r, 'a')[0]).toBe('ESTABLISHED>FIN_WAIT1 (close())');
    expect(r.summary.zeek.conn_state).toBe('OTH');
  });

  it('a refused connect: RST,ACK to the SYN', () => {
    const c = new Conversation();
    c.send('a', SYN);
    c.at(0.1).send('b', RST | ACK, 0, { seq: 0, ack: 1001 });
    const [r] = analyse(c);
    expect(states(r, 'a')).toEqual(['CLOSED>SYN_SENT (connect())', 'SYN_SENT>CLOSED (rcv RST)']);
    expect(states(r, 'b')).toEqual([]);
    expect(codes(r)).toContain('b:refused');
    expect(r.summary.zeek.conn_state).toBe('REJ');
  });

  it('a SYN nobody answers', () => {
    const c = new Conversation();
    c.send('a', SYN);
    c.at(1000).send('a', SYN, 0, { seq: 1000 });
    c.at(2000).send('a', SYN, 0, { seq: 1000 });
    const [r] = analyse(c);
    expect(codes(r)).toContain('a:syn-unanswered');
    expect(r.summary.a.retransmissions).toBe(2);
    expect(r.summary.zeek.conn_state).toBe('S0');
    expect(r.final.a).toBe('SYN_SENT');
  });

  it('a lost FIN: the receiver changes state with the copy it acknowledged', () => {
    const c = open(new Conversation());
    c.at(100).send('a', FIN | ACK); // lost
    c.at(200).send('a', FIN | ACK, 0, { seq: 1001 });
    c.at(10).send('b', ACK);
    const [r] = analyse(c);
    const closeWait = r.events.find((e) => e.type === 'state' && e.to === 'CLOSE_WAIT');
    expect(closeWait?.time).toBe(c.packets[4].timeMs);
    expect(r.summary.a.retransmissions).toBe(1);
  });

  it('a lost last ACK: taken back when the FIN comes again, then taken again', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.at(1).send('b', ACK);
    c.at(1).send('b', FIN | ACK);
    c.at(1).send('a', ACK); // seen here, lost after the capture point
    c.at(200).send('b', FIN | ACK, 0, { seq: 900001 });
    c.at(1).send('a', ACK);
    const [r] = analyse(c);
    expect(states(r, 'b').slice(-2)).toEqual([
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
    const closed = r.events.find((e) => e.type === 'state' && e.side === 'b' && e.to === 'CLOSED');
    expect(closed?.time).toBe(c.packets.at(-1)?.timeMs);
    expect(r.events.filter((e) => e.type === 'segment' && e.fate === 'lost')).toHaveLength(1);
    expect(codes(r)).toContain('-:lost-ack');
  });

  it('simultaneous close', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.send('b', FIN | ACK, 0, { ack: 1001 });
    c.at(1).send('a', ACK);
    c.send('b', ACK);
    const [r] = analyse(c);
    for (const side of ['a', 'b'] as const) {
      expect(states(r, side).slice(-3)).toEqual([
        'ESTABLISHED>FIN_WAIT1 (close())',
        'FIN_WAIT1>CLOSING (rcv FIN)',
        'CLOSING>TIME_WAIT (rcv ACK)',
      ]);
    }
    expect(codes(r)).toContain('-:simultaneous-close');
  });

  it('a FIN that acknowledges the other FIN: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT, as RFC 9293 3.10.7.4 and Linux take it', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.at(1).send('b', FIN | ACK);
    c.at(1).send('a', ACK);
    const [r] = analyse(c);
    expect(states(r, 'a').slice(-2)).toEqual([
      'FIN_WAIT1>FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2>TIME_WAIT (rcv FIN)',
    ]);
    expect(states(r, 'b').slice(-3)).toEqual([
      'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
  });

  it('a CLOSE_WAIT that lingers to the end of the capture', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.at(1).send('b', ACK);
    c.at(30_000).send('b', PSH | ACK, 10);
    c.at(1).send('a', RST, 0, { seq: 1002 });
    const [r] = analyse(c);
    const leak = r.summary.findings.find((f) => f.code === 'close-wait');
    expect(leak).toMatchObject({ side: 'b' });
    expect(states(r, 'a').at(-1)).toBe('FIN_WAIT2>CLOSED (rcv data after close())');
    expect(codes(r)).toContain('a:rst-after-fin');
  });

  it('a RST in TIME_WAIT', () => {
    const c = open(new Conversation());
    c.at(10).send('a', FIN | ACK);
    c.at(1).send('b', FIN | ACK);
    c.at(1).send('a', ACK);
    c.at(5).send('b', RST, 0, { seq: 900002 });
    const [r] = analyse(c);
    expect(states(r, 'a').at(-1)).toBe('TIME_WAIT>CLOSED (rcv RST)');
    expect(codes(r)).toContain('a:rst-in-time-wait');
  });

  it('ignores a RST outside the window (a blind reset)', () => {
    const c = open(new Conversation());
    c.at(10).send('b', RST, 0, { seq: 5 });
    const [r] = analyse(c);
    expect(r.final.a).toBe('ESTABLISHED');
    expect(r.final.b).toBe('CLOSED');
  });

  it('a new SYN on the same ports after TIME_WAIT: a second connection, port reuse flagged', () => {
    const c = open(new Conversation());
    c.at(10).send('b', FIN | ACK);
    c.at(1).send('a', ACK);
    c.at(1).send('a', FIN | ACK);
    c.at(1).send('b', ACK);
    c.at(5000).send('a', SYN, 0, { seq: 777 });
    c.at(1).send('b', SYN | ACK, 0, { seq: 5555, ack: 778 });
    c.at(1).send('a', ACK, 0, { seq: 778, ack: 5556 });
    const [first, second] = analyse(c);
    expect(states(first, 'b').at(-1)).toBe('TIME_WAIT>CLOSED (rcv SYN)');
    expect(second.final).toEqual({ a: 'ESTABLISHED', b: 'ESTABLISHED' });
    expect(second.summary.findings.find((f) => f.code === 'port-reuse')?.text).toMatch(
      /TIME_WAIT still held them/,
    );
  });

  it('counts retransmissions, duplicate ACKs, zero windows, and bytes the capture missed', () => {
    const c = open(new Conversation());
    c.at(1).send('a', PSH | ACK, 100);
    c.at(1).send('a', PSH | ACK, 100);
    c.unseen(); // the capture misses this one
    c.at(1).send('a', PSH | ACK, 100);
    c.at(1).send('b', ACK, 0, { ack: 1101 });
    c.at(1).send('b', ACK, 0, { ack: 1101 });
    c.at(1).send('b', ACK, 0, { ack: 1101 });
    c.at(1).send('a', PSH | ACK, 100, { seq: 1101 });
    c.at(1).send('b', ACK, 0, { ack: 1301, win: 0 });
    const [r] = analyse(c);
    expect(r.summary.a.retransmissions).toBe(1);
    expect(r.summary.b.dupAcks).toBe(2);
    expect(r.summary.b.zeroWindows).toBe(1);
    expect(codes(r)).toEqual(
      expect.arrayContaining(['a:retransmissions', 'b:dup-acks', 'b:zero-window']),
    );
    expect(r.summary.zeek.history).toContain('T');
    expect(r.summary.zeek.history).toContain('w');
  });

  it('flags an ACK for data the capture never showed', () => {
    const c = open(new Conversation());
    c.at(1).send('a', PSH | ACK, 100);
    c.unseen();
    c.at(1).send('b', ACK);
    const [r] = analyse(c);
    expect(r.summary.b.missedBytes).toBe(100);
    expect(codes(r)).toContain('a:missed');
    expect(r.summary.zeek.history).toContain('G');
  });

  it('tells IPv6 connections apart and names them in brackets', () => {
    const c = open(
      new Conversation(
        { a: '2001:db8::1', b: '2001:db8::2' },
        { a: 5000, b: 443 },
        { a: 1, b: 2 },
        true,
      ),
    );
    const [r] = analyse(c);
    expect(r.a).toBe('[2001:db8::1]:5000');
    expect(r.final).toEqual({ a: 'ESTABLISHED', b: 'ESTABLISHED' });
  });

  it('a SYN,ACK seen first: the client’s SYN is assumed, Zeek flips (^)', () => {
    const c = open(new Conversation());
    c.packets.shift();
    const [r] = analyse(c);
    expect(r.a).toBe('10.1.0.1:40000');
    expect(r.summary.a.initial).toEqual({ state: 'SYN_SENT', assumed: true });
    expect(states(r, 'b')).toEqual(['LISTEN>SYN_RECV (rcv SYN)', 'SYN_RECV>ESTABLISHED (rcv ACK)']);
    expect(r.summary.zeek.history.startsWith('^')).toBe(true);
  });

  it('a mid-stream capture in pcapng, over SLL2 and QinQ-tagged Ethernet interfaces', () => {
    const c = new Conversation();
    c.send('a', PSH | ACK, 200, { ack: 900000 });
    c.at(1).send('b', ACK);
    c.at(5).send('a', FIN | ACK);
    c.at(1).send('b', FIN | ACK);
    c.at(1).send('a', ACK);
    const bytes = pcapng([
      {
        interfaces: [{ linktype: 276 }, { linktype: 1, tsresol: 9 }],
        packets: c.packets.map((p, i) => ({
          ...p,
          data: i % 2 ? ethernet(p.data, [0x88a8, 0x8100]) : sll2(p.data),
          iface: i % 2,
        })),
      },
    ]);
    const r = analyzeCapture('mixed', bytes);
    expect(r.problem).toBeUndefined();
    expect(r.counts).toMatchObject({ frames: 5, tcp: 5 });
    const [conn] = r.connections;
    expect(conn.summary.a.initial).toEqual({ state: 'ESTABLISHED', assumed: true });
    expect(states(conn, 'a')).toEqual([
      'ESTABLISHED>FIN_WAIT1 (close())',
      'FIN_WAIT1>FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2>TIME_WAIT (rcv FIN)',
    ]);
    expect(states(conn, 'b')).toEqual([
      'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
  });
});
