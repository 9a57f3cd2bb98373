/**
 * One endpoint's RFC 9293 state machine, driven from outside: what the endpoint sent and what
 * it received, as a passive observer can tell them apart from the packets (connection.ts
 * decides which are which, and when a receipt happened). Causes use the transitions table's
 * words (state/transitions.ts): a FIN the endpoint sent is its application's `close()`.
 */
import type { TcpState } from '../state/states.js';
import type { Cause } from '../state/transitions.js';

export type InputKind =
  | 'send SYN'
  | 'rcv SYN'
  | 'rcv SYN,ACK'
  | 'rcv ACK of SYN'
  | 'send FIN'
  | 'rcv FIN'
  | 'rcv ACK of FIN'
  | 'send RST'
  | 'rcv RST'
  | 'rcv new SYN';

export interface Input {
  kind: InputKind;
  /** Sorting key: packet index within the connection, with fractions for receipts. */
  order: number;
  time: number;
  /** The index of the packet that carried it. */
  packet: number;
  /** For `send RST`: the cause to give (abort() unless data arrived after close()). */
  cause: Cause | undefined;
}

export interface Step {
  to: TcpState;
  cause: Cause;
}

const RESETTABLE: ReadonlySet<TcpState> = new Set([
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
]);

/** The state change this input makes in `state`, or undefined when it makes none. */
export function step(state: TcpState, input: Input): Step | undefined {
  switch (input.kind) {
    case 'send SYN':
      return state === 'CLOSED' ? { to: 'SYN_SENT', cause: 'connect()' } : undefined;
    case 'rcv SYN':
      // LISTEN: a passive open; SYN_SENT: both SYNs crossed (simultaneous open, Figure 7).
      return state === 'LISTEN' || state === 'SYN_SENT'
        ? { to: 'SYN_RECV', cause: 'rcv SYN' }
        : undefined;
    case 'rcv SYN,ACK':
      return state === 'SYN_SENT' || state === 'SYN_RECV'
        ? { to: 'ESTABLISHED', cause: 'rcv SYN,ACK' }
        : undefined;
    case 'rcv ACK of SYN':
      return state === 'SYN_RECV' ? { to: 'ESTABLISHED', cause: 'rcv ACK' } : undefined;
    case 'send FIN':
      if (state === 'ESTABLISHED' || state === 'SYN_RECV')
        return { to: 'FIN_WAIT1', cause: 'close()' };
      return state === 'CLOSE_WAIT' ? { to: 'LAST_ACK', cause: 'close()' } : undefined;
    case 'rcv FIN':
      switch (state) {
        case 'ESTABLISHED':
        case 'SYN_RECV':
          return { to: 'CLOSE_WAIT', cause: 'rcv FIN' };
        case 'FIN_WAIT1':
          return { to: 'CLOSING', cause: 'rcv FIN' };
        case 'FIN_WAIT2':
          return { to: 'TIME_WAIT', cause: 'rcv FIN' };
        default:
          return undefined;
      }
    case 'rcv ACK of FIN':
      switch (state) {
        case 'FIN_WAIT1':
          return { to: 'FIN_WAIT2', cause: 'rcv ACK' };
        case 'CLOSING':
          return { to: 'TIME_WAIT', cause: 'rcv ACK' };
        case 'LAST_ACK':
          return { to: 'CLOSED', cause: 'rcv ACK' };
        default:
          return undefined;
      }
    case 'send RST':
      return RESETTABLE.has(state) ? { to: 'CLOSED', cause: input.cause ?? 'abort()' } : undefined;
    case 'rcv RST':
      return RESETTABLE.has(state) || state === 'TIME_WAIT'
        ? { to: 'CLOSED', cause: 'rcv RST' }
        : undefined;
    case 'rcv new SYN':
      // RFC 9293 3.10.7.4 with RFC 6191: a new SYN may end TIME_WAIT early.
      return state === 'TIME_WAIT' ? { to: 'CLOSED', cause: 'rcv SYN' } : undefined;
  }
}

export interface Change {
  time: number;
  from: TcpState;
  to: TcpState;
  cause: Cause;
  /** The packet that carried the input. */
  packet: number;
  kind: InputKind;
}

/**
 * Plays the inputs in order from `initial`. A segment that carries a FIN and acknowledges this
 * endpoint's own FIN is two steps, as RFC 9293 3.10.7.4 processes it (the ACK, fifth, "enter
 * FIN-WAIT-2 and continue processing in that state"; then the FIN, eighth) and as Linux
 * reports it: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT. So at equal order an ACK comes first.
 */
const ackFirst = (i: Input) => (i.kind === 'rcv ACK of FIN' || i.kind === 'rcv ACK of SYN' ? 0 : 1);
const before = (x: Input, y: Input) => x.order - y.order || ackFirst(x) - ackFirst(y);

export function replay(initial: TcpState, inputs: readonly Input[]): Change[] {
  // Mostly in order already: copied and sorted only when not.
  let inOrder = true;
  for (let i = 1; i < inputs.length && inOrder; i++)
    inOrder = before(inputs[i - 1], inputs[i]) <= 0;
  const sorted = inOrder ? inputs : [...inputs].sort(before);
  const out: Change[] = [];
  let state = initial;
  for (const input of sorted) {
    const s = step(state, input);
    if (!s) continue;
    out.push({
      time: input.time,
      from: state,
      to: s.to,
      cause: s.cause,
      packet: input.packet,
      kind: input.kind,
    });
    state = s.to;
  }
  return out;
}
