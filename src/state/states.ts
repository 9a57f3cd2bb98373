/**
 * The one state model of tcpstate. Every layer that shows or reasons about a TCP state
 * (the engine, the host inspector, renderers, the CLI) uses these values.
 *
 * Names are the ones people see in `netstat` on Linux; RFC 9293 names, `ss` names, Windows
 * names and localized names are accepted as aliases by `parseState` (see aliases.ts).
 *
 * Layer state/ (the bottom, beside util/): the states, their names and aliases, the transitions
 * table, the explanations and the one TransitionEvent. May import: util/. Must not: import any
 * other layer, or do I/O, read a clock or draw random numbers (pure; lint/layers.cjs, biome.json).
 */

/** The 11 states of RFC 9293 section 3.3.2, spelled as netstat prints them. */
export const TCP_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;

export type TcpState = (typeof TCP_STATES)[number];

export function isTcpState(value: string): value is TcpState {
  return (TCP_STATES as readonly string[]).includes(value);
}

/** RFC 9293 spelling of each state (section 3.3.2). */
export const RFC_NAMES: Readonly<Record<TcpState, string>> = {
  CLOSED: 'CLOSED',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN-SENT',
  SYN_RECV: 'SYN-RECEIVED',
  ESTABLISHED: 'ESTABLISHED',
  FIN_WAIT1: 'FIN-WAIT-1',
  FIN_WAIT2: 'FIN-WAIT-2',
  CLOSE_WAIT: 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK',
  TIME_WAIT: 'TIME-WAIT',
};

/** States in which both sides' sequence numbers are known (RFC 9293 "synchronized states"). */
export const SYNCHRONIZED_STATES: readonly TcpState[] = [
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
];

/** An IPv4 or IPv6 endpoint. Addresses are in their usual text form ("10.0.0.1", "::1"). */
export interface Endpoint {
  address: string;
  port: number;
}

/** A connection's identity as seen from the local side. */
export interface FourTuple {
  local: Endpoint;
  remote: Endpoint;
}
