/**
 * Every transition of issue 2 between two stacks over the simulated network, asserting the
 * exact sequence (from, to, cause) of both sides.
 */
import { describe, expect, it } from 'vitest';
import { A, B, establish, pair, readAll, story, text } from './harness.js';

describe('opening', () => {
  it('active and passive open: the three-way handshake', () => {
    const p = pair();
    establish(p);
    expect(story(p.net, p.a)).toEqual([
      'CLOSED>SYN_SENT (connect())',
      'SYN_SENT>ESTABLISHED (rcv SYN,ACK)',
    ]);
    expect(story(p.net, p.b)).toEqual([
      'LISTEN>SYN_RECV (rcv SYN)',
      'SYN_RECV>ESTABLISHED (rcv ACK)',
    ]);
  });

  it('simultaneous open: SYN_SENT -> SYN_RECV -> ESTABLISHED on both sides', () => {
    const p = pair();
    const ca = p.a.stack.connect(0, { address: B, port: 5000 }, { localPort: 6000 });
    const cb = p.b.stack.connect(0, { address: A, port: 6000 }, { localPort: 5000 });
    p.net.runUntil(() => ca.state === 'ESTABLISHED' && cb.state === 'ESTABLISHED', {
      until: 10_000,
    });
    for (const host of [p.a, p.b]) {
      expect(story(p.net, host)).toEqual([
        'CLOSED>SYN_SENT (connect())',
        'SYN_SENT>SYN_RECV (rcv SYN)',
        'SYN_RECV>ESTABLISHED (rcv SYN,ACK)',
      ]);
    }
  });

  it('refused: a SYN to a closed port is answered with RST', () => {
    const p = pair();
    const c = p.a.stack.connect(0, { address: B, port: 81 });
    p.net.run({ until: 5_000 });
    expect(c.state).toBe('CLOSED');
    expect(story(p.net, p.a)).toEqual(['CLOSED>SYN_SENT (connect())', 'SYN_SENT>CLOSED (rcv RST)']);
    expect(p.b.stack.counters.resetsSent).toBe(1);
  });

  it('SYN timeout: an unanswered SYN is retried synRetries times, then the connect fails', () => {
    const p = pair(1, { latency: 10 }, { synRetries: 3 });
    p.net.partition(p.a, p.b, 0);
    const c = p.a.stack.connect(0, { address: B, port: 80 });
    p.net.run({ until: 600_000 });
    expect(c.state).toBe('CLOSED');
    const syns = p.net.trace.filter((e) => e.type === 'packet' && e.tcp?.flags === 'SYN');
    expect(syns).toHaveLength(4);
    expect(story(p.net, p.a).at(-1)).toBe('SYN_SENT>CLOSED (retransmission limit)');
  });
});

describe('closing', () => {
  it('normal close: a closes first (FIN_WAIT1, FIN_WAIT2, TIME_WAIT for 60 s), b passes CLOSE_WAIT and LAST_ACK', () => {
    const p = pair();
    const { client, server } = establish(p);
    const closedAt = p.net.now;
    client.close(p.net.now);
    p.net.runUntil(() => server.state === 'CLOSE_WAIT');
    server.close(p.net.now);
    p.net.runUntil(() => client.state === 'TIME_WAIT');
    const twAt = p.net.now;
    p.net.run();
    expect(story(p.net, p.a).slice(2)).toEqual([
      'ESTABLISHED>FIN_WAIT1 (close())',
      'FIN_WAIT1>FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2>TIME_WAIT (rcv FIN)',
      'TIME_WAIT>CLOSED (2MSL timer)',
    ]);
    expect(story(p.net, p.b).slice(2)).toEqual([
      'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
    const end = p.net.transitions(p.a).at(-1);
    expect(end?.time).toBeCloseTo(twAt + 60_000, 0);
    expect(twAt).toBeGreaterThan(closedAt);
  });

  it('simultaneous close: both FIN_WAIT1 -> CLOSING -> TIME_WAIT', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.close(p.net.now);
    server.close(p.net.now);
    p.net.run();
    for (const host of [p.a, p.b]) {
      expect(story(p.net, host).slice(2)).toEqual([
        'ESTABLISHED>FIN_WAIT1 (close())',
        'FIN_WAIT1>CLOSING (rcv FIN)',
        'CLOSING>TIME_WAIT (rcv ACK)',
        'TIME_WAIT>CLOSED (2MSL timer)',
      ]);
    }
  });

  it('FIN_WAIT1 -> TIME_WAIT when the FIN and the ACK of our FIN arrive together', () => {
    const p = pair();
    const { client, server } = establish(p);
    // b's separate ACK of a's FIN is lost; b's own FIN then acknowledges a's FIN too
    p.net.setFaults(p.b, p.a, { loss: 1 });
    client.close(p.net.now);
    p.net.runUntil(() => server.state === 'CLOSE_WAIT');
    p.net.setFaults(p.b, p.a, { loss: 0 });
    server.close(p.net.now);
    p.net.run();
    const a = story(p.net, p.a);
    expect(a).toContain('FIN_WAIT1>TIME_WAIT (rcv FIN,ACK)');
    expect(a).not.toContain('FIN_WAIT1>FIN_WAIT2 (rcv ACK)');
  });

  it('half-close: a shuts down its sending side and keeps receiving in FIN_WAIT2', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.shutdown(p.net.now);
    p.net.runUntil(() => client.state === 'FIN_WAIT2');
    server.send(text('still talking'));
    p.net.run({ until: p.net.now + 1_000 });
    expect(readAll(client)).toBe('still talking');
    // without close(), FIN_WAIT2 lasts as long as b keeps the connection open
    p.net.run({ until: p.net.now + 300_000 });
    expect(client.state).toBe('FIN_WAIT2');
    server.close(p.net.now);
    p.net.run();
    expect(client.state).toBe('CLOSED');
    expect(story(p.net, p.a)).toContain('ESTABLISHED>FIN_WAIT1 (shutdown())');
  });

  it('CLOSE_WAIT: b still sends after a closed, then closes', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.shutdown(p.net.now);
    p.net.runUntil(() => server.state === 'CLOSE_WAIT');
    server.send(text('last words'));
    server.close(p.net.now);
    p.net.run();
    expect(readAll(client)).toBe('last words');
    expect(story(p.net, p.b).slice(2)).toEqual([
      'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT>LAST_ACK (close())',
      'LAST_ACK>CLOSED (rcv ACK)',
    ]);
  });

  it('an orphan in FIN_WAIT2 ends after 60 s (tcp_fin_timeout) while b stays in CLOSE_WAIT', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.close(p.net.now);
    p.net.runUntil(() => client.state === 'FIN_WAIT2');
    const at = p.net.now;
    p.net.run({ until: at + 120_000 });
    expect(client.state).toBe('CLOSED');
    expect(server.state).toBe('CLOSE_WAIT');
    const end = p.net.transitions(p.a).at(-1);
    expect(end?.cause).toBe('FIN_WAIT2 timer');
    expect(end?.time).toBeCloseTo(at + 60_000, 0);
  });

  it('lost last ACK: b retransmits its FIN and a, in TIME_WAIT, re-ACKs it', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.close(p.net.now);
    p.net.runUntil(() => server.state === 'CLOSE_WAIT');
    // a's ACK of b's FIN will be lost: a -> b drops everything until a is in TIME_WAIT
    p.net.setFaults(p.a, p.b, { loss: 1 });
    server.close(p.net.now);
    p.net.runUntil(() => client.state === 'TIME_WAIT');
    p.net.setFaults(p.a, p.b, { loss: 0 });
    p.net.run();
    const bFins = p.net.trace.filter(
      (e) => e.type === 'packet' && e.from === 'b' && e.tcp?.flags.includes('FIN'),
    );
    expect(bFins.length).toBeGreaterThanOrEqual(2);
    expect(story(p.net, p.b).at(-1)).toBe('LAST_ACK>CLOSED (rcv ACK)');
    expect(story(p.net, p.a).at(-1)).toBe('TIME_WAIT>CLOSED (2MSL timer)');
  });
});

describe('aborts and timeouts', () => {
  it('reset: abort() in ESTABLISHED sends RST and the peer goes to CLOSED', () => {
    const p = pair();
    const { client, server } = establish(p);
    client.abort(p.net.now);
    p.net.run();
    expect(server.state).toBe('CLOSED');
    expect(story(p.net, p.a).at(-1)).toBe('ESTABLISHED>CLOSED (abort())');
    expect(story(p.net, p.b).at(-1)).toBe('ESTABLISHED>CLOSED (rcv RST)');
  });

  it('keepalive: a dead peer is detected and the connection times out', () => {
    const p = pair(
      1,
      { latency: 10 },
      { keepalive: { enabled: true, idle: 10_000, interval: 1_000, count: 3 } },
    );
    const { client } = establish(p);
    p.net.partition(p.a, p.b, p.net.now);
    p.net.run({ until: p.net.now + 60_000 });
    expect(client.state).toBe('CLOSED');
    expect(story(p.net, p.a).at(-1)).toBe('ESTABLISHED>CLOSED (keepalive timeout)');
  });

  it('data retry limit: unacknowledged data is retransmitted dataRetries times, then the connection times out', () => {
    const p = pair(1, { latency: 10 }, { dataRetries: 4 });
    const { client } = establish(p);
    p.net.partition(p.a, p.b, p.net.now);
    client.send(text('into the void'));
    p.net.run({ until: p.net.now + 600_000 });
    expect(client.state).toBe('CLOSED');
    expect(story(p.net, p.a).at(-1)).toBe('ESTABLISHED>CLOSED (retransmission limit)');
    // One tail loss probe (RFC 8985 7) goes before the first timeout; the limit counts timeouts.
    expect(client.stats.lossProbes).toBe(1);
    expect(client.stats.retransmits).toBe(4 + 1);
  });

  it('user timeout: sent data unacknowledged for longer than userTimeout aborts', () => {
    const p = pair(1, { latency: 10 }, { userTimeout: 5_000 });
    const { client } = establish(p);
    p.net.partition(p.a, p.b, p.net.now);
    const at = p.net.now;
    client.send(text('x'));
    p.net.run({ until: at + 60_000 });
    expect(client.state).toBe('CLOSED');
    const end = p.net.transitions(p.a).at(-1);
    expect(end?.cause).toBe('user timeout');
    expect(end?.time).toBeLessThanOrEqual(at + 5_000 + 1_000);
  });

  it('zero window: the sender probes while the reader does not read, and resumes when it does', () => {
    const p = pair(1, { latency: 10 }, { receiveBufferSize: 8192, sendBufferSize: 65536 });
    const { client, server } = establish(p);
    const data = new Uint8Array(40_000).fill(7);
    let sent = client.send(data);
    p.net.run({ until: p.net.now + 30_000 });
    expect(server.recvQueue).toBe(8192);
    expect(client.stats.zeroWindowProbes).toBeGreaterThan(0);
    let got = 0;
    for (let i = 0; i < 200 && got < data.length; i++) {
      got += server.read().length;
      if (sent < data.length) sent += client.send(data.subarray(sent));
      p.net.run({ until: p.net.now + 500 });
    }
    expect(got).toBe(data.length);
  });
});
