/**
 * Classic libpcap files: a 24-byte file header (magic, version 2.4, snaplen, link type) and
 * records of a 16-byte header (seconds, micro- or nanoseconds, captured length, original
 * length) followed by the captured bytes. Written little-endian with microsecond stamps and
 * LINKTYPE_RAW (IPv4 packets, no link header); read in either byte order and either precision.
 */
import type { ParseResult } from './types.js';

/** Raw IP: the packet starts with the IP header (LINKTYPE_RAW in the tcpdump.org registry). */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_LINUX_SLL2 = 276;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;
const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
export const DEFAULT_SNAPLEN = 262144;

export interface PcapPacket {
  /** Capture time in milliseconds since the epoch (or since the simulation's start), fractional. */
  timeMs: number;
  /** The captured bytes (a view into the file for `readPcap`). */
  data: Uint8Array;
  /** The packet's length on the wire; larger than `data.length` when the capture cut it. */
  originalLength: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  /** 'us' or 'ns': the precision of the file's timestamps. */
  precision: 'us' | 'ns';
  packets: PcapPacket[];
}

export interface PcapWriterOptions {
  linktype?: number;
  snaplen?: number;
}

/**
 * Builds a pcap file in memory. Each `addPacket` returns the bytes it appended (so a caller can
 * stream them to a file) and keeps them for `toBytes()`.
 */
export class PcapWriter {
  readonly linktype: number;
  readonly snaplen: number;
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  constructor(options: PcapWriterOptions = {}) {
    this.linktype = options.linktype ?? LINKTYPE_RAW;
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    const header = new Uint8Array(FILE_HEADER_LENGTH);
    const view = new DataView(header.buffer);
    view.setUint32(0, MAGIC_MICRO, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    // thiszone and sigfigs are 0 (timestamps are UTC), as every modern writer leaves them.
    view.setUint32(16, this.snaplen, true);
    view.setUint32(20, this.linktype, true);
    this.push(header);
  }

  /** The file header, for a caller that streams chunks (the first chunk of `toBytes()`). */
  get header(): Uint8Array {
    return this.chunks[0];
  }

  /**
   * Appends one packet captured at `timeMs` (milliseconds, fractional allowed, not negative).
   * Packets longer than the snaplen are cut to it and keep their original length.
   */
  addPacket(timeMs: number, data: Uint8Array, originalLength = data.length): Uint8Array {
    if (!Number.isFinite(timeMs) || timeMs < 0)
      throw new RangeError(`pcap time ${timeMs} ms is not a time`);
    const captured = Math.min(data.length, this.snaplen);
    const record = new Uint8Array(RECORD_HEADER_LENGTH + captured);
    const view = new DataView(record.buffer);
    const totalMicros = Math.round(timeMs * 1000);
    const seconds = Math.floor(totalMicros / 1_000_000);
    view.setUint32(0, seconds >>> 0, true);
    view.setUint32(4, totalMicros - seconds * 1_000_000, true);
    view.setUint32(8, captured, true);
    view.setUint32(12, Math.max(originalLength, captured), true);
    record.set(captured === data.length ? data : data.subarray(0, captured), RECORD_HEADER_LENGTH);
    this.push(record);
    return record;
  }

  /** The whole file so far. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

/**
 * Reads a classic pcap file. Never throws: not a pcap file is 'bad-magic' (pcapng says so in the
 * detail), a cut file is 'truncated', a record longer than the snaplen allows is 'bad-total-length'.
 */
export function readPcap(bytes: Uint8Array): ParseResult<PcapFile> {
  if (bytes.length < 4)
    return { ok: false, reason: 'truncated', detail: `${bytes.length} bytes, no pcap magic` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  let littleEndian: boolean;
  let precision: 'us' | 'ns';
  if (magicLe === MAGIC_MICRO || magicLe === MAGIC_NANO) {
    littleEndian = true;
    precision = magicLe === MAGIC_NANO ? 'ns' : 'us';
  } else if (magicBe === MAGIC_MICRO || magicBe === MAGIC_NANO) {
    littleEndian = false;
    precision = magicBe === MAGIC_NANO ? 'ns' : 'us';
  } else if (magicLe === MAGIC_PCAPNG) {
    return {
      ok: false,
      reason: 'bad-magic',
      detail: 'a pcapng file; save it as classic pcap (editcap -F pcap)',
    };
  } else {
    return {
      ok: false,
      reason: 'bad-magic',
      detail: `magic 0x${magicBe.toString(16).padStart(8, '0')}`,
    };
  }
  if (bytes.length < FILE_HEADER_LENGTH) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `${bytes.length} bytes, the pcap file header needs 24`,
    };
  }
  const major = view.getUint16(4, littleEndian);
  if (major !== 2) return { ok: false, reason: 'bad-version', detail: `pcap version ${major}` };
  const snaplen = view.getUint32(16, littleEndian);
  // The upper bits of this field may carry FCS information; the link type is the low 16 bits.
  const linktype = view.getUint32(20, littleEndian) & 0xffff;
  const subsecondsPerSecond = precision === 'ns' ? 1e9 : 1e6;
  const packets: PcapPacket[] = [];
  let offset = FILE_HEADER_LENGTH;
  while (offset < bytes.length) {
    if (offset + RECORD_HEADER_LENGTH > bytes.length) {
      return { ok: false, reason: 'truncated', detail: `record header at byte ${offset} is cut` };
    }
    const seconds = view.getUint32(offset, littleEndian);
    const subseconds = view.getUint32(offset + 4, littleEndian);
    const captured = view.getUint32(offset + 8, littleEndian);
    const originalLength = view.getUint32(offset + 12, littleEndian);
    if (subseconds >= subsecondsPerSecond) {
      return {
        ok: false,
        reason: 'bad-total-length',
        detail: `record at byte ${offset}: subsecond field ${subseconds}`,
      };
    }
    // Writers never store more than the snaplen; a larger length means a corrupt record (libpcap
    // also accepts up to 256 KiB for files whose snaplen field is wrong).
    if (captured > Math.max(snaplen, DEFAULT_SNAPLEN)) {
      return {
        ok: false,
        reason: 'bad-total-length',
        detail: `record at byte ${offset} claims ${captured} bytes`,
      };
    }
    const start = offset + RECORD_HEADER_LENGTH;
    if (start + captured > bytes.length) {
      return {
        ok: false,
        reason: 'truncated',
        detail: `record at byte ${offset} claims ${captured} bytes, ${bytes.length - start} remain`,
      };
    }
    packets.push({
      timeMs: seconds * 1000 + (subseconds * 1000) / subsecondsPerSecond,
      data: bytes.subarray(start, start + captured),
      originalLength,
    });
    offset = start + captured;
  }
  return { ok: true, value: { linktype, snaplen, precision, packets } };
}

/**
 * The IPv4 packet inside one captured frame of the given link type: raw IP as is, Ethernet,
 * Linux cooked (SLL, SLL2) and BSD loopback headers removed. 'bad-linktype' for other link types
 * and for frames that carry something other than IPv4 (ARP, IPv6).
 */
export function ipv4FromFrame(linktype: number, frame: Uint8Array): ParseResult<Uint8Array> {
  let start: number;
  let etherType: number;
  switch (linktype) {
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
      if (frame.length > 0 && frame[0] >> 4 !== 4) {
        return {
          ok: false,
          reason: 'bad-linktype',
          detail: `IP version ${frame[0] >> 4}, not IPv4`,
        };
      }
      return { ok: true, value: frame };
    case LINKTYPE_ETHERNET:
      start = 14;
      etherType = frame.length >= 14 ? (frame[12] << 8) | frame[13] : 0;
      break;
    case LINKTYPE_LINUX_SLL:
      start = 16;
      etherType = frame.length >= 16 ? (frame[14] << 8) | frame[15] : 0;
      break;
    case LINKTYPE_LINUX_SLL2:
      start = 20;
      etherType = frame.length >= 20 ? (frame[0] << 8) | frame[1] : 0;
      break;
    case LINKTYPE_NULL:
      // A host-order 32-bit address family; AF_INET is 2 on every system.
      start = 4;
      etherType = frame.length >= 4 && (frame[0] === 2 || frame[3] === 2) ? 0x0800 : 0;
      break;
    default:
      return {
        ok: false,
        reason: 'bad-linktype',
        detail: `link type ${linktype} is not supported`,
      };
  }
  if (frame.length < start)
    return { ok: false, reason: 'truncated', detail: `frame of ${frame.length} bytes` };
  if (etherType !== 0x0800) {
    return {
      ok: false,
      reason: 'bad-linktype',
      detail: `frame carries 0x${etherType.toString(16).padStart(4, '0')}, not IPv4`,
    };
  }
  return { ok: true, value: frame.subarray(start) };
}
