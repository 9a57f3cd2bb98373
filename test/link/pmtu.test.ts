/**
 * Path MTU discovery end to end over the simulator: a narrower link in the middle of the path
 * (the `mtu` setting) drops a's full-sized packets and its router answers with ICMP
 * fragmentation needed / ICMPv6 packet too big; a's stack lowers its MSS and the transfer
 * completes intact, without a retransmission timeout.
 */
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/link/sim/network.js';
import { tooBigAnswer } from '../../src/link/sim/router.js';
import type { StackEvent } from '../../src/stack/stack.js';
import { parseIpv4 } from '../../src/wire/ipv4.js';
import { bytes, concat } from '../integration/exchange.js';
import { establish, FAMILIES, pair } from '../integration/harness.js';

describe('the simulator’s mtu setting', () => {
  it('answers an IPv4 packet with DF with fragmentation needed from a router, one without silently', () => {
    const big = new Uint8Array(600);
    big.set([0x45, 0, 0x02, 0x58, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    const answer = tooBigAnswer(big, 576) as Uint8Array;
    const ip = parseIpv4(answer);
    expect(ip.ok && ip.value.header.src).toBe('10.0.0.254');
    expect(ip.ok && [...ip.value.payload.subarray(0, 2)]).toEqual([3, 4]);
    expect(ip.ok && (ip.value.payload[6] << 8) | ip.value.payload[7]).toBe(576);
    const noDf = big.slice();
    noDf[6] = 0;
    expect(tooBigAnswer(noDf, 576)).toBeUndefined();
  });
});

for (const family of FAMILIES) {
  const v6 = family === 'ipv6';
  // IPv6 paths carry at least 1280 bytes (RFC 8200 5): a 1400-byte tunnel there, 1000 for IPv4.
  const mtu = v6 ? 1400 : 1000;
  describe(`Path MTU discovery over ${family}`, () => {
    it('a 1 MB transfer through a narrower link arrives intact, the MSS lowered once', () => {
      const p = pair(4, { latency: 10, mtu }, {}, family);
      const packets: PacketRecord[] = [];
      const events: StackEvent[] = [];
      p.net.onPacket((r) => packets.push(r));
      p.net.onEvent((e) => {
        if (e.host === 'a') events.push(e.event);
      });
      const { client, server } = establish(p);
      const data = bytes(1_000_000, 11);
      let sent = 0;
      const got: Uint8Array[] = [];
      let received = 0;
      p.net.addHook((host) => {
        if (host === p.a && sent < data.length) {
          const n = client.send(data.subarray(sent));
          sent += n;
          if (sent === data.length) client.shutdown(p.net.now);
          return n > 0;
        }
        if (host === p.b) {
          const chunk = server.read();
          if (chunk.length > 0) {
            got.push(chunk.slice());
            received += chunk.length;
            return true;
          }
        }
        return false;
      });
      p.net.runUntil(() => received === data.length && server.ended, { maxSteps: 500_000 });
      expect(received).toBe(data.length);
      expect(concat(got)).toEqual(data);
      // The MSS fell once, to the tunnel's MTU less the headers and the timestamps option.
      const ipTcp = v6 ? 60 : 40;
      const pmtu = events.filter((e) => e.type === 'path-mtu');
      expect(pmtu).toEqual([expect.objectContaining({ mtu, mss: mtu - ipTcp - 12 })]);
      expect(client.info().pmtu).toBe(mtu);
      expect(client.info().mss).toBe(mtu - ipTcp - 12);
      expect(p.a.stack.counters.pmtuUpdates).toBe(1);
      // Only the first flight was too big; the router answered each one of them.
      const tooBig = packets.filter((r) => r.fate === 'too-big');
      const answers = packets.filter((r) => r.from === 'router');
      expect(tooBig.length).toBeGreaterThan(0);
      expect(tooBig.length).toBeLessThanOrEqual(10);
      expect(answers.length).toBe(tooBig.length);
      expect(p.a.stack.counters.pmtuIgnored).toBe(tooBig.length - 1);
      // Repaired at once, not by a retransmission timeout.
      expect(client.stats.timeouts).toBe(0);
      const delivered = packets.filter((r) => r.from === 'a' && r.fate === 'delivered');
      expect(delivered.every((r) => r.bytes.length <= mtu)).toBe(true);
    });
  });
}
