/**
 * The connection table and what a big capture keeps: thousands of interleaved connections
 * (IPv4 and IPv6, sharing ports and differing in one address byte) each told apart, both
 * directions found, and what is kept per connection bounded whatever the packets.
 */
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type ConnectionReport } from '../../src/capture/index.js';
import { ACK, Conversation, classicPcap, FIN, PSH, SYN } from './build.js';

const states = (r: ConnectionReport, side: 'a' | 'b') =>
  r.events.flatMap((e) => (e.type === 'state' && e.side === side ? [`${e.from}>${e.to}`] : []));

/** A whole connection: handshake, data each way, a closes first. */
function story(c: Conversation): Conversation {
  c.send('a', SYN);
  c.at(1).send('b', SYN | ACK);
  c.at(1).send('a', ACK);
  c.at(1).send('a', PSH | ACK, 100);
  c.at(1).send('b', PSH | ACK, 200);
  c.at(1).send('a', FIN | ACK);
  c.at(1).send('b', FIN | ACK);
  c.at(1).send('a', ACK);
  return c;
}

describe('the connection table', () => {
  it('keeps 4,000 interleaved IPv4 and IPv6 connections apart, both directions each', () => {
    const conversations: Conversation[] = [];
    for (let i = 0; i < 2000; i++) {
      // The same server port everywhere; client ports repeat across addresses.
      const port = { a: 40000 + (i % 7), b: 443 };
      const iss = { a: i * 1000, b: i * 7777 };
      conversations.push(
        story(new Conversation({ a: `10.0.${i >> 8}.${i & 0xff}`, b: '10.9.9.9' }, port, iss)),
      );
      conversations.push(
        story(
          new Conversation(
            { a: `2001:db8::${(i + 1).toString(16)}`, b: '2001:db8::ffff' },
            port,
            iss,
            true,
          ),
        ),
      );
    }
    // Round-robin: packet k of every connection, then packet k + 1 of every connection.
    const packets = [];
    for (let k = 0; k < 8; k++) for (const c of conversations) packets.push(c.packets[k]);
    const r = analyzeCapture('many', classicPcap(packets));
    expect(r.problem).toBeUndefined();
    expect(r.connections).toHaveLength(4000);
    for (const c of r.connections) {
      expect(c.summary.packets).toBe(8);
      expect(c.summary.a.packets).toBe(5);
      expect(c.summary.b.packets).toBe(3);
      expect(c.summary.a.bytes).toBe(100);
      expect(c.summary.b.bytes).toBe(200);
      expect(c.final).toEqual({ a: 'TIME_WAIT', b: 'CLOSED' });
    }
    expect(r.connections[1].a).toBe('[2001:db8::1]:40000');
    expect(r.connections[3998].a).toBe('10.0.7.207:40004');
  });

  it('a new SYN with a new ISN on the ports of an ended connection is a new connection', () => {
    const first = story(new Conversation());
    const second = story(new Conversation(undefined, undefined, { a: 5_000_000, b: 1 }));
    const r = analyzeCapture('again', classicPcap([...first.packets, ...second.packets]));
    expect(r.connections.map((c) => c.final)).toEqual([
      { a: 'TIME_WAIT', b: 'CLOSED' },
      { a: 'TIME_WAIT', b: 'CLOSED' },
    ]);
  });
});

describe('what a big capture keeps', () => {
  it('segmentsFor: only the connections asked for keep segments; all keep states', () => {
    const a = story(new Conversation({ a: '10.1.0.1', b: '10.1.0.2' }));
    const b = story(new Conversation({ a: '10.1.0.3', b: '10.1.0.2' }));
    const r = analyzeCapture('pick', classicPcap([...a.packets, ...b.packets]), {
      segmentsFor: (c) => c.a === '10.1.0.3:40000',
    });
    const segments = (c: ConnectionReport) => c.events.filter((e) => e.type === 'segment').length;
    expect(r.connections.map(segments)).toEqual([0, 8]);
    expect(states(r.connections[0], 'a')).toEqual(states(r.connections[1], 'a'));
    expect(r.connections[0].final).toEqual({ a: 'TIME_WAIT', b: 'CLOSED' });
  });

  it('a lost ACK is found with no segments kept', () => {
    const c = new Conversation();
    c.send('a', SYN);
    c.at(1).send('b', SYN | ACK);
    c.at(1).send('a', ACK);
    c.at(10).send('a', FIN | ACK);
    c.at(1).send('b', ACK);
    c.at(1).send('b', FIN | ACK);
    c.at(1).send('a', ACK); // lost after the capture point
    c.at(200).send('b', FIN | ACK, 0, { seq: 900001 });
    c.at(1).send('a', ACK);
    const r = analyzeCapture('lost', c.pcap(), { keepSegments: 0 });
    const [conn] = r.connections;
    expect(conn.summary.findings.map((f) => f.code)).toContain('lost-ack');
    expect(conn.final.b).toBe('CLOSED');
  });

  it('a SYN storm on one 4-tuple: one story, counted, not kept per packet', () => {
    const c = new Conversation();
    c.send('a', SYN);
    for (let i = 0; i < 5000; i++) c.at(1).send('a', SYN, 0, { seq: 1000 });
    const r = analyzeCapture('storm', c.pcap(), { keepSegments: 0 });
    expect(r.connections).toHaveLength(1);
    const [conn] = r.connections;
    expect(conn.summary.a.packets).toBe(5001);
    expect(conn.summary.a.retransmissions).toBe(5000);
    expect(states(conn, 'a')).toEqual(['CLOSED>SYN_SENT']);
    expect(conn.summary.findings.map((f) => f.code)).toContain('syn-unanswered');
    expect(conn.events.filter((e) => e.type === 'segment')).toHaveLength(0);
  });

  it('a report builds its events only when asked, and the same ones each time', () => {
    const r = analyzeCapture('lazy', story(new Conversation()).pcap());
    const [conn] = r.connections;
    expect(conn.events).toBe(conn.events);
    expect(JSON.parse(JSON.stringify(conn)).events).toHaveLength(conn.events.length);
  });
});
