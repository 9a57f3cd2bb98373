/**
 * The shape of a connection's report (report.ts builds it, findings.ts reads it, the CLI and
 * `--json` print it).
 */
import type { StoryEvent } from '../scenario/story.js';
import type { TcpState } from '../state/states.js';
import type { SideName } from './connection.js';
import type { ZeekConnState } from './zeek.js';

export interface StateSpan {
  state: TcpState;
  /** When it was entered (the connection's first packet for an initial state). */
  since: number;
  ms: number;
  /** Still in it when the capture ended: it lasted at least `ms`. */
  open: boolean;
}

export interface SideSummary {
  initial: { state: TcpState; assumed: boolean };
  states: StateSpan[];
  packets: number;
  bytes: number;
  retransmissions: number;
  dupAcks: number;
  zeroWindows: number;
  windowFull: number;
  rsts: number;
  missedBytes: number;
}

/**
 * Where the capture was taken, from the handshake: near the client the SYN,ACK comes one
 * round trip after the SYN and the ACK follows at once; near the server it is the other way.
 */
export type CapturePoint =
  | { near: 'a' | 'b'; synToSynAck: number; synAckToAck: number }
  | { near: 'between'; synToSynAck: number; synAckToAck: number }
  | { near: 'unknown' };

export interface ConnectionSummary {
  start: number;
  end: number;
  packets: number;
  a: SideSummary;
  b: SideSummary;
  capturePoint: CapturePoint;
  zeek: { conn_state: ZeekConnState; history: string };
  findings: Finding[];
}

export interface ConnectionReport {
  id: number;
  /** `addr:port` of the side that sent the first SYN (else of the first packet's sender). */
  a: string;
  b: string;
  events: StoryEvent[];
  final: Record<SideName, TcpState>;
  summary: ConnectionSummary;
}

/**
 * What the summary table shows of a connection, without its story: built for every connection
 * of a big capture, so it is small (findings by code and side, their sentences left empty).
 */
export interface ConnectionRow {
  id: number;
  a: string;
  b: string;
  packets: number;
  start: number;
  end: number;
  final: Record<SideName, TcpState>;
  zeek: ZeekConnState;
  findings: Finding[];
}

export type FindingCode =
  | 'closed-first'
  | 'simultaneous-close'
  | 'close-wait'
  | 'syn-unanswered'
  | 'refused'
  | 'reset'
  | 'rst-after-fin'
  | 'rst-in-time-wait'
  | 'fin-unacknowledged'
  | 'retransmissions'
  | 'dup-acks'
  | 'zero-window'
  | 'window-full'
  | 'missed'
  | 'lost-ack'
  | 'port-reuse'
  | 'capture-point';

export interface Finding {
  code: FindingCode;
  side?: SideName;
  text: string;
}
