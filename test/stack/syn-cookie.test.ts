import { describe, expect, it } from 'vitest';
import { Stack, type StackOptions } from '../../src/stack/stack.js';
import { cookieMss } from '../../src/stack/syn-cookie.js';
import { SeededRng } from '../../src/util/rng.js';
import { parseIpv6Address } from '../../src/wire/address6.js';
import { emitPacket6, parseAnyTcpPacket } from '../../src/wire/packet6.js';
import type { TcpOption, TcpSegment } from '../../src/wire/types.js';
import { drops, inject, PEER, seg, sent, stack } from './inject.js';

const FULL_SYN: TcpOption[] = [
  { kind: 'mss', value: 1400 },
  { kind: 'sack-permitted' },
  { kind: 'timestamp', value: 5000, echo: 0 },
  { kind: 'nop' },
  { kind: 'wscale', shift: 9 },
];

function tsOf(segment: TcpSegment): { value: number; echo: number } | undefined {
  for (const o of segment.options) if (o.kind === 'timestamp') return o;
  return undefined;
}

/** A listener with backlog 1 whose SYN queue is already full (one half-open from port 39999). */
function fullListener(opts: Partial<StackOptions> = {}): Stack {
  const s = stack(opts);
  s.listen(80, { backlog: 1 });
  inject(s, 0, seg('S', { srcPort: 39999 }));
  sent(s, 0);
  drops(s);
  return s;
}

describe('SYN cookies (RFC 4987 3.6, Linux tcp_syncookies=1)', () => {
  it('a full SYN queue answers with a cookie SYN,ACK and keeps no state', () => {
    const s = fullListener();
    inject(s, 10, seg('S', { options: FULL_SYN }));
    const [synAck, ...rest] = sent(s, 10);
    expect(rest).toEqual([]);
    expect(synAck.flags.syn && synAck.flags.ack).toBe(true);
    expect(synAck.ack).toBe(1001);
    expect(s.connectionCount).toBe(1);
    expect(s.counters.syncookiesSent).toBe(1);
    expect(s.counters.listenDrops).toBe(0);
    expect(drops(s)).toEqual([]);
  });

  it("'always' answers every SYN with a cookie, even with room in the SYN queue", () => {
    const s = stack({ synCookies: 'always' });
    s.listen(80);
    inject(s, 0, seg('S'));
    const [synAck] = sent(s, 0);
    expect(s.connectionCount).toBe(0);
    inject(s, 10, seg('.', { seq: 1001, ack: synAck.seq + 1 }));
    expect(s.find(80, { address: PEER, port: 40000 })?.state).toBe('ESTABLISHED');
  });

  it('with cookies off the same SYN is dropped', () => {
    const s = fullListener({ synCookies: 'off' });
    inject(s, 10, seg('S', { options: FULL_SYN }));
    expect(sent(s, 10)).toEqual([]);
    expect(s.counters.listenDrops).toBe(1);
  });

  it('the returning ACK makes an ESTABLISHED connection with the MSS, wscale and SACK of the SYN', () => {
    const s = fullListener();
    inject(s, 10, seg('S', { options: FULL_SYN }));
    const [synAck] = sent(s, 10);
    const ts = tsOf(synAck);
    expect(ts?.echo).toBe(5000);
    inject(
      s,
      20,
      seg('.', {
        seq: 1001,
        ack: synAck.seq + 1,
        options: [{ kind: 'timestamp', value: 5001, echo: ts?.value ?? 0 }],
      }),
    );
    const c = s.find(80, { address: PEER, port: 40000 });
    expect(c?.state).toBe('ESTABLISHED');
    const info = c?.conn.info();
    // 1400 is rounded down to the table's 1300 (Linux msstab), less 12 for the timestamps
    expect(info?.mss).toBe(1300 - 12);
    expect(info?.sndWndScale).toBe(9);
    expect(info?.sackPermitted).toBe(true);
    expect(info?.timestamps).toBe(true);
    expect(info?.iss).toBe(synAck.seq);
    expect(s.counters.syncookiesRecv).toBe(1);
    expect(s.counters.passiveOpens).toBe(2);
  });

  it('without timestamps the window scale and SACK are lost, as on Linux', () => {
    const s = fullListener();
    const noTs = FULL_SYN.filter((o) => o.kind !== 'timestamp');
    inject(s, 10, seg('S', { options: noTs }));
    const [synAck] = sent(s, 10);
    expect(synAck.options.some((o) => o.kind === 'wscale' || o.kind === 'sack-permitted')).toBe(
      false,
    );
    inject(s, 20, seg('.', { seq: 1001, ack: synAck.seq + 1 }));
    const info = s.find(80, { address: PEER, port: 40000 })?.conn.info();
    expect(info?.state).toBe('ESTABLISHED');
    expect(info?.sndWndScale).toBe(0);
    expect(info?.sackPermitted).toBe(false);
  });

  it('a forged cookie is dropped as syn-cookie-bad, without RST or connection', () => {
    const s = fullListener();
    inject(s, 10, seg('S'));
    const [synAck] = sent(s, 10);
    drops(s);
    inject(s, 20, seg('.', { seq: 1001, ack: (synAck.seq + 1 + 0x80_0000) >>> 0 }));
    expect(sent(s, 20)).toEqual([]);
    expect(drops(s)).toEqual([
      expect.objectContaining({ type: 'drop', reason: 'syn-cookie-bad', port: 80 }),
    ]);
    expect(s.find(80, { address: PEER, port: 40000 })).toBeUndefined();
    expect(s.counters.syncookiesFailed).toBe(1);
  });

  it('a cookie older than two minutes is dropped as syn-cookie-stale', () => {
    const s = fullListener();
    inject(s, 10, seg('S'));
    const [synAck] = sent(s, 10);
    drops(s);
    // a fresh cookie keeps the listener looking at cookie ACKs
    inject(s, 179_000, seg('S', { srcPort: 40001 }));
    sent(s, 179_000);
    drops(s);
    inject(s, 180_000, seg('.', { seq: 1001, ack: synAck.seq + 1 }));
    expect(drops(s)).toEqual([
      expect.objectContaining({ type: 'drop', reason: 'syn-cookie-stale', port: 80 }),
    ]);
    expect(s.find(80, { address: PEER, port: 40000 })).toBeUndefined();
  });

  it('a cookie ACK that finds the accept queue full is dropped', () => {
    const s = fullListener();
    inject(s, 10, seg('S', { srcPort: 40000 }));
    inject(s, 10, seg('S', { srcPort: 40002 }));
    const [first, second] = sent(s, 10);
    // the first cookie's connection fills the accept queue (backlog 1)
    inject(s, 20, seg('.', { srcPort: 40000, seq: 1001, ack: first.seq + 1 }));
    expect(s.find(80, { address: PEER, port: 40000 })?.state).toBe('ESTABLISHED');
    drops(s);
    inject(s, 30, seg('.', { srcPort: 40002, seq: 1001, ack: second.seq + 1 }));
    expect(drops(s)).toEqual([
      expect.objectContaining({ type: 'drop', reason: 'accept-queue-full', port: 80 }),
    ]);
    expect(s.find(80, { address: PEER, port: 40002 })).toBeUndefined();
  });
});

describe('SYN,ACK retries (Linux tcp_synack_retries = 5)', () => {
  function synAcksFor(s: Stack): number {
    s.listen(80);
    inject(s, 0, seg('S'));
    let count = sent(s, 0).length;
    for (let t = s.pollTimeout(); t !== undefined; t = s.pollTimeout()) {
      s.handleTimeout(t);
      count += sent(s, t).filter((x) => x.flags.syn).length;
    }
    return count;
  }

  it('a spoofed SYN draws 1 + 5 SYN,ACKs, then the half-open entry goes', () => {
    const s = stack();
    expect(synAcksFor(s)).toBe(6);
    expect(s.connectionCount).toBe(0);
  });

  it('is a stack option', () => {
    expect(synAcksFor(stack({ synAckRetries: 2 }))).toBe(3);
  });
});

describe('SYN cookies over IPv6 (Linux net/ipv6/syncookies.c msstab)', () => {
  const US6 = '2001:db8::1';
  const PEER6 = '2001:db8::7';
  const b6 = (t: string) => parseIpv6Address(t) as Uint8Array;

  it('the IPv6 table keeps the 1220 of the IPv6 minimum MTU, where IPv4’s would give 536', () => {
    expect(cookieMss(1220, true)).toBe(1220);
    expect(cookieMss(1220)).toBe(536);
    expect([1219, 1419, 1420, 1440, 1500, 8940, 9000].map((m) => cookieMss(m, true))).toEqual([
      1220, 1220, 1420, 1440, 1440, 8940, 8940,
    ]);
  });

  it.each([1220, 1420])(
    'a cookie ACK from an IPv6 peer that offered %i gives that MSS back',
    (mss) => {
      const s = new Stack({ address: US6, rng: new SeededRng(1), synCookies: 'always' });
      s.listen(80);
      const to = (segment: TcpSegment) =>
        s.handlePacket(0, emitPacket6({ src: b6(PEER6), dst: b6(US6) }, segment));
      to(seg('S', { options: [{ kind: 'mss', value: mss }] }));
      const reply = parseAnyTcpPacket(s.pollTransmit(0) as Uint8Array);
      if (!reply.ok) throw new Error(reply.reason);
      const synAck = reply.value.tcp;
      expect(s.connectionCount).toBe(0);
      expect(s.counters.syncookiesSent).toBe(1);
      to(seg('.', { seq: 1001, ack: (synAck.seq + 1) >>> 0 }));
      const conn = s.find(80, { address: PEER6, port: 40000 });
      expect(conn?.state).toBe('ESTABLISHED');
      expect(conn?.info().mss).toBe(mss);
      expect(s.counters.syncookiesRecv).toBe(1);
    },
  );
});
