/**
 * pcapng (the IETF draft "PCAP Next Generation Dump File Format", Wireshark's default): a file
 * is sections, each a Section Header Block (with its own byte order) followed by Interface
 * Description Blocks and packet blocks. Every block is type, total length, body, total length
 * again. Read here: SHB, IDB (link type, snaplen, if_tsresol, if_tsoffset), Enhanced and
 * Simple Packet Blocks and the obsolete Packet Block; every other block and every option is
 * skipped by its length.
 */
import { type BlockParser, type CaptureProblem, Frame } from './frame.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PACKET = 2;
const SPB = 3;
const EPB = 6;
const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
/**
 * The largest block accepted: a packet of the largest snaplen plus headers and options, with
 * room to spare for name-resolution or custom blocks; a longer one means a corrupt length,
 * and waiting for it would hold the whole file in memory.
 */
export const MAX_BLOCK = 16 * 1024 * 1024;

interface Interface {
  linktype: number;
  snaplen: number;
  /** Milliseconds per timestamp unit. */
  msPerUnit: number;
  /** if_tsoffset, in milliseconds. */
  offsetMs: number;
}

export class PcapngParser implements BlockParser {
  private littleEndian = true;
  private interfaces: Interface[] = [];
  /** Simple Packet Blocks have no time: they get the time of the packet before them. */
  private lastTime = 0;
  private sections = 0;
  private readonly frame = new Frame();

  parse(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    offset: number,
    emit: (f: Frame) => void,
  ): number | CaptureProblem {
    const left = buf.length - pos;
    if (left < 12) return 0;
    const typeLe = view.getUint32(pos, true);
    if (typeLe === PCAPNG_SHB) {
      const bom = view.getUint32(pos + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else {
        return {
          code: 'bad-block',
          offset: offset + 8,
          message: `section header's byte-order magic is 0x${bom.toString(16)}`,
        };
      }
    } else if (this.sections === 0) {
      return { code: 'bad-block', offset, message: 'pcapng file without a section header first' };
    }
    const le = this.littleEndian;
    const type = view.getUint32(pos, le);
    const length = view.getUint32(pos + 4, le);
    if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
      return {
        code: 'bad-block',
        offset: offset + 4,
        message: `block of type 0x${type.toString(16)} claims a length of ${length} bytes`,
      };
    }
    if (left < length) return 0;
    if (view.getUint32(pos + length - 4, le) !== length) {
      return {
        code: 'bad-block',
        offset: offset + length - 4,
        message: `block of type 0x${type.toString(16)}: its trailing length is not ${length}`,
      };
    }
    const body = length - 12;
    switch (type) {
      case PCAPNG_SHB: {
        if (body < 16) return tooShort(offset, 'section header', length);
        const major = view.getUint16(pos + 12, le);
        if (major !== 1) {
          return {
            code: 'bad-block',
            offset: offset + 12,
            message: `pcapng version ${major}, not 1`,
          };
        }
        this.sections++;
        // Interface ids are numbered per section.
        this.interfaces = [];
        break;
      }
      case IDB: {
        if (body < 8) return tooShort(offset, 'interface description', length);
        const iface: Interface = {
          linktype: view.getUint16(pos + 8, le),
          snaplen: view.getUint32(pos + 12, le),
          msPerUnit: 1e-3,
          offsetMs: 0,
        };
        const bad = this.options(view, pos + 16, pos + length - 4, offset, iface);
        if (bad) return bad;
        this.interfaces.push(iface);
        break;
      }
      case EPB:
      case OBSOLETE_PACKET: {
        if (body < 20) return tooShort(offset, 'packet', length);
        const id = type === EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
        const iface = this.interfaces[id];
        if (iface === undefined) return noInterface(offset + 8, id, this.interfaces.length);
        const captured = view.getUint32(pos + 20, le);
        if (28 + captured > length - 4) {
          return {
            code: 'bad-block',
            offset: offset + 20,
            message: `packet block claims ${captured} captured bytes in a ${length}-byte block`,
          };
        }
        const high = view.getUint32(pos + 12, le);
        const low = view.getUint32(pos + 16, le);
        const timeMs = (high * 4294967296 + low) * iface.msPerUnit + iface.offsetMs;
        this.lastTime = timeMs;
        const original = view.getUint32(pos + 24, le);
        emit(this.frame.fill(timeMs, iface.linktype, buf, pos + 28, captured, original, offset));
        break;
      }
      case SPB: {
        if (body < 4) return tooShort(offset, 'simple packet', length);
        const iface = this.interfaces[0];
        if (iface === undefined) return noInterface(offset, 0, 0);
        const originalLength = view.getUint32(pos + 8, le);
        // The captured length is the original cut to the snaplen and to what the block holds.
        let captured = Math.min(originalLength, length - 16);
        if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
        emit(
          this.frame.fill(
            this.lastTime,
            iface.linktype,
            buf,
            pos + 12,
            captured,
            originalLength,
            offset,
          ),
        );
        break;
      }
      default:
        // Name resolution, statistics, decryption secrets, custom blocks: not ours.
        break;
    }
    return length;
  }

  /** Reads the interface options this reader needs; skips every other by its length. */
  private options(
    view: DataView,
    start: number,
    end: number,
    offset: number,
    iface: Interface,
  ): CaptureProblem | undefined {
    const le = this.littleEndian;
    let p = start;
    while (p + 4 <= end) {
      const code = view.getUint16(p, le);
      const len = view.getUint16(p + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (p + 4 + len > end) {
        return {
          code: 'bad-block',
          offset: offset + (p - start) + 16,
          message: `interface option ${code} claims ${len} bytes past the block's end`,
        };
      }
      if (code === IF_TSRESOL && len >= 1) {
        const v = view.getUint8(p + 4);
        // High bit clear: 10^-v seconds per unit; set: 2^-(v & 0x7f).
        const unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        iface.msPerUnit = 1000 / unitsPerSecond;
      } else if (code === IF_TSOFFSET && len >= 8) {
        const high = view.getInt32(p + 4 + (le ? 4 : 0), le);
        const low = view.getUint32(p + 4 + (le ? 0 : 4), le);
        iface.offsetMs = (high * 4294967296 + low) * 1000;
      }
      p += 4 + ((len + 3) & ~3);
    }
    return undefined;
  }

  cut(buf: Uint8Array, view: DataView, pos: number, offset: number): CaptureProblem {
    const left = buf.length - pos;
    if (left >= 8) {
      const length = view.getUint32(pos + 4, this.littleEndian);
      return {
        code: 'truncated',
        offset,
        message: `the file ends inside a block of ${length} bytes (${left} present)`,
      };
    }
    return {
      code: 'truncated',
      offset,
      message: `the file ends inside a block header (${left} of 8 bytes)`,
    };
  }
}

function tooShort(offset: number, what: string, length: number): CaptureProblem {
  return { code: 'bad-block', offset, message: `${what} block of ${length} bytes is too short` };
}

function noInterface(offset: number, id: number, count: number): CaptureProblem {
  return {
    code: 'bad-block',
    offset,
    message: `packet on interface ${id}, but the section describes ${count}`,
  };
}
