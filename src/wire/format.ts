/**
 * One-line text for segments, in the notation of packetdrill scripts and classic tcpdump
 * (`S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>`), and a shorter
 * label for sequence diagrams (`SYN,ACK seq=0 ack=1 win=65535`).
 */
import { flagLetters, formatFlags } from './flags.js';
import { seqAdd } from './seq.js';
import type { Ipv4Header, TcpOption, TcpSegment } from './types.js';

export interface SeqBases {
  /** Subtracted from `seq` (and SACK blocks): usually the sender's ISS, to show relative numbers. */
  seqBase?: number;
  /** Subtracted from `ack`: usually the peer's ISS. */
  ackBase?: number;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * One option as packetdrill writes it; `sackBase` makes SACK blocks relative (they acknowledge
 * the peer's data, so the base is the one used for `ack`).
 */
export function formatOption(option: TcpOption, sackBase = 0): string {
  switch (option.kind) {
    case 'eol':
      return 'eol';
    case 'nop':
      return 'nop';
    case 'mss':
      return `mss ${option.value}`;
    case 'wscale':
      return `wscale ${option.shift}`;
    case 'sack-permitted':
      return 'sackOK';
    case 'sack':
      return `sack ${option.blocks.map(([l, r]) => `${seqAdd(l, -sackBase)}:${seqAdd(r, -sackBase)}`).join(' ')}`;
    case 'timestamp':
      return `TS val ${option.value} ecr ${option.echo}`;
    case 'unknown':
      return option.data.length > 0
        ? `opt-${option.code} ${hex(option.data)}`
        : `opt-${option.code}`;
  }
}

/** The options list as "mss 1460,nop,wscale 7"; empty when there are none. */
export function formatOptions(options: readonly TcpOption[], sackBase = 0): string {
  return options.map((o) => formatOption(o, sackBase)).join(',');
}

/**
 * A segment as packetdrill scripts write it: flags in tcpdump letters ("." is ACK), then
 * `start:end(length)` in sequence space of the data (SYN and FIN not counted), `ack`, `win`,
 * `urg`, and the options in angle brackets.
 */
export function formatSegment(seg: TcpSegment, bases: SeqBases = {}): string {
  const seq = seqAdd(seg.seq, -(bases.seqBase ?? 0));
  const length = seg.payload.length;
  let out = `${flagLetters(seg.flags)} ${seq}:${seqAdd(seq, length)}(${length})`;
  if (seg.flags.ack) out += ` ack ${seqAdd(seg.ack, -(bases.ackBase ?? 0))}`;
  out += ` win ${seg.window}`;
  if (seg.flags.urg) out += ` urg ${seg.urgentPointer}`;
  if (seg.options.length > 0) out += ` <${formatOptions(seg.options, bases.ackBase ?? 0)}>`;
  return out;
}

/** tcpdump's address form: "192.0.2.1.443 > 198.51.100.7.51000: S 0:0(0) win ...". */
export function formatPacket(
  ip: Pick<Ipv4Header, 'src' | 'dst'>,
  seg: TcpSegment,
  bases: SeqBases = {},
): string {
  return `${ip.src}.${seg.srcPort} > ${ip.dst}.${seg.dstPort}: ${formatSegment(seg, bases)}`;
}

export interface DescribeOptions extends SeqBases {
  /** Append the options in angle brackets (default false: diagram labels stay short). */
  withOptions?: boolean;
}

/**
 * A short label for an arrow in a sequence diagram: the comma flags, `seq`, `ack` when ACK is
 * set, `win`, and `len` when there is data; e.g. "SYN,ACK seq=0 ack=1 win=65535" or
 * "PSH,ACK seq=1 ack=1 win=502 len=120". A segment with no flags is labelled "none".
 */
export function describeSegment(seg: TcpSegment, options: DescribeOptions = {}): string {
  const flags = formatFlags(seg.flags);
  let out = `${flags === '' ? 'none' : flags} seq=${seqAdd(seg.seq, -(options.seqBase ?? 0))}`;
  if (seg.flags.ack) out += ` ack=${seqAdd(seg.ack, -(options.ackBase ?? 0))}`;
  out += ` win=${seg.window}`;
  if (seg.payload.length > 0) out += ` len=${seg.payload.length}`;
  if (seg.flags.urg) out += ` urg=${seg.urgentPointer}`;
  if (options.withOptions === true && seg.options.length > 0) {
    out += ` <${formatOptions(seg.options, options.ackBase ?? 0)}>`;
  }
  return out;
}
