/**
 * Every spelling of a TCP state that users paste: netstat (FIN_WAIT1), RFC 9293 (FIN-WAIT-1),
 * ss (ESTAB, FIN-WAIT-1, UNCONN), Windows netstat (LISTENING) and localized Windows names.
 * Matching ignores case and treats '-', '_' and ' ' alike.
 */
import { LOCALIZED_NAMES } from './localized-names.js';
import { RFC_NAMES, TCP_STATES, type TcpState } from './states.js';

/** Extra names per state beyond the canonical one (normalized form: upper case, '_' separators). */
const ALIASES: Readonly<Record<TcpState, readonly string[]>> = {
  CLOSED: ['CLOSE', 'UNCONN'],
  LISTEN: ['LISTENING'],
  // Microsoft's netstat documentation lists the states as SYN_SEND and TIMED_WAIT (seen in
  // MicrosoftDocs/windowsserverdocs issue #3698), so users copy those spellings too.
  SYN_SENT: ['SYN_SEND'],
  SYN_RECV: ['SYN_RECEIVED', 'SYN_RCVD', 'NEW_SYN_RECV'],
  ESTABLISHED: ['ESTAB'],
  FIN_WAIT1: ['FIN_WAIT_1'],
  FIN_WAIT2: ['FIN_WAIT_2'],
  CLOSE_WAIT: [],
  CLOSING: [],
  LAST_ACK: [],
  TIME_WAIT: ['TIMED_WAIT'],
};

/**
 * Upper case, accents removed (ABHÖREN = ABHOREN, ÉTABLIE = ETABLIE, so names typed on a
 * keyboard without them still match), and runs of spaces, '-' and '_' made one '_'.
 */
function normalize(name: string): string {
  return name
    .trim()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[\s_-]+/g, '_');
}

const LOOKUP = new Map<string, TcpState>();
for (const state of TCP_STATES) {
  LOOKUP.set(state, state);
  for (const alias of ALIASES[state]) LOOKUP.set(alias, state);
}

for (const { state, name } of LOCALIZED_NAMES) LOOKUP.set(normalize(name), state);

/** Adds localized or other names (used by the localized tables). */
export function registerAliases(state: TcpState, names: readonly string[]): void {
  for (const name of names) LOOKUP.set(normalize(name), state);
}

/** The state a user-supplied name means, or undefined if none. */
export function parseState(name: string): TcpState | undefined {
  const key = normalize(name);
  // The kernel's own names (TCP_ESTABLISHED, TCP_NEW_SYN_RECV in tracefs and headers).
  return LOOKUP.get(key) ?? (key.startsWith('TCP_') ? LOOKUP.get(key.slice(4)) : undefined);
}

/**
 * The other spellings of a state, for display: RFC, ss, Windows and the localized names seen in
 * the wild (localized-names.ts), in their original form.
 */
export function otherNames(state: TcpState): string[] {
  const names = [RFC_NAMES[state], ...SS_NAMES[state], ...ALIASES[state]];
  for (const l of LOCALIZED_NAMES) if (l.state === state) names.push(l.name);
  // One spelling per normalized form, and not the code-page accidents (ABH?REN).
  const seen = new Set([normalize(state)]);
  return names.filter((n) => {
    const key = normalize(n);
    if (seen.has(key) || /[?™]/.test(n)) return false;
    seen.add(key);
    return true;
  });
}

/** What `ss` prints for each state (iproute2 misc/ss.c). */
const SS_NAMES: Readonly<Record<TcpState, readonly string[]>> = {
  CLOSED: ['UNCONN'],
  LISTEN: ['LISTEN'],
  SYN_SENT: ['SYN-SENT'],
  SYN_RECV: ['SYN-RECV'],
  ESTABLISHED: ['ESTAB'],
  FIN_WAIT1: ['FIN-WAIT-1'],
  FIN_WAIT2: ['FIN-WAIT-2'],
  CLOSE_WAIT: ['CLOSE-WAIT'],
  CLOSING: ['CLOSING'],
  LAST_ACK: ['LAST-ACK'],
  TIME_WAIT: ['TIME-WAIT'],
};

/** All accepted names, for error messages. */
export function knownStateNames(): string[] {
  return [...LOOKUP.keys()].sort();
}
