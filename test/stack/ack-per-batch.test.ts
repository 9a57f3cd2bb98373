/**
 * config.ackPerBatch: the segments of a burst that arrive together are acknowledged when the
 * last of them has been handed in (Stack.serviceDirty -> Connection.endBatch), as Linux does
 * after GRO merged the burst. An odd last segment then gets its ACK at once instead of after
 * the delayed-ACK timer; off (the FreeBSD drill profile), it waits for the timer.
 */
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/link/sim/network.js';
import { parseTcpPacket } from '../../src/wire/index.js';
import { A, B } from '../integration/harness.js';

/** b's ACKs of a's 3-segment burst: when each left b, and what it acknowledged. */
function acksOfBurst(ackPerBatch: boolean): { sentAt: number; acksAt: Array<[number, number]> } {
  const net = new SimNetwork(3);
  const a = net.addHost('a', A);
  const b = net.addHost('b', B, { config: { ackPerBatch, delayedAckTimeout: 40 } });
  net.link(a, b, { latency: 5 });
  const listener = b.stack.listen(80);
  const client = a.stack.connect(net.now, { address: B, port: 80 });
  const mss = 1460 - 12; // timestamps on every segment
  let sentAt = -1;
  const acksAt: Array<[number, number]> = [];
  let iss = -1;
  net.onPacket((p) => {
    const parsed = parseTcpPacket(p.bytes, true);
    if (!parsed.ok) return;
    const tcp = parsed.value.tcp;
    if (p.from === 'a' && tcp.flags.syn) iss = tcp.seq;
    if (p.from === 'b' && !tcp.flags.syn && tcp.payload.length === 0 && iss >= 0) {
      const acked = (tcp.ack - iss - 1) >>> 0;
      if (acked > 0) acksAt.push([p.t, acked]);
    }
  });
  let server: ReturnType<typeof listener.accept>;
  net.addHook(() => {
    let busy = false;
    if (client.state === 'ESTABLISHED' && sentAt < 0) {
      sentAt = net.now;
      client.send(new Uint8Array(3 * mss));
      busy = true;
    }
    server ??= listener.accept();
    if (server && server.read().length > 0) busy = true;
    return busy;
  });
  net.run({ until: 500 });
  return { sentAt, acksAt };
}

describe('config.ackPerBatch', () => {
  const mss = 1448;

  it('on (the default): the odd third segment of a burst is acknowledged on arrival', () => {
    const { sentAt, acksAt } = acksOfBurst(true);
    expect(sentAt).toBeGreaterThanOrEqual(0);
    const all = acksAt.find(([, acked]) => acked === 3 * mss);
    expect(all).toBeDefined();
    // Sent and arrived together (5 ms one way): no delayed-ACK wait before the full ACK.
    expect((all as [number, number])[0] - sentAt).toBeLessThan(10);
  });

  it('off: the third segment waits for the delayed-ACK timer (40 ms)', () => {
    const { sentAt, acksAt } = acksOfBurst(false);
    const all = acksAt.find(([, acked]) => acked === 3 * mss);
    expect(all).toBeDefined();
    expect((all as [number, number])[0] - sentAt).toBeGreaterThanOrEqual(40);
    // The first two segments were still acknowledged at once, as every second one is.
    expect(acksAt[0]?.[1]).toBe(2 * mss);
    expect((acksAt[0] as [number, number])[0] - sentAt).toBeLessThan(10);
  });
});
