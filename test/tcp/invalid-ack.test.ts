import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import { flagsFrom } from '../../src/wire/flags.js';
import type { TcpSegment } from '../../src/wire/types.js';

const LOCAL = { address: '192.0.2.1', port: 80 };
const REMOTE = { address: '198.51.100.7', port: 40000 };
const ISS = 5000;
const IRS = 1000;

function seg(flags: string, over: Partial<Omit<TcpSegment, 'flags'>> = {}): TcpSegment {
  return {
    srcPort: REMOTE.port,
    dstPort: LOCAL.port,
    seq: IRS + 1,
    ack: ISS + 1,
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...over,
    flags: flagsFrom(flags),
  };
}

function drain(c: Connection, now: number): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let s = c.pollTransmit(now); s !== undefined; s = c.pollTransmit(now)) out.push(s);
  return out;
}

function established(config: Partial<ConnectionConfig> = {}): Connection {
  const c = Connection.acceptSyn(0, seg('S', { seq: IRS, ack: 0 }), {
    local: LOCAL,
    remote: REMOTE,
    iss: ISS,
    config,
  });
  drain(c, 0);
  c.handleSegment(1, seg('.'));
  drain(c, 1);
  expect(c.state).toBe('ESTABLISHED');
  return c;
}

/** Data far outside the receive window: "blind" guesses of the sequence number. */
const blind = (i: number) =>
  seg('.', { seq: (IRS + 0x4000_0000 + i * 1000) >>> 0, payload: new Uint8Array(10) });

function acksFor(c: Connection, times: number[]): number {
  let acks = 0;
  for (const [i, t] of times.entries()) {
    c.handleSegment(t, blind(i));
    acks += drain(c, t).length;
  }
  return acks;
}

describe('ACKs for out-of-window segments (Linux tcp_invalid_ratelimit = 500 ms)', () => {
  it('answers at most one per 500 ms', () => {
    const c = established();
    // 100 segments in 1 s: answered at 10 and 510 only
    const times = Array.from({ length: 100 }, (_, i) => 10 + i * 10);
    expect(acksFor(c, times)).toBe(2);
    expect(c.state).toBe('ESTABLISHED');
  });

  it('answers each one with the limit off (invalidAckInterval 0)', () => {
    const c = established({ invalidAckInterval: 0 });
    expect(acksFor(c, [10, 11, 12, 13])).toBe(4);
  });

  it('still acknowledges in-window data right after a limited ACK', () => {
    const c = established();
    expect(acksFor(c, [10, 11])).toBe(1);
    c.handleSegment(12, seg('P.', { payload: new Uint8Array(5) }));
    c.handleTimeout(1000);
    const acks = drain(c, 1000).filter((s) => s.ack === IRS + 1 + 5);
    expect(acks.length).toBeGreaterThan(0);
  });
});
