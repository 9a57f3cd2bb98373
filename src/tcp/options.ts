/**
 * The TCP options a connection puts on its segments and reads from the peer's: MSS (RFC 9293
 * 3.7.1), window scale and timestamps (RFC 7323), SACK (RFC 2018). Layouts are 4-byte aligned
 * with NOPs the way real stacks lay them out, so captures look familiar.
 */
import { findOption } from '../wire/tcp-options.js';
import type { TcpOption, TcpSegment } from '../wire/types.js';

/** Which real stack's SYN option order to copy. */
export type SynOptionLayout = 'linux' | 'freebsd';

/** RFC 7323 (2.3): the shift count is at most 14. */
export const MAX_WSCALE = 14;

/** The two values of an RFC 7323 timestamps option. */
export interface Timestamp {
  value: number;
  echo: number;
}

export interface SynOffer {
  mss: number;
  wscale: number | undefined;
  sackPermitted: boolean;
  ts: Timestamp | undefined;
}

/** What the peer's SYN (or SYN,ACK) offered. */
export interface PeerSynOptions {
  mss: number | undefined;
  wscale: number | undefined;
  sackPermitted: boolean;
  tsValue: number | undefined;
}

/**
 * Options for a SYN or SYN,ACK. Linux: mss, sackOK, TS, nop, wscale (NOPs fill in where SACK or
 * TS is absent). FreeBSD (tcp_addoptions): mss, wscale, sackOK, TS in that order, each aligned
 * by NOPs (wscale at an odd offset, sackOK at an even one, TS at 2 mod 4), then EOL and padding
 * to a 4-byte boundary: `mss,nop,wscale,sackOK,TS` with everything, `mss,sackOK,eol,eol`
 * with SACK alone, `mss,nop,nop,TS` with timestamps alone.
 */
export function synOptions(layout: SynOptionLayout, o: SynOffer): TcpOption[] {
  const out: TcpOption[] = [{ kind: 'mss', value: o.mss }];
  const ts: TcpOption | undefined = o.ts
    ? { kind: 'timestamp', value: o.ts.value, echo: o.ts.echo }
    : undefined;
  const nop: TcpOption = { kind: 'nop' };
  if (layout === 'freebsd') return freebsdSynOptions(out, o, ts);
  if (o.sackPermitted && ts) out.push({ kind: 'sack-permitted' }, ts);
  else if (ts) out.push(nop, nop, ts);
  else if (o.sackPermitted) out.push(nop, nop, { kind: 'sack-permitted' });
  if (o.wscale !== undefined) out.push(nop, { kind: 'wscale', shift: o.wscale });
  return out;
}

/** Option lengths (RFC 9293 3.2, RFC 7323, RFC 2018) for the FreeBSD alignment rules. */
const MSS_LEN = 4;
const WSCALE_LEN = 3;
const SACK_PERMITTED_LEN = 2;
const TIMESTAMP_LEN = 10;

function freebsdSynOptions(out: TcpOption[], o: SynOffer, ts: TcpOption | undefined): TcpOption[] {
  let length = MSS_LEN;
  const padUntil = (aligned: (n: number) => boolean): void => {
    while (!aligned(length)) {
      out.push({ kind: 'nop' });
      length++;
    }
  };
  if (o.wscale !== undefined) {
    padUntil((n) => n % 2 === 1);
    out.push({ kind: 'wscale', shift: o.wscale });
    length += WSCALE_LEN;
  }
  if (o.sackPermitted) {
    padUntil((n) => n % 2 === 0);
    out.push({ kind: 'sack-permitted' });
    length += SACK_PERMITTED_LEN;
  }
  if (ts) {
    padUntil((n) => n % 4 === 2);
    out.push(ts);
    length += TIMESTAMP_LEN;
  }
  // EOL ends the list; the emitter pads the rest of the 4-byte word with zeros (more EOLs).
  if (length % 4 !== 0) out.push({ kind: 'eol' });
  return out;
}

/** Options for a non-SYN segment: nop, nop, TS, then nop, nop, SACK blocks. */
/** Shared by every segment's padding (options are never written after they are built). */
const NOP: TcpOption = Object.freeze({ kind: 'nop' });

export function segmentOptions(
  ts: Timestamp | undefined,
  sack: Array<[number, number]>,
): TcpOption[] {
  const stamp: TcpOption | undefined =
    ts === undefined ? undefined : { kind: 'timestamp', value: ts.value, echo: ts.echo };
  if (sack.length === 0) return stamp === undefined ? [] : [NOP, NOP, stamp];
  const out: TcpOption[] = stamp === undefined ? [] : [NOP, NOP, stamp];
  out.push(NOP, NOP, { kind: 'sack', blocks: sack });
  return out;
}

/**
 * SACK blocks that fit next to the other options (RFC 2018 3: 40 option bytes, so 4 blocks,
 * or 3 with timestamps).
 */
export function maxSackBlocks(timestamps: boolean): number {
  return timestamps ? 3 : 4;
}

export function readSynOptions(seg: TcpSegment): PeerSynOptions {
  const r: PeerSynOptions = {
    mss: undefined,
    wscale: undefined,
    sackPermitted: false,
    tsValue: undefined,
  };
  for (const o of seg.options) {
    if (o.kind === 'mss') r.mss = o.value;
    else if (o.kind === 'wscale') r.wscale = Math.min(o.shift, MAX_WSCALE);
    else if (o.kind === 'sack-permitted') r.sackPermitted = true;
    else if (o.kind === 'timestamp') r.tsValue = o.value;
  }
  return r;
}

export function readTimestamp(seg: TcpSegment): Timestamp | undefined {
  return findOption(seg, 'timestamp');
}

export function readSackBlocks(seg: TcpSegment): Array<[number, number]> {
  return findOption(seg, 'sack')?.blocks ?? [];
}
