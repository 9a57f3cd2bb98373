/**
 * What an operator would want to be told about one connection, in their words: who closed
 * first, a CLOSE_WAIT that lingers, a SYN nobody answered or answered with RST, resets after
 * FIN or in TIME_WAIT, retransmissions, duplicate ACKs, zero and full windows, what the
 * capture missed, and ports reused while TIME_WAIT may still hold them. Each has a stable
 * `code` (tests and scripts match on it, never on the text).
 */
import type { Connection, SideName } from './connection.js';
import { otherSide } from './connection.js';
import type { Change } from './machine.js';
import type { CapturePoint, Finding, StateSpan } from './report-types.js';

/** CLOSE_WAIT longer than this is worth a word: an application that answers a FIN at once takes microseconds. */
export const CLOSE_WAIT_MS = 1000;
/** Linux holds TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN); RFC 9293's 2MSL is 4 minutes. */
export const LINUX_TIME_WAIT_MS = 60_000;

export function duration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the findings read of a connection's report besides the connection itself. */
export interface FindingsInput {
  /** `addr:port` of each side, for the sentences. */
  a: string;
  b: string;
  changes: Record<SideName, readonly Change[]>;
  states: Record<SideName, readonly StateSpan[]>;
  capturePoint: CapturePoint;
}

/**
 * The findings of one connection. With `say` false their texts are left empty: a summary table
 * of many connections shows the codes only, and the sentences would be most of the work.
 */
export function findings(c: Connection, r: FindingsInput, say = true): Finding[] {
  const out: Finding[] = [];
  const name = (s: SideName) => `${s} (${s === 'a' ? r.a : r.b})`;
  const st = { a: c.sides.a.stats, b: c.sides.b.stats };
  const changes = r.changes;
  const at = (t: number) => `+${duration(t - c.firstTime)}`;

  // The handshake.
  if (st.a.synTime !== undefined && st.b.synTime === undefined) {
    if (st.b.rstTime !== undefined) {
      out.push({
        code: 'refused',
        side: 'b',
        text: !say
          ? ''
          : `${name('b')} answered the SYN with RST: connection refused (nothing listening on port ${st.b.port}, or a firewall rejecting)`,
      });
    } else if (st.b.packets === 0) {
      out.push({
        code: 'syn-unanswered',
        side: 'a',
        text: !say
          ? ''
          : `${name('a')} sent ${plural(st.a.synCount, 'SYN')} over ${duration(c.lastTime - (st.a.synTime ?? c.firstTime))} and got no answer (a host down, a firewall dropping, or the capture missed the replies)`,
      });
    }
  }

  // Closing.
  const fins = (['a', 'b'] as const)
    .map((s) => ({ side: s, time: st[s].finTime }))
    .filter((f): f is { side: SideName; time: number } => f.time !== undefined)
    .sort((x, y) => x.time - y.time);
  const simultaneous = (['a', 'b'] as const).every((s) =>
    changes[s].some((ch) => ch.from === 'FIN_WAIT1' && ch.to === 'CLOSING'),
  );
  if (simultaneous) {
    out.push({
      code: 'simultaneous-close',
      text: 'both sides closed at the same time: their FINs crossed (FIN_WAIT1 -> CLOSING -> TIME_WAIT on both)',
    });
  } else if (fins.length > 0) {
    const first = fins[0];
    const second = fins[1];
    const then = !say
      ? ''
      : second
        ? `; ${name(second.side)} sent its own FIN ${duration(second.time - first.time)} later`
        : `; ${name(otherSide(first.side))} sent no FIN in the capture`;
    out.push({
      code: 'closed-first',
      side: first.side,
      text: !say ? '' : `${name(first.side)} closed first (FIN at ${at(first.time)})${then}`,
    });
  }
  for (const side of ['a', 'b'] as const) {
    const span = r.states[side].find((s) => s.state === 'CLOSE_WAIT');
    if (!span || span.ms < CLOSE_WAIT_MS) continue;
    const peer = name(otherSide(side));
    out.push({
      code: 'close-wait',
      side,
      text: !say
        ? ''
        : span.open
          ? `${name(side)} acknowledged ${peer}'s FIN but sent no FIN of its own for the ${duration(span.ms)} to the end of the capture: CLOSE_WAIT, its application has not closed the socket (a CLOSE_WAIT leak if it never does)`
          : `${name(side)} acknowledged ${peer}'s FIN but sent its own only ${duration(span.ms)} later: its application was slow to close the socket (CLOSE_WAIT)`,
    });
  }
  for (const side of ['a', 'b'] as const) {
    const fin = c.sides[side].fin;
    if (fin && !fin.delivered && st[otherSide(side)].rstTime === undefined) {
      out.push({
        code: 'fin-unacknowledged',
        side,
        text: !say
          ? ''
          : `${name(side)}'s FIN was never acknowledged in the capture (${plural(st[side].finCount, 'copy')} sent)`,
      });
    }
  }

  // Resets.
  for (const side of ['a', 'b'] as const) {
    const rst = st[side].rstTime;
    if (rst === undefined) continue;
    if (st.a.synTime !== undefined && st.b.synTime === undefined && side === 'b') continue;
    const peer = otherSide(side);
    const peerTw = changes[peer].find(
      (ch) => ch.to === 'CLOSED' && ch.cause === 'rcv RST' && ch.from === 'TIME_WAIT',
    );
    const afterFin = fins.some((f) => f.time <= rst);
    const stateThen = stateAt(changes[side], c.sides[side].initial, rst);
    if (peerTw) {
      out.push({
        code: 'rst-in-time-wait',
        side: peer,
        text: !say
          ? ''
          : `${name(peer)} was in TIME_WAIT when ${name(side)}'s RST ended it (the "TIME-WAIT assassination" of RFC 1337)`,
      });
    } else if (afterFin) {
      out.push({
        code: 'rst-after-fin',
        side,
        text: !say
          ? ''
          : `${name(side)} sent RST at ${at(rst)} after the connection had begun to close (${stateThen}): ${stateThen === 'FIN_WAIT1' || stateThen === 'FIN_WAIT2' ? 'data arrived after it closed, or its application set SO_LINGER 0' : 'an abortive close'}`,
      });
    } else {
      out.push({
        code: 'reset',
        side,
        text: !say
          ? ''
          : `${name(side)} reset the connection at ${at(rst)} in ${stateThen} (an abortive close: SO_LINGER 0, unread data at close(), or a crash)`,
      });
    }
  }

  // Loss and flow control.
  for (const side of ['a', 'b'] as const) {
    const s = st[side];
    if (s.retransmissions > 0) {
      out.push({
        code: 'retransmissions',
        side,
        text: !say
          ? ''
          : `${name(side)} retransmitted ${plural(s.retransmissions, 'segment')} (loss on the path, or the capture missed the ACKs)`,
      });
    }
    if (s.dupAcks > 0) {
      out.push({
        code: 'dup-acks',
        side,
        text: !say
          ? ''
          : `${name(side)} sent ${plural(s.dupAcks, 'duplicate ACK')} (segments from ${name(otherSide(side))} missing or reordered)`,
      });
    }
    if (s.zeroWindows > 0) {
      out.push({
        code: 'zero-window',
        side,
        text: !say
          ? ''
          : `${name(side)} advertised a zero window ${plural(s.zeroWindows, 'time')}: its application was not reading fast enough`,
      });
    }
    if (s.windowFull > 0) {
      out.push({
        code: 'window-full',
        side,
        text: !say
          ? ''
          : `${name(side)} filled ${name(otherSide(side))}'s receive window ${plural(s.windowFull, 'time')}`,
      });
    }
    if (s.missedBytes > 0) {
      out.push({
        code: 'missed',
        side: otherSide(side),
        text: !say
          ? ''
          : `${name(side)} acknowledged ${plural(s.missedBytes, 'byte')} that the capture never showed ${name(otherSide(side))} sending: the capture missed segments`,
      });
    }
  }
  if (c.lostAcks > 0) {
    out.push({
      code: 'lost-ack',
      text: !say
        ? ''
        : `${plural(c.lostAcks, 'ACK')} seen in the capture did not arrive: the side they acknowledged sent again`,
    });
  }

  if (c.reuse) {
    const tw = c.reuse.sinceTimeWait;
    out.push({
      code: 'port-reuse',
      side: c.reuse.side,
      text: !say
        ? ''
        : `these ports were used again ${duration(tw)} after connection ${c.reuse.previous} left ${name(c.reuse.side)} in TIME_WAIT${tw < LINUX_TIME_WAIT_MS ? ' (TIME_WAIT still held them: Linux keeps it 60 s, RFC 9293 2MSL is 4 min)' : ''}`,
    });
  }

  const cp = r.capturePoint;
  if (cp.near !== 'unknown') {
    const gaps = `SYN -> SYN,ACK ${duration(cp.synToSynAck)}, SYN,ACK -> ACK ${duration(cp.synAckToAck)}`;
    out.push({
      code: 'capture-point',
      ...(cp.near === 'between' ? {} : { side: cp.near }),
      text: !say
        ? ''
        : cp.near === 'between'
          ? `the capture point is between the two ends: ${gaps}`
          : `the capture was taken near ${name(cp.near)}: ${gaps}; its sends are seen when sent, the other side's when they arrive`,
    });
  }
  return out;
}

function stateAt(
  changes: readonly { time: number; to: string }[],
  initial: string,
  t: number,
): string {
  let s = initial;
  for (const ch of changes) {
    if (ch.time >= t) break;
    s = ch.to;
  }
  return s;
}
