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
  push(chunk: Uint8Array): boolean {
    if (this.problem) return false;
    if (chunk.length === 0) return true;
    const buf = this.rest.length === 0 ? chunk : concat(this.rest, chunk);
    if (!this.parser) {
      if (buf.length < 4) {
        this.rest = buf.slice();
        return true;
      }
      const detected = detect(buf);
      if ('code' in detected) {
        this.problem = detected;
        return false;
      }
      this.format = detected.format;
      this.parser = detected.parser;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (pos < buf.length) {
      const used = this.parser.parse(buf, view, pos, this.offset, this.emit);
      if (typeof used !== 'number') {
        this.problem = used;
        this.rest = EMPTY;
        return false;
      }
      if (used === 0) break;
      pos += used;
      this.offset += used;
    }
    // What is left is less than one record: copy it, since the caller may reuse its chunk.
    this.rest = pos === buf.length ? EMPTY : buf.slice(pos);
    return true;
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
