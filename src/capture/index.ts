/**
 * Captures read back into stories: `tcpstate pcap FILE`. Feed a capture file's bytes in
 * chunks to an `Analysis` (memory stays bounded by the largest record, plus a summary per
 * connection), then ask for the reports: each connection with both endpoints' states over
 * time, as RFC 9293's machine says a passive observer can tell them, and the findings.
 */

import type { CaptureFormat, CaptureProblem } from './frame.js';
import { CaptureReader } from './reader.js';
import { connectionRow, reportConnection } from './report.js';
import type { ConnectionReport, ConnectionRow } from './report-types.js';
import type { CaptureCounts, ConnectionId } from './tracker.js';
import { ConnectionTracker } from './tracker.js';

export { duration } from './findings.js';
export type { CaptureFormat, CaptureProblem } from './frame.js';
export { Frame, problemText } from './frame.js';
export { CaptureReader, readCaptureBytes } from './reader.js';
export type {
  CapturePoint,
  ConnectionReport,
  ConnectionRow,
  ConnectionSummary,
  Finding,
  FindingCode,
  SideSummary,
  StateSpan,
} from './report-types.js';
export { reportStory, storyTitle } from './story.js';
export { stateLine } from './text.js';
export { ZEEK_MEANINGS, type ZeekConnState } from './zeek.js';
export type { CaptureCounts, ConnectionId };

export interface CaptureResult {
  source: string;
  format: CaptureFormat | undefined;
  /** What stopped the reading before the end of the file; everything before it is reported. */
  problem: CaptureProblem | undefined;
  counts: CaptureCounts;
  /** How many TCP connections the capture holds. */
  connectionCount: number;
  /** Every connection's report, made when first read (a summary table needs only `rows`). */
  readonly connections: ConnectionReport[];
  /** Every connection's row of the summary table, made when first read. */
  readonly rows: ConnectionRow[];
  /** Connection `id`'s report (1 is the first), without making the others'. */
  report(id: number): ConnectionReport | undefined;
}

export interface AnalysisOptions {
  /** Segments kept per connection for diagrams and JSON (default 10,000; 0 for summaries only). */
  keepSegments?: number;
  /** Segments kept over all connections (default 1,000,000): later ones are counted only. */
  totalSegments?: number;
  /**
   * Which connections keep segments (default all), asked once as each begins: a summary table
   * needs none, a diagram of one connection needs only its own.
   */
  segmentsFor?: (c: ConnectionId) => boolean;
}

export class Analysis {
  private readonly tracker: ConnectionTracker;
  private readonly reader: CaptureReader;

  constructor(
    readonly source: string,
    options: AnalysisOptions = {},
  ) {
    this.tracker = new ConnectionTracker(options);
    this.reader = new CaptureReader((f) => this.tracker.frame(f));
  }

  /** Reads one chunk of the file; false once a problem stopped the reading (more is ignored). */
  push(chunk: Uint8Array): boolean {
    return this.reader.push(chunk);
  }

  get bytesRead(): number {
    return this.reader.offset;
  }

  /** The end of the file: every connection's report, and the problem if there was one. */
  end(): CaptureResult {
    const problem = this.reader.end();
    const captureEnd = this.tracker.lastTime ?? 0;
    const all = this.tracker.connections;
    let reports: ConnectionReport[] | undefined;
    let rows: ConnectionRow[] | undefined;
    return {
      source: this.source,
      format: this.reader.format,
      problem,
      counts: this.tracker.counts,
      connectionCount: all.length,
      get connections(): ConnectionReport[] {
        reports ??= all.map((c) => reportConnection(c, captureEnd));
        return reports;
      },
      get rows(): ConnectionRow[] {
        rows ??= all.map((c) => connectionRow(c, captureEnd));
        return rows;
      },
      report(id: number): ConnectionReport | undefined {
        if (reports) return reports[id - 1];
        const c = all[id - 1];
        return c && reportConnection(c, captureEnd);
      },
    };
  }
}

/** A whole capture held in memory. */
export function analyzeCapture(
  source: string,
  bytes: Uint8Array,
  options: AnalysisOptions = {},
): CaptureResult {
  const analysis = new Analysis(source, options);
  analysis.push(bytes);
  return analysis.end();
}

/**
 * The capture's one-line headline, as `tcpstate pcap` and the web page's capture view print it:
 * source, format, frames, TCP packets, connections, and what was skipped and why.
 */
export function captureHeadline(r: CaptureResult): string {
  const skipped = Object.entries(r.counts.skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${why}`)
    .join(', ');
  const n = r.connectionCount;
  const conns = `${n} TCP connection${n === 1 ? '' : 's'}`;
  return `${r.source}: ${r.format ?? 'unreadable'}, ${r.counts.frames} frames, ${r.counts.tcp} TCP packets, ${conns}${skipped ? ` (skipped: ${skipped})` : ''}`;
}
