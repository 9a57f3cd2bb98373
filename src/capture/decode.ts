/**
 * A captured frame down to its TCP header: the link layer (link.ts), IPv4 (RFC 791) or IPv6
 * (RFC 8200, extension headers walked by their lengths), then the fixed TCP header and, on
 * SYNs, the options that matter to an observer. A passive decoder: nothing is checked that a
 * capture cannot vouch for (checksums are often left to the NIC), and the TCP payload length
 * comes from the IP header, so a frame cut by the snaplen still counts all its bytes.
 */
import { formatIpv4, formatIpv6 } from '../util/address-text.js';
import type { Frame } from './frame.js';
import { ipInFrame } from './link.js';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

const IPPROTO_TCP = 6;

const EMPTY = new Uint8Array(0);

/**
 * One decoded TCP segment. The decoder refills a single instance for every frame (decoding
 * allocates nothing per packet): read it before decoding the next frame. The addresses stay
 * bytes in the frame (`srcAt`, `dstAt`); their text is made only when asked for.
 */
export class TcpPacket {
  timeMs = 0;
  /** File offset of the frame's record. */
  offset = 0;
  version: 4 | 6 = 4;
  /** The frame's bytes; the addresses (4 or 16 bytes) start at `srcAt` and `dstAt`. */
  bytes: Uint8Array = EMPTY;
  srcAt = 0;
  dstAt = 0;
  /** IPv4 addresses as numbers (for the connection table's keys); -1 for IPv6. */
  srcNum = -1;
  dstNum = -1;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  /** The control bits byte (FIN 0x01 … CWR 0x80). */
  flags = 0;
  /** The window field as sent, not scaled. */
  win = 0;
  /** Payload bytes, from the IP lengths (not from what was captured). */
  len = 0;
  /** The window scale option of a SYN, when it was captured. */
  wscale: number | undefined = undefined;
  mss: number | undefined = undefined;
  /** The capture cut the frame inside the TCP header or options. */
  cut = false;

  /** The source address as text (dotted IPv4, RFC 5952 IPv6). */
  get src(): string {
    return this.version === 4
      ? ipv4Cached(this.srcNum, this.bytes, this.srcAt)
      : formatIpv6(this.bytes, this.srcAt);
  }

  get dst(): string {
    return this.version === 4
      ? ipv4Cached(this.dstNum, this.bytes, this.dstAt)
      : formatIpv6(this.bytes, this.dstAt);
  }
}

export type SkipReason =
  | 'not-ip'
  | 'not-tcp'
  | 'fragment'
  | 'truncated'
  | 'bad-header'
  | 'unsupported-linktype';

export type Decoded = { ok: true; packet: TcpPacket } | { ok: false; reason: SkipReason };

const SKIPS = new Map<SkipReason, Decoded>();
const skip = (reason: SkipReason): Decoded => {
  let d = SKIPS.get(reason);
  if (!d) {
    d = { ok: false, reason };
    SKIPS.set(reason, d);
  }
  return d;
};

/** The packet and result objects, refilled for every frame (see TcpPacket). */
const PACKET = new TcpPacket();
const DECODED: Decoded = { ok: true, packet: PACKET };

/** RFC 8200 section 4: the extension headers whose length is (byte 1 + 1) * 8. */
const EXT_8 = new Set([0, 43, 60, 135, 139, 140]);
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;

export function decodeFrame(frame: Frame): Decoded {
  const d = frame.bytes;
  const end = frame.start + frame.length;
  const link = ipInFrame(frame.linktype, d, frame.start, end);
  if (!link.ok) return skip(link.reason);
  let p = link.start;
  let srcAt: number;
  let dstAt: number;
  let srcNum = -1;
  let dstNum = -1;
  let proto: number;
  let tcpLength: number;
  if (link.version === 4) {
    if (end < p + 20) return skip('truncated');
    if (d[p] >> 4 !== 4) return skip('bad-header');
    const ihl = (d[p] & 0x0f) * 4;
    if (ihl < 20) return skip('bad-header');
    const total = (d[p + 2] << 8) | d[p + 3];
    const fragment = ((d[p + 6] << 8) | d[p + 7]) & 0x3fff;
    // More-fragments set or a non-zero offset: a piece of a datagram, not reassembled here.
    if (fragment !== 0) return skip('fragment');
    proto = d[p + 9];
    srcNum = u32(d, p + 12);
    dstNum = u32(d, p + 16);
    srcAt = p + 12;
    dstAt = p + 16;
    // A total length of 0 is what captures of TCP segmentation offload show: use the frame.
    const ipLength = total === 0 ? frame.originalLength - (p - frame.start) : total;
    if (ipLength < ihl) return skip('bad-header');
    tcpLength = ipLength - ihl;
    p += ihl;
  } else {
    if (end < p + 40) return skip('truncated');
    if (d[p] >> 4 !== 6) return skip('bad-header');
    const payload = (d[p + 4] << 8) | d[p + 5];
    let next = d[p + 6];
    srcAt = p + 8;
    dstAt = p + 24;
    // A payload length of 0 is a jumbogram or offload: use the frame.
    tcpLength = payload === 0 ? frame.originalLength - (p - frame.start) - 40 : payload;
    p += 40;
    for (;;) {
      if (EXT_8.has(next) || next === IPV6_AH || next === IPV6_FRAGMENT) {
        if (end < p + 8) return skip('truncated');
        let len: number;
        if (next === IPV6_FRAGMENT) {
          const word = (d[p + 2] << 8) | d[p + 3];
          if (word >> 3 !== 0 || (word & 1) === 1) return skip('fragment');
          len = 8;
        } else if (next === IPV6_AH) {
          len = (d[p + 1] + 2) * 4;
        } else {
          len = (d[p + 1] + 1) * 8;
        }
        next = d[p];
        p += len;
        tcpLength -= len;
        if (tcpLength < 0) return skip('bad-header');
        continue;
      }
      break;
    }
    proto = next;
  }
  if (proto !== IPPROTO_TCP) return skip('not-tcp');
  // Ports, numbers, data offset, flags and window: the first 16 bytes are what an observer needs.
  if (end < p + 16) return skip('truncated');
  const dataOffset = (d[p + 12] >> 4) * 4;
  if (dataOffset < 20 || dataOffset > tcpLength) return skip('bad-header');
  const flags = d[p + 13];
  const packet = PACKET;
  packet.timeMs = frame.timeMs;
  packet.offset = frame.offset;
  packet.version = link.version;
  packet.bytes = d;
  packet.srcAt = srcAt;
  packet.dstAt = dstAt;
  packet.srcNum = srcNum;
  packet.dstNum = dstNum;
  packet.sport = (d[p] << 8) | d[p + 1];
  packet.dport = (d[p + 2] << 8) | d[p + 3];
  packet.seq = u32(d, p + 4);
  packet.ack = u32(d, p + 8);
  packet.flags = flags;
  packet.win = (d[p + 14] << 8) | d[p + 15];
  packet.len = tcpLength - dataOffset;
  packet.cut = end < p + dataOffset;
  packet.wscale = undefined;
  packet.mss = undefined;
  if (flags & SYN) synOptions(d, p + 20, Math.min(end, p + dataOffset), packet);
  return DECODED;
}

function u32(d: Uint8Array, p: number): number {
  return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
}

/**
 * The text of IPv4 addresses seen before: a capture has few addresses and many packets, and
 * one string per address also makes comparing them cheap. Bounded: emptied when it is full.
 */
const IPV4_TEXT = new Map<number, string>();

function ipv4Cached(n: number, d: Uint8Array, p: number): string {
  let text = IPV4_TEXT.get(n);
  if (text === undefined) {
    if (IPV4_TEXT.size >= 65536) IPV4_TEXT.clear();
    text = formatIpv4(d, p);
    IPV4_TEXT.set(n, text);
  }
  return text;
}

/** MSS and window scale from a SYN's options (RFC 9293 3.2, RFC 7323 2.2), what was captured. */
function synOptions(d: Uint8Array, start: number, end: number, packet: TcpPacket): void {
  let p = start;
  while (p < end) {
    const kind = d[p];
    if (kind === 0) return;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return;
    const len = d[p + 1];
    if (len < 2 || p + len > end) return;
    if (kind === 2 && len === 4) packet.mss = (d[p + 2] << 8) | d[p + 3];
    // RFC 7323 2.3: a shift above 14 is used as 14.
    if (kind === 3 && len === 3) packet.wscale = Math.min(d[p + 2], 14);
    p += len;
  }
}

/** The comma form the sim's story uses: SYN,FIN,RST first, then PSH, ACK, URG, ECE, CWR. */
const ORDER: ReadonlyArray<readonly [number, string]> = [
  [SYN, 'SYN'],
  [FIN, 'FIN'],
  [RST, 'RST'],
  [PSH, 'PSH'],
  [ACK, 'ACK'],
  [URG, 'URG'],
  [ECE, 'ECE'],
  [CWR, 'CWR'],
];

const FLAG_TEXT: string[] = [];
for (let b = 0; b < 256; b++) {
  FLAG_TEXT.push(
    ORDER.filter(([bit]) => b & bit)
      .map(([, name]) => name)
      .join(','),
  );
}

export function flagsText(flags: number): string {
  return FLAG_TEXT[flags & 0xff];
}
