/**
 * Reads a capture file from byte chunks, in order, with memory bounded by the largest record:
 * `push` each chunk as it comes (a file stream, a dropped file's slices), `end` at the end of
 * the file. Frames go to the callback as soon as they are whole; the format (classic pcap in
 * either byte order and precision, or pcapng) is told by the first four bytes. The first
 * problem stops the reading and is kept in `problem` with its byte offset; every frame before
 * it has been delivered.
 */
import type { BlockParser, CaptureFormat, CaptureProblem, Frame } from './frame.js';
import { ClassicPcapParser, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from './pcap-classic.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng.js';

const EMPTY = new Uint8Array(0);

export class CaptureReader {
  format: CaptureFormat | undefined;
  problem: CaptureProblem | undefined;
  /** Bytes consumed: the offset of the first byte not yet read as part of a record. */
  offset = 0;
  frames = 0;
  private parser: BlockParser | undefined;
  private rest: Uint8Array = EMPTY;
  private readonly emit: (f: Frame) => void;

  constructor(onFrame: (f: Frame) => void) {
    this.emit = (f) => {
      this.frames++;
      onFrame(f);
    };
  }

  /** Reads what `chunk` completes; false once a problem has stopped the reading. */
  push(input: Uint8Array): boolean {
    if (this.problem) return false;
    if (input.length === 0) return true;
    let chunk = input;
    if (!this.parser) {
      const head = this.rest.length === 0 ? chunk : concat(this.rest, chunk);
      if (head.length < 4) {
        this.rest = head.slice();
        return true;
      }
      const detected = detect(head);
      if ('code' in detected) {
        this.problem = detected;
        return false;
      }
      this.format = detected.format;
      this.parser = detected.parser;
      this.rest = EMPTY;
      chunk = head;
    }
    // A record begun in an earlier chunk: complete it from the head of this one (a little at
    // a time, so a big chunk is not copied whole), then read the rest of the chunk in place.
    let start = 0;
    let take = Math.max(65536, this.rest.length);
    while (this.rest.length > 0) {
      const head = Math.min(chunk.length, take);
      const buf = concat(this.rest, chunk.subarray(0, head));
      const pos = this.run(buf, 0);
      if (pos < 0) return false;
      if (pos >= this.rest.length) {
        start = pos - this.rest.length;
        this.rest = EMPTY;
        break;
      }
      if (head === chunk.length) {
        this.rest = buf.slice(pos);
        return true;
      }
      if (pos > 0) this.rest = this.rest.slice(pos);
      take *= 2;
    }
    const pos = this.run(chunk, start);
    if (pos < 0) return false;
    // What is left is less than one record: copy it, since the caller may reuse its chunk.
    this.rest = pos === chunk.length ? EMPTY : chunk.slice(pos);
    return true;
  }

  /** Parses the whole records in `buf` from `from`: the position after them, or -1 on a problem. */
  private run(buf: Uint8Array, from: number): number {
    const parser = this.parser as BlockParser;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = from;
    while (pos < buf.length) {
      const used = parser.parse(buf, view, pos, this.offset, this.emit);
      if (typeof used !== 'number') {
        this.problem = used;
        this.rest = EMPTY;
        return -1;
      }
      if (used === 0) break;
      pos += used;
      this.offset += used;
    }
    return pos;
  }

  /** The end of the file: a record cut short is a problem (everything before it was read). */
  end(): CaptureProblem | undefined {
    if (this.problem) return this.problem;
    if (!this.parser) {
      this.problem =
        this.rest.length === 0
          ? { code: 'truncated', offset: 0, message: 'the file is empty' }
          : {
              code: 'truncated',
              offset: 0,
              message: `${this.rest.length} bytes, too short for a capture file`,
            };
      return this.problem;
    }
    if (this.rest.length > 0) {
      const view = new DataView(this.rest.buffer, this.rest.byteOffset, this.rest.byteLength);
      this.problem = this.parser.cut(this.rest, view, 0, this.offset);
    }
    return this.problem;
  }
}

function detect(buf: Uint8Array): { format: CaptureFormat; parser: BlockParser } | CaptureProblem {
  const view = new DataView(buf.buffer, buf.byteOffset, 4);
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  if (
    [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO].includes(le) ||
    [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO].includes(be)
  ) {
    return { format: 'pcap', parser: new ClassicPcapParser() };
  }
  if (le === PCAPNG_SHB) return { format: 'pcapng', parser: new PcapngParser() };
  return {
    code: 'bad-magic',
    offset: 0,
    message: `not a pcap or pcapng file (it starts 0x${be.toString(16).padStart(8, '0')})`,
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Reads a whole capture held in memory (tests, the web page's dropped file). */
export function readCaptureBytes(
  bytes: Uint8Array,
  onFrame: (f: Frame) => void,
): { format: CaptureFormat | undefined; problem: CaptureProblem | undefined; frames: number } {
  const reader = new CaptureReader(onFrame);
  reader.push(bytes);
  const problem = reader.end();
  return { format: reader.format, problem, frames: reader.frames };
}
