/**
 * Plain, checked representations ("reprs") of the wire formats. Parsers in this folder turn
 * bytes into these and emitters turn these into bytes; the TCP engine works only with reprs.
 */

/** The result of a checked parse: never an exception. */
export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: ParseErrorReason; detail?: string };

export type ParseErrorReason =
  | 'truncated'
  | 'bad-version'
  | 'bad-header-length'
  | 'bad-total-length'
  | 'bad-checksum'
  | 'bad-data-offset'
  | 'bad-option'
  | 'not-tcp'
  | 'fragment'
  | 'bad-magic'
  | 'bad-linktype';

export interface TcpFlags {
  fin: boolean;
  syn: boolean;
  rst: boolean;
  psh: boolean;
  ack: boolean;
  urg: boolean;
  ece: boolean;
  cwr: boolean;
}

/**
 * One TCP option, in the order it appears on the wire. Keeping the layout (including NOP and
 * EOL) lets a parsed segment be emitted byte for byte and lets packetdrill-style checks compare
 * option order.
 */
export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  /** RFC 9293 3.2: maximum segment size, SYN only. */
  | { kind: 'mss'; value: number }
  /** RFC 7323 2: window scale shift count, SYN only. */
  | { kind: 'wscale'; shift: number }
  /** RFC 2018 2: SACK permitted, SYN only. */
  | { kind: 'sack-permitted' }
  /** RFC 2018 3: SACK blocks as [left, right) sequence-number pairs. */
  | { kind: 'sack'; blocks: Array<[number, number]> }
  /** RFC 7323 3: timestamps. */
  | { kind: 'timestamp'; value: number; echo: number }
  /** Any other option, skipped by its length on parse and emitted as is. */
  | { kind: 'unknown'; code: number; data: Uint8Array };

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: TcpFlags;
  /** The 16-bit window field as sent (not scaled). */
  window: number;
  urgentPointer: number;
  options: TcpOption[];
  payload: Uint8Array;
}

export interface Ipv4Header {
  /** Differentiated services code point and ECN bits (the old TOS byte). */
  tos: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  /** Dotted-quad text, e.g. "192.0.2.1". */
  src: string;
  dst: string;
  /** Raw IP options bytes (usually empty). */
  options: Uint8Array;
}

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
