/**
 * Classic libpcap files: a 24-byte file header (magic, version 2.4, thiszone, sigfigs, snaplen,
 * link type) and records of a 16-byte header (seconds, micro- or nanoseconds, captured length,
 * original length) followed by the captured bytes. Either byte order: the magic says which,
 * and whether the subsecond field counts micro- or nanoseconds.
 */
import { type BlockParser, type CaptureProblem, Frame } from './frame.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/** libpcap's largest snaplen (MAXIMUM_SNAPLEN); a record claiming more is corrupt. */
export const MAX_SNAPLEN = 262144;

export class ClassicPcapParser implements BlockParser {
  private header = false;
  private littleEndian = true;
  private subsecondsPerMs = 1000;
  private subsecondsPerSecond = 1e6;
  private linktype = 0;
  private maxCaptured = MAX_SNAPLEN;
  private readonly frame = new Frame();

  parse(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    offset: number,
    emit: (f: Frame) => void,
  ): number | CaptureProblem {
    const left = buf.length - pos;
    if (!this.header) {
      if (left < FILE_HEADER) return 0;
      const le = view.getUint32(pos, true);
      this.littleEndian = le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO;
      const magic = view.getUint32(pos, this.littleEndian);
      const nano = magic === PCAP_MAGIC_NANO;
      this.subsecondsPerSecond = nano ? 1e9 : 1e6;
      this.subsecondsPerMs = nano ? 1e6 : 1e3;
      const major = view.getUint16(pos + 4, this.littleEndian);
      if (major !== 2) {
        return { code: 'bad-header', offset: offset + 4, message: `pcap version ${major}, not 2` };
      }
      const snaplen = view.getUint32(pos + 16, this.littleEndian);
      this.maxCaptured = Math.max(snaplen, MAX_SNAPLEN);
      // The upper bits may carry FCS information; the link type is the low 16 bits.
      this.linktype = view.getUint32(pos + 20, this.littleEndian) & 0xffff;
      this.header = true;
      return FILE_HEADER;
    }
    if (left < RECORD_HEADER) return 0;
    const le = this.littleEndian;
    const seconds = view.getUint32(pos, le);
    const subseconds = view.getUint32(pos + 4, le);
    const captured = view.getUint32(pos + 8, le);
    const originalLength = view.getUint32(pos + 12, le);
    if (captured > this.maxCaptured) {
      return {
        code: 'bad-record',
        offset,
        message: `record claims ${captured} captured bytes, more than any snaplen (${this.maxCaptured})`,
      };
    }
    if (subseconds >= this.subsecondsPerSecond) {
      return {
        code: 'bad-record',
        offset: offset + 4,
        message: `record's subsecond field is ${subseconds}, not below ${this.subsecondsPerSecond}`,
      };
    }
    if (left < RECORD_HEADER + captured) return 0;
    const start = pos + RECORD_HEADER;
    emit(
      this.frame.fill(
        seconds * 1000 + subseconds / this.subsecondsPerMs,
        this.linktype,
        buf,
        start,
        captured,
        originalLength,
        offset,
      ),
    );
    return RECORD_HEADER + captured;
  }

  cut(buf: Uint8Array, view: DataView, pos: number, offset: number): CaptureProblem {
    const left = buf.length - pos;
    if (!this.header) {
      return {
        code: 'truncated',
        offset,
        message: `the file ends inside the 24-byte pcap header (${left} bytes)`,
      };
    }
    if (left < RECORD_HEADER) {
      return {
        code: 'truncated',
        offset,
        message: `the file ends inside a record header (${left} of 16 bytes)`,
      };
    }
    const captured = view.getUint32(pos + 8, this.littleEndian);
    return {
      code: 'truncated',
      offset,
      message: `the file ends inside a record of ${captured} bytes (${left - RECORD_HEADER} present)`,
    };
  }
}
