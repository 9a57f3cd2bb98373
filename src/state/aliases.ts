/**
 * Every spelling of a TCP state that users paste: netstat (FIN_WAIT1), RFC 9293 (FIN-WAIT-1),
 * ss (ESTAB, FIN-WAIT-1, UNCONN), Windows netstat (LISTENING) and localized Windows names.
 * Matching ignores case and treats '-', '_' and ' ' alike.
 */
import { TCP_STATES, type TcpState } from './states.js';

/** Extra names per state beyond the canonical one (normalized form: upper case, '_' separators). */
const ALIASES: Readonly<Record<TcpState, readonly string[]>> = {
  CLOSED: ['CLOSE', 'UNCONN'],
  LISTEN: ['LISTENING'],
  SYN_SENT: [],
  SYN_RECV: ['SYN_RECEIVED', 'SYN_RCVD', 'NEW_SYN_RECV'],
  ESTABLISHED: ['ESTAB'],
  FIN_WAIT1: ['FIN_WAIT_1'],
  FIN_WAIT2: ['FIN_WAIT_2'],
  CLOSE_WAIT: [],
  CLOSING: [],
  LAST_ACK: [],
  TIME_WAIT: [],
};

function normalize(name: string): string {
  return name
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

const LOOKUP = new Map<string, TcpState>();
for (const state of TCP_STATES) {
  LOOKUP.set(state, state);
  for (const alias of ALIASES[state]) LOOKUP.set(alias, state);
}

/** Adds localized or other names (used by the localized tables). */
export function registerAliases(state: TcpState, names: readonly string[]): void {
  for (const name of names) LOOKUP.set(normalize(name), state);
}

/** The state a user-supplied name means, or undefined if none. */
export function parseState(name: string): TcpState | undefined {
  return LOOKUP.get(normalize(name));
}

/** All accepted names, for error messages. */
export function knownStateNames(): string[] {
  return [...LOOKUP.keys()].sort();
}
