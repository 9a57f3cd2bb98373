/**
 * What each side's connection knew over time — congestion window, slow-start threshold, what
 * was sent and acknowledged, the round-trip estimate — for the graphs of a run (cwnd over
 * time). The scenario runner asks for a sample after every simulator step when told to; a
 * sample is kept only when one of its figures changed, so a long idle stretch costs nothing.
 */
import type { StackConnection } from '../stack/stack.js';
import type { TcpState } from '../state/states.js';
import type { Side } from './story.js';

export interface ConnectionSample {
  /** Virtual milliseconds, as the story's times. */
  time: number;
  side: Side;
  /** Which of the side's connections, counted from 0 (a scenario may open more than one). */
  connection: number;
  state: TcpState;
  /** Bytes. ssthresh starts at 2^30 (no threshold yet). */
  cwnd: number;
  ssthresh: number;
  /** Raw sequence numbers, as in the story's segments. */
  sndUna: number;
  sndNxt: number;
  /** The peer's window (bytes, scaled), and this side's effective MSS. */
  sndWnd: number;
  mss: number;
  srtt?: number;
  rto: number;
  retransmits: number;
}

export interface Sampler {
  /** Samples every connection now; keeps what changed. */
  sample(now: number): void;
  readonly samples: ConnectionSample[];
}

export function createSampler(connections: (side: Side) => readonly StackConnection[]): Sampler {
  const samples: ConnectionSample[] = [];
  const last = new Map<string, string>();
  return {
    samples,
    sample(now) {
      for (const side of ['a', 'b'] as const) {
        connections(side).forEach((conn, connection) => {
          const i = conn.info();
          const s: ConnectionSample = {
            time: now,
            side,
            connection,
            state: i.state,
            cwnd: i.cwnd,
            ssthresh: i.ssthresh,
            sndUna: i.sndUna,
            sndNxt: i.sndNxt,
            sndWnd: i.sndWnd,
            mss: i.mss,
            ...(i.srtt === undefined ? {} : { srtt: i.srtt }),
            rto: i.rto,
            retransmits: i.retransmits,
          };
          const key = `${side} ${connection}`;
          const { time: _, ...figures } = s;
          const sig = JSON.stringify(figures);
          if (last.get(key) === sig) return;
          last.set(key, sig);
          samples.push(s);
        });
      }
    },
  };
}
