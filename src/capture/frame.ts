/**
 * What the capture readers (pcap-classic.ts, pcapng.ts) hand on: one captured frame at a time,
 * with its link type and time, and the one-line problem that stopped a file.
 *
 * Layer capture/ (beside scenario/ and drill/): captures read back into stories. Pure: bytes
 * come in as chunks from whoever reads the file (the CLI streams it), time is the capture's own.
 * May import: scenario/, wire/, state/, util/ (lint/layers.cjs, biome.json).
 */

export interface Frame {
  /** Capture time in milliseconds since the Unix epoch, fractional (µs or finer). */
  timeMs: number;
  /** LINKTYPE_* of the interface it was captured on (the tcpdump.org registry). */
  linktype: number;
  /**
   * The captured bytes: a view valid only during the callback that receives it (the reader
   * reuses its buffers), so decode it there and keep only what the decoding returns.
   */
  data: Uint8Array;
  /** The frame's length on the wire; more than `data.length` when the snaplen cut it. */
  originalLength: number;
  /** The byte offset of the frame's record (or block) in the file. */
  offset: number;
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
