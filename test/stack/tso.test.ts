/**
 * Segmentation offload in the stack (config.tsoMaxBytes): a sender whose link cuts segments
 * sends new data as super-segments of up to tsoMaxBytes; the receiver, without the option, accepts a
 * segment larger than its MSS (the MSS limits what is sent, not what is received) and keeps
 * acknowledging at its own MSS.
 */
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/link/sim/network.js';
import { parseTcpPacket } from '../../src/wire/index.js';
import { A, B } from '../integration/harness.js';

describe('TSO send and super-segment receive', () => {
  it('super-segments of whole MSS leave the sender; every byte arrives once, in order', () => {
    const net = new SimNetwork(7);
    const a = net.addHost('a', A, { config: { tsoMaxBytes: 65435 } });
    const b = net.addHost('b', B);
    net.link(a, b, { latency: 1 });
    const sizes: number[] = [];
    net.onPacket((p) => {
      const parsed = parseTcpPacket(p.bytes, true);
      if (parsed.ok && p.from === 'a') sizes.push(parsed.value.tcp.payload.length);
    });
    const listener = b.stack.listen(80);
    const client = a.stack.connect(net.now, { address: B, port: 80 });
    let server: ReturnType<typeof listener.accept>;
    const total = 1_000_000;
    const data = Uint8Array.from({ length: total }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
    let sent = 0;
    const got: Uint8Array[] = [];
    net.addHook(() => {
      let busy = false;
      if (client.state === 'ESTABLISHED' && sent < total) {
        const n = client.send(data.subarray(sent));
        sent += n;
        busy = n > 0;
      }
      server ??= listener.accept();
      for (let chunk = server?.read(); chunk && chunk.length > 0; chunk = server?.read()) {
        got.push(chunk.slice());
        busy = true;
      }
      return busy;
    });
    net.runUntil(() => got.reduce((n, c) => n + c.length, 0) >= total, { until: 60_000 });
    const received = new Uint8Array(total);
    let at = 0;
    for (const c of got) {
      received.set(c, at);
      at += c.length;
    }
    expect(at).toBe(total);
    let firstBad = -1;
    for (let i = 0; i < total && firstBad < 0; i++) if (received[i] !== data[i]) firstBad = i;
    expect(firstBad).toBe(-1);
    const mss = 1460 - 12; // timestamps on every segment
    const big = sizes.filter((n) => n > mss);
    expect(big.length).toBeGreaterThan(0);
    // At most the whole MSS that fit in tsoMaxBytes (the window or the queue may cut one shorter).
    expect(Math.max(...big)).toBeLessThanOrEqual(Math.floor(65435 / mss) * mss);
    expect(b.stack.counters.checksumErrors).toBe(0);
  });

  it('without the option no segment exceeds the MSS', () => {
    const net = new SimNetwork(7);
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    net.link(a, b, { latency: 1 });
    let largest = 0;
    net.onPacket((p) => {
      const parsed = parseTcpPacket(p.bytes, true);
      if (parsed.ok) largest = Math.max(largest, parsed.value.tcp.payload.length);
    });
    const listener = b.stack.listen(80);
    const client = a.stack.connect(net.now, { address: B, port: 80 });
    let server: ReturnType<typeof listener.accept>;
    let sent = 0;
    net.addHook(() => {
      const before = sent;
      if (client.state === 'ESTABLISHED' && sent < 300_000)
        sent += client.send(new Uint8Array(300_000 - sent));
      server ??= listener.accept();
      const read = server?.read().length ?? 0;
      return sent > before || read > 0;
    });
    net.run({ until: 5000 });
    expect(sent).toBe(300_000);
    expect(largest).toBe(1448);
  });

  it('a path MTU narrower than the link stops super-segments: the router passes what is sent', () => {
    const net = new SimNetwork(7);
    const a = net.addHost('a', A, { config: { tsoMaxBytes: 65435 } });
    const b = net.addHost('b', B);
    // A 1000-byte tunnel on a's way out: a super-segment cut at the link's 1500 would not pass.
    net.link(a, b, { latency: 1, mtu: 1000 }, { latency: 1 });
    let sentAfterLearning = 0;
    let largestAfter = 0;
    let learned = false;
    net.onEvent((e) => {
      if (e.host === 'a' && e.event.type === 'path-mtu') learned = true;
    });
    net.onPacket((p) => {
      const parsed = parseTcpPacket(p.bytes, true);
      if (!parsed.ok || p.from !== 'a' || !learned) return;
      sentAfterLearning++;
      largestAfter = Math.max(largestAfter, p.bytes.length);
    });
    const listener = b.stack.listen(80);
    const client = a.stack.connect(net.now, { address: B, port: 80 });
    let server: ReturnType<typeof listener.accept>;
    const total = 300_000;
    let sent = 0;
    let got = 0;
    net.addHook(() => {
      const before = sent + got;
      if (client.state === 'ESTABLISHED' && sent < total)
        sent += client.send(new Uint8Array(total - sent));
      server ??= listener.accept();
      for (let c = server?.read(); c && c.length > 0; c = server?.read()) got += c.length;
      return sent + got > before;
    });
    net.runUntil(() => got >= total, { until: 60_000 });
    expect(got).toBe(total);
    expect(learned).toBe(true);
    expect(sentAfterLearning).toBeGreaterThan(100);
    expect(largestAfter).toBeLessThanOrEqual(1000);
  });
});
