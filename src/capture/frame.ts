/**
 * What the capture readers (pcap-classic.ts, pcapng.ts) hand on: one captured frame at a time,
 * with its link type and time, and the one-line problem that stopped a file.
 *
 * Layer capture/ (beside scenario/ and drill/): captures read back into stories. Pure: bytes
 * come in as chunks from whoever reads the file (the CLI streams it), time is the capture's own.
 * May import: scenario/, wire/, state/, util/ (lint/layers.cjs, biome.json).
 */

const EMPTY = new Uint8Array(0);

/**
 * One frame, reused by its reader for every record (so reading allocates nothing per packet):
 * read it in the callback that receives it, and keep only what the decoding returns.
 */
export class Frame {
  /** Capture time in milliseconds since the Unix epoch, fractional (µs or finer). */
  timeMs = 0;
  /** LINKTYPE_* of the interface it was captured on (the tcpdump.org registry). */
  linktype = 0;
  /** The frame's length on the wire; more than `length` when the snaplen cut it. */
  originalLength = 0;
  /** The byte offset of the frame's record (or block) in the file. */
  offset = 0;
  /** The captured bytes are `bytes[start, start + length)`, a part of the reader's buffer. */
  bytes: Uint8Array = EMPTY;
  start = 0;
  length = 0;

  /** The captured bytes as their own view. */
  get data(): Uint8Array {
    return this.bytes.subarray(this.start, this.start + this.length);
  }

  static of(linktype: number, data: Uint8Array, timeMs = 0, originalLength = data.length): Frame {
    return new Frame().fill(timeMs, linktype, data, 0, data.length, originalLength, 0);
  }

  fill(
    timeMs: number,
    linktype: number,
    bytes: Uint8Array,
    start: number,
    length: number,
    originalLength: number,
    offset: number,
  ): Frame {
    this.timeMs = timeMs;
    this.linktype = linktype;
    this.bytes = bytes;
    this.start = start;
    this.length = length;
    this.originalLength = Math.max(originalLength, length);
    this.offset = offset;
    return this;
  }
}

/** Why a file could not be read to its end; `offset` is where the problem starts. */
export interface CaptureProblem {
  code: 'bad-magic' | 'bad-header' | 'bad-record' | 'bad-block' | 'truncated';
  offset: number;
  message: string;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** One file format's record parser over the reader's buffer. */
export interface BlockParser {
  /**
   * Parses one record or block at `pos`: the bytes it used, 0 when more bytes are needed, or
   * the problem. `offset` is `pos`'s offset in the file.
   */
  parse(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    offset: number,
    emit: (f: Frame) => void,
  ): number | CaptureProblem;
  /** What to say when the file ends with these bytes left over. */
  cut(buf: Uint8Array, view: DataView, pos: number, offset: number): CaptureProblem;
}

export function problemText(p: CaptureProblem): string {
  return `at byte ${p.offset}: ${p.message}`;
}
