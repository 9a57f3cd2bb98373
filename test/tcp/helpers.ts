/**
 * Helpers for driving one Connection by hand: build segments tcpdump-style, feed them at a
 * time, and assert exactly what the connection sends back.
 */
import { expect } from 'vitest';
import type { TcpState } from '../../src/state/states.js';
import { Connection, type ConnectionOptions } from '../../src/tcp/connection.js';
import type { ConnectionConfig, ConnectionEvent } from '../../src/tcp/types.js';
import { flagLetters, flagsFrom } from '../../src/wire/flags.js';
import type { TcpOption, TcpSegment } from '../../src/wire/types.js';

export const LOCAL = { address: '10.0.0.1', port: 40000 };
export const REMOTE = { address: '10.0.0.2', port: 80 };
/** Our ISS and the peer's, chosen near 2^32 so tests cross the wrap. */
export const ISS = 0xffff_ff00;
export const IRS = 1000;

/** tcpdump-style flags: S, F, R, P, then '.' for ACK; e.g. 'S.', 'F.', 'R', '.'. */
export function flagsOf(seg: TcpSegment): string {
  return flagLetters(seg.flags);
}

export interface SegSpec {
  flags: string;
  seq: number;
  ack?: number;
  window?: number;
  options?: TcpOption[];
  /** Payload bytes, or a length (filled with a pattern). */
  data?: Uint8Array | number;
}

export function pattern(n: number, start = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) % 251;
  return out;
}

/** A segment from REMOTE to LOCAL. */
export function seg(spec: SegSpec): TcpSegment {
  const payload =
    typeof spec.data === 'number' ? pattern(spec.data) : (spec.data ?? new Uint8Array(0));
  return {
    srcPort: REMOTE.port,
    dstPort: LOCAL.port,
    seq: spec.seq >>> 0,
    ack: (spec.ack ?? 0) >>> 0,
    flags: flagsFrom(spec.flags),
    window: spec.window ?? 65535,
    urgentPointer: 0,
    options: spec.options ?? [],
    payload,
  };
}

export function send(conn: Connection, segment: TcpSegment, at: number): void {
  conn.handleSegment(at, segment);
}

/** What a test expects of a sent segment; fields left out are not checked. */
export interface Expected {
  flags: string;
  seq?: number;
  ack?: number;
  window?: number;
  len?: number;
  options?: TcpOption[];
}

/** Drains pollTransmit and checks the exact list of segments sent. Returns them. */
export function expectSegments(conn: Connection, at: number, expected: Expected[]): TcpSegment[] {
  const sent = drain(conn, at);
  const shown = sent.map((s) => describe(s));
  expect(shown, `segments sent: ${shown.join(' | ')}`).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    const s = sent[i] as TcpSegment;
    const actual: Record<string, unknown> = { flags: flagsOf(s) };
    if (e.seq !== undefined) actual.seq = s.seq;
    if (e.ack !== undefined) actual.ack = s.ack;
    if (e.window !== undefined) actual.window = s.window;
    if (e.len !== undefined) actual.len = s.payload.byteLength;
    if (e.options !== undefined) actual.options = s.options;
    const want: Record<string, unknown> = { ...e };
    if (e.seq !== undefined) want.seq = e.seq >>> 0;
    if (e.ack !== undefined) want.ack = e.ack >>> 0;
    expect(actual, `segment ${i}: ${shown[i]}`).toEqual(want);
  });
  return sent;
}

export function expectNothing(conn: Connection, at: number): void {
  const sent = drain(conn, at);
  expect(sent.map(describe)).toEqual([]);
}

export function drain(conn: Connection, at: number): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let s = conn.pollTransmit(at); s; s = conn.pollTransmit(at)) {
    out.push(s);
    if (out.length > 10_000) throw new Error('pollTransmit does not stop');
  }
  return out;
}

export function describe(s: TcpSegment): string {
  return `${flagsOf(s)} seq ${s.seq} ack ${s.ack} win ${s.window} len ${s.payload.byteLength}`;
}

export function events(conn: Connection): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let e = conn.pollEvent(); e; e = conn.pollEvent()) out.push(e);
  return out;
}

/** The state transitions among events, as "FROM->TO (cause)". */
export function transitions(evs: ConnectionEvent[]): string[] {
  return evs.flatMap((e) => (e.type === 'state' ? [`${e.from}->${e.to} (${e.cause})`] : []));
}

/** Plain config: no options, no delayed ACK, so segment lists are short and exact. */
export const PLAIN: Partial<ConnectionConfig> = {
  // The RFC 5681 arithmetic the unit tests compute by hand (CUBIC has tests of its own).
  congestionControl: 'newreno',
  windowScale: false,
  timestamps: false,
  sack: false,
  delayedAck: false,
  receiveBufferSize: 65535,
};

export function opts(config: Partial<ConnectionConfig> = PLAIN, iss = ISS): ConnectionOptions {
  return { local: LOCAL, remote: REMOTE, iss, config };
}

export const MSS_1460: TcpOption[] = [{ kind: 'mss', value: 1460 }];
/** The SYN options of a peer that offers SACK. */
export const SACK_OK: TcpOption[] = [...MSS_1460, { kind: 'sack-permitted' }];

/** A SACK option as tcpstate lays it out (RFC 2018 3: two NOPs first). */
export function sackOption(blocks: Array<[number, number]>): TcpOption[] {
  return [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks }];
}

/**
 * Active open completed: we sent SYN at t=0, the peer's SYN,ACK (with `synAckOptions`, window
 * `window`) arrives at t=10 and we ACK it.
 */
export function established(
  config: Partial<ConnectionConfig> = PLAIN,
  synAckOptions: TcpOption[] = MSS_1460,
  window = 65535,
): Connection {
  const conn = Connection.connect(0, opts(config));
  expectSegments(conn, 0, [{ flags: 'S', seq: ISS }]);
  send(conn, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, options: synAckOptions, window }), 10);
  expectSegments(conn, 10, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
  events(conn);
  expect(conn.state).toBe('ESTABLISHED');
  return conn;
}

/** Passive open completed: the peer's SYN at t=0, its ACK of our SYN,ACK at t=10. */
export function acceptedEstablished(config: Partial<ConnectionConfig> = PLAIN): Connection {
  const conn = Connection.acceptSyn(
    0,
    seg({ flags: 'S', seq: IRS, options: MSS_1460 }),
    opts(config),
  );
  expectSegments(conn, 0, [{ flags: 'S.', seq: ISS, ack: IRS + 1 }]);
  send(conn, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 10);
  expectNothing(conn, 10);
  events(conn);
  expect(conn.state).toBe('ESTABLISHED');
  return conn;
}

export function expectState(conn: Connection, state: TcpState): void {
  expect(conn.state).toBe(state);
}

/**
 * Index of the first difference between two byte arrays, or -1 when equal (vitest's deep
 * equality is slow on large typed arrays).
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}

/**
 * A sender with SACK, the setup of the recovery tests: established with a peer whose SYN,ACK
 * offered SACK (`syn`), `count` segments of `mss` queued and the first window sent at t=20;
 * the RTO floor is 1 s so that a test's ACKs come before any timeout.
 */
export function sackSender(
  count: number,
  config: Partial<ConnectionConfig> = {},
  { mss = 1460, syn = SACK_OK }: { mss?: number; syn?: TcpOption[] } = {},
): Connection {
  const c = established({ ...PLAIN, sack: true, minRto: 1000, ...config }, syn);
  c.send(new Uint8Array(count * mss));
  expect(c.pollTransmit(20)).toBeDefined();
  for (let x = c.pollTransmit(20); x; x = c.pollTransmit(20));
  return c;
}

/**
 * For a sackSender's segments of `mss`: `s(n)`, the sequence number where our n-th segment
 * starts, and `ack(n, blocks, ts)`, the peer's ACK up to it with SACK blocks and, if given, a
 * timestamp option [TSval, TSecr].
 */
export function dataAcks(mss = 1460) {
  const s = (n: number) => (ISS + 1 + n * mss) >>> 0;
  const ack = (n: number, blocks: Array<[number, number]> = [], ts?: [number, number]) => {
    const options: TcpOption[] = [];
    if (ts !== undefined) options.push({ kind: 'timestamp', value: ts[0], echo: ts[1] });
    if (blocks.length > 0) options.push(...sackOption(blocks));
    return seg({ flags: '.', seq: IRS + 1, ack: s(n), options });
  };
  return { s, ack };
}
