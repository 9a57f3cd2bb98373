/**
 * SYN cookies (RFC 4987 3.6), laid out as Linux lays them out (net/ipv4/syncookies.c), so a
 * listener whose SYN queue is full keeps no state for a SYN and still completes a handshake.
 *
 * The SYN,ACK's ISN is H1(4-tuple) + the client's ISN + (count << 24) + ((H2(4-tuple, count) +
 * mssIndex) mod 2^24), count being a minute counter: the returning ACK's ack - 1 gives the
 * count back (valid for MAX_AGE minutes) and then the MSS index, which must be one of the
 * table's. When the SYN had timestamps, window scale and SACK-permitted ride in the low bits of
 * our TSval, which the ACK echoes; without timestamps they are lost, as on Linux.
 */

import { seqAdd, seqDiff } from '../wire/seq.js';
import { tupleBytes } from './address.js';
import type { SipKey } from './secret.js';
import { type SipKeyWords, siphash24Words, sipKeyWords } from './siphash.js';

/** Linux's msstab for IPv4 (net/ipv4/syncookies.c): the MSS a cookie can carry (2 bits). */
export const COOKIE_MSS = [536, 1300, 1440, 1460] as const;
/**
 * Linux's msstab for IPv6 (net/ipv6/syncookies.c): the 1280-byte IPv6 minimum MTU, a 1480-byte
 * tunnel (PPPoE, 6in4), Ethernet and a 9000-byte jumbo frame, each less 60 bytes of headers
 * (RFC 8200 8.3). An IPv6 peer never offers less than 1220, so IPv4's 536 would waste a slot
 * and turn its usual 1220 into 536.
 */
export const COOKIE_MSS6 = [1220, 1420, 1440, 8940] as const;
/** The time counter ticks once a minute (Linux tcp_cookie_time). */
const COUNT_MS = 60_000;
/** Linux MAX_SYNCOOKIE_AGE: a cookie is good for this many ticks. */
const MAX_AGE = 2;
const COOKIE_BITS = 24;
const COOKIE_MASK = (1 << COOKIE_BITS) - 1;
/** Linux TSOPT_BITS: 4 bits of window scale (15: none) and one of SACK-permitted. */
const TS_BITS = 6;
const TS_MASK = (1 << TS_BITS) - 1;
const WSCALE_NONE = 0xf;
const SACK_BIT = 1 << 4;

export interface CookieTuple {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/** What a cookie ACK gives back of its SYN. */
export interface CookieSyn {
  mss: number;
  /** The peer's window scale shift, if its SYN had one and timestamps carried it. */
  wscale: number | undefined;
  sackPermitted: boolean;
}

export type CookieCheck =
  | { ok: true; syn: CookieSyn }
  /** The time counter is older than MAX_AGE minutes (or from the future). */
  | { ok: false; reason: 'syn-cookie-stale' }
  /** The hash part does not decode to an MSS index: not one of our cookies. */
  | { ok: false; reason: 'syn-cookie-bad' };

export class SynCookies {
  private readonly key: SipKeyWords;

  constructor(key: SipKey) {
    this.key = sipKeyWords(key.k0, key.k1);
  }

  /** The ISN of a cookie SYN,ACK for a SYN with sequence number `synSeq` and this MSS. */
  isn(now: number, t: CookieTuple, synSeq: number, mss: number): number {
    const count = counter(now);
    const h1 = this.hash(t, 0, 0);
    const low = (this.hash(t, count, 1) + mssIndex(mssTable(t.localAddress), mss)) & COOKIE_MASK;
    return seqAdd(seqAdd(h1, synSeq), ((count & 0xff) * 2 ** COOKIE_BITS + low) >>> 0);
  }

  /** Checks `ack - 1` of the handshake's ACK (its seq - 1 being the SYN's sequence number). */
  check(now: number, t: CookieTuple, ack: number, seq: number): CookieCheck {
    const cookie = seqDiff(seqAdd(ack, -1), seqAdd(this.hash(t, 0, 0), seqAdd(seq, -1))) >>> 0;
    const count = counter(now);
    const age = (count - (cookie >>> COOKIE_BITS)) & 0xff;
    if (age >= MAX_AGE) return { ok: false, reason: 'syn-cookie-stale' };
    const index = (cookie - this.hash(t, (count - age) >>> 0, 1)) & COOKIE_MASK;
    const table = mssTable(t.localAddress);
    if (index >= table.length) return { ok: false, reason: 'syn-cookie-bad' };
    return { ok: true, syn: { mss: table[index], wscale: undefined, sackPermitted: false } };
  }

  private hash(t: CookieTuple, count: number, which: number): number {
    const { bytes, view, length } = tupleBytes(
      t.localAddress,
      t.localPort,
      t.remoteAddress,
      t.remotePort,
      5,
    );
    view.setUint32(length, count >>> 0);
    view.setUint8(length + 4, which);
    return siphash24Words(this.key, bytes);
  }
}

function counter(now: number): number {
  return Math.floor(now / COUNT_MS) >>> 0;
}

/**
 * The table for a connection's family, by its local address as the stack names it: IPv6 text,
 * or IPv4 (also IPv4-mapped, `::ffff:a.b.c.d`: those packets are IPv4, as Linux's cookie_v4).
 */
function mssTable(localAddress: string): readonly number[] {
  return localAddress.includes(':') && !localAddress.includes('.') ? COOKIE_MSS6 : COOKIE_MSS;
}

/** The largest table MSS not above the peer's (Linux __cookie_v4_init_sequence, v6 alike). */
function mssIndex(table: readonly number[], mss: number): number {
  for (let i = table.length - 1; i > 0; i--) if (mss >= table[i]) return i;
  return 0;
}

/** The MSS a cookie carries for a peer's MSS, over IPv4 or (`v6`) IPv6. */
export function cookieMss(mss: number, v6 = false): number {
  const table = v6 ? COOKIE_MSS6 : COOKIE_MSS;
  return table[mssIndex(table, mss)];
}

/**
 * Our SYN,ACK's TSval with the SYN's window scale and SACK-permitted in its low bits, never
 * above `tsNow` so that later TSvals still increase (Linux cookie_init_timestamp).
 */
export function cookieTsVal(tsNow: number, wscale: number | undefined, sack: boolean): number {
  const bits = (wscale ?? WSCALE_NONE) | (sack ? SACK_BIT : 0);
  let ts = ((tsNow & ~TS_MASK) | bits) >>> 0;
  if (seqDiff(ts, tsNow) > 0) ts = seqAdd(ts, -(1 << TS_BITS));
  return ts;
}

/** The options a cookie ACK's TSecr gives back (Linux cookie_timestamp_decode). */
export function cookieTsOptions(tsEcr: number): { wscale: number | undefined; sack: boolean } {
  const w = tsEcr & WSCALE_NONE;
  return { wscale: w === WSCALE_NONE ? undefined : w, sack: (tsEcr & SACK_BIT) !== 0 };
}
