/**
 * The stack's receive fast path: numeric demux, checksums skipped only for packets the link
 * vouches for, and in-order data kept as views of the packets it came in (no copy on arrival).
 */
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/link/sim/network.js';
import { remoteKey, TupleMap } from '../../src/stack/demux.js';
import { siphash24 } from '../../src/stack/siphash.js';
import { Stack } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { emitPacket, flagsFrom } from '../../src/wire/index.js';
import { A, B, establish, pair } from '../integration/harness.js';

/** A SYN from A:1234 to B:80, as a packet. */
function rawSyn(): Uint8Array {
  return emitPacket(
    { src: A, dst: B },
    {
      srcPort: 1234,
      dstPort: 80,
      seq: 1,
      ack: 0,
      flags: flagsFrom('S'),
      window: 1000,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(0),
    },
  );
}

describe('TupleMap', () => {
  it('keeps tuples that differ in one field apart, counts them, lists them in insertion order', () => {
    const m = new TupleMap<string>();
    m.set(80, remoteKey(0x0a000001, 1000), 'a');
    m.set(81, remoteKey(0x0a000001, 1000), 'b');
    m.set(80, remoteKey(0x0a000002, 1000), 'c');
    m.set(80, remoteKey(0x0a000001, 1001), 'd');
    m.set(80, remoteKey(0xffffffff, 65535), 'e');
    expect(m.size).toBe(5);
    expect(m.get(80, remoteKey(0x0a000001, 1000))).toBe('a');
    expect(m.get(81, remoteKey(0x0a000001, 1000))).toBe('b');
    expect(m.get(80, remoteKey(0xffffffff, 65535))).toBe('e');
    expect(m.get(82, remoteKey(0x0a000001, 1000))).toBeUndefined();
    expect(m.delete(81, remoteKey(0x0a000001, 1000))).toBe(true);
    expect(m.delete(81, remoteKey(0x0a000001, 1000))).toBe(false);
    m.set(80, remoteKey(0x0a000001, 1000), 'a2');
    expect([...m.values()]).toEqual(['c', 'd', 'e', 'a2']);
    expect(m.size).toBe(4);
  });

  it('agrees with a Map over 20,000 seeded sets and deletes of colliding IPv4 and IPv6 tuples', () => {
    const m = new TupleMap<number>();
    const ref = new Map<string, number>();
    const rng = new SeededRng(7);
    for (let op = 0; op < 20_000; op++) {
      // few distinct values per field, so that tuples share hash slots and probe runs
      const local = 1 + (rng.nextU32() % 4);
      const v6 = rng.nextU32() % 8 === 0;
      const remote = v6
        ? `v6:${rng.nextU32() % 16}`
        : remoteKey(((rng.nextU32() % 64) * 0x01000193) >>> 0, rng.nextU32() % 16);
      const name = `${local}/${remote}`;
      if (rng.nextU32() % 3 === 0) {
        expect(m.delete(local, remote)).toBe(ref.delete(name));
      } else {
        m.set(local, remote, op);
        ref.set(name, op);
      }
      expect(m.get(local, remote)).toBe(ref.get(name));
      expect(m.size).toBe(ref.size);
    }
    for (const name of ref.keys()) {
      const [local, remote] = name.split('/');
      const key = remote.startsWith('v6:') ? remote : Number(remote);
      expect(m.get(Number(local), key)).toBe(ref.get(name));
    }
    expect([...m.values()].sort((x, y) => x - y)).toEqual([...ref.values()].sort((x, y) => x - y));
  });

  it('remoteKey is exact for the largest address and port', () => {
    expect(remoteKey(0xffffffff, 0xffff)).toBe(2 ** 48 - 1);
    expect(Number.isSafeInteger(remoteKey(0xffffffff, 0xffff))).toBe(true);
  });
});

describe('checksums on the simulated link', () => {
  it('a raw packet with a bad TCP checksum is still caught on a fault-free link (sendRaw is not vouched for)', () => {
    const p = pair(1, { latency: 1 });
    p.b.stack.listen(80);
    const packet = rawSyn();
    packet[packet.length - 1] ^= 0x40;
    p.net.sendRaw(p.a, packet);
    p.net.run({ until: 100 });
    expect(p.b.stack.counters.checksumErrors).toBe(1);
    expect(p.b.stack.counters.passiveOpens).toBe(0);
  });

  it('handlePacket verifies by default and skips only when told the link vouches', () => {
    const stack = new Stack({ address: B, rng: new SeededRng(1) });
    stack.listen(80);
    const syn = rawSyn();
    syn[16 + 20] ^= 1; // the TCP checksum field
    stack.handlePacket(0, syn);
    expect(stack.counters.checksumErrors).toBe(1);
    stack.handlePacket(0, syn, true);
    expect(stack.counters.checksumErrors).toBe(1);
    expect(stack.pollTransmit(0)).toBeDefined(); // the SYN,ACK: taken without the check
  });
});

describe('in-order data is not copied on arrival', () => {
  it('a full segment read alone is a view of the packet it arrived in', () => {
    const net = new SimNetwork({ record: false });
    const seen: Uint8Array[] = [];
    net.onPacket((rec) => {
      if (rec.from === 'a') seen.push(rec.bytes);
    });
    const p = { net, a: net.addHost('a', A), b: net.addHost('b', B) };
    net.link(p.a, p.b, { latency: 1 });
    const { client, server } = establish(p);
    client.send(new Uint8Array(1000).fill(9));
    net.run({ until: net.now + 5 });
    const got = server.read();
    expect(got.length).toBe(1000);
    expect(got.every((b) => b === 9)).toBe(true);
    const packet = seen[seen.length - 1];
    expect(got.buffer).toBe(packet.buffer);
    expect(got.byteOffset).toBe(packet.byteOffset + packet.length - 1000);
  });

  it('a small piece is copied, so that it cannot keep a whole slab alive', () => {
    const p = pair(1, { latency: 1 });
    const { client, server } = establish(p);
    client.send(new Uint8Array(10).fill(4));
    p.net.run({ until: p.net.now + 5 });
    const got = server.read();
    expect([...got]).toEqual(Array(10).fill(4));
    expect(got.buffer.byteLength).toBe(10);
  });
});

describe('SipHash-2-4 in 32-bit halves', () => {
  it('gives the reference implementation’s output for every length 0..63 (the paper’s vectors)', () => {
    // Appendix A of the SipHash paper: key 00..0f, message 00 01 02 ..., first 8 output bytes
    // little-endian; four of its 64 vectors are checked in stack.test.ts, all here by a BigInt
    // reference written from the paper's pseudo-code.
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    for (let len = 0; len < 64; len++) {
      const msg = Uint8Array.from({ length: len }, (_, i) => i);
      expect(siphash24(k0, k1, msg)).toBe(referenceSip(k0, k1, msg));
    }
  });
});

const M64 = (1n << 64n) - 1n;
function referenceSip(k0: bigint, k1: bigint, data: Uint8Array): bigint {
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & M64;
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & M64;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & M64;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & M64;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const words: bigint[] = [];
  for (let i = 0; i + 8 <= data.length; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(data[i + j]);
    words.push(m);
  }
  let last = BigInt(data.length & 0xff) << 56n;
  const end = data.length - (data.length % 8);
  for (let j = 0; end + j < data.length; j++) last |= BigInt(data[end + j]) << BigInt(8 * j);
  words.push(last);
  for (const m of words) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & M64;
}
