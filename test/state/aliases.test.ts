import { describe, expect, it } from 'vitest';
import { knownStateNames, otherNames, parseState } from '../../src/state/aliases.js';
import { LOCALIZED_NAMES } from '../../src/state/localized-names.js';
import { RFC_NAMES, TCP_STATES, type TcpState } from '../../src/state/states.js';

// Every spelling users paste, by source.
const SPELLINGS: Record<string, Array<[string, TcpState]>> = {
  netstat: [
    ['CLOSED', 'CLOSED'],
    ['LISTEN', 'LISTEN'],
    ['SYN_SENT', 'SYN_SENT'],
    ['SYN_RECV', 'SYN_RECV'],
    ['ESTABLISHED', 'ESTABLISHED'],
    ['FIN_WAIT1', 'FIN_WAIT1'],
    ['FIN_WAIT2', 'FIN_WAIT2'],
    ['CLOSE_WAIT', 'CLOSE_WAIT'],
    ['CLOSING', 'CLOSING'],
    ['LAST_ACK', 'LAST_ACK'],
    ['TIME_WAIT', 'TIME_WAIT'],
    ['CLOSE', 'CLOSED'],
  ],
  rfc: [
    ['SYN-SENT', 'SYN_SENT'],
    ['SYN-RECEIVED', 'SYN_RECV'],
    ['FIN-WAIT-1', 'FIN_WAIT1'],
    ['FIN-WAIT-2', 'FIN_WAIT2'],
    ['CLOSE-WAIT', 'CLOSE_WAIT'],
    ['LAST-ACK', 'LAST_ACK'],
    ['TIME-WAIT', 'TIME_WAIT'],
  ],
  ss: [
    ['ESTAB', 'ESTABLISHED'],
    ['UNCONN', 'CLOSED'],
    ['SYN-RECV', 'SYN_RECV'],
    ['FIN-WAIT-1', 'FIN_WAIT1'],
    ['close-wait', 'CLOSE_WAIT'],
  ],
  windows: [
    ['LISTENING', 'LISTEN'],
    ['SYN_RECEIVED', 'SYN_RECV'],
    ['FIN_WAIT_1', 'FIN_WAIT1'],
    ['FIN_WAIT_2', 'FIN_WAIT2'],
    ['SYN_SEND', 'SYN_SENT'],
    ['TIMED_WAIT', 'TIME_WAIT'],
  ],
  macos: [['SYN_RCVD', 'SYN_RECV']],
  kernel: [
    ['TCP_ESTABLISHED', 'ESTABLISHED'],
    ['TCP_NEW_SYN_RECV', 'SYN_RECV'],
    ['TCP_FIN_WAIT1', 'FIN_WAIT1'],
    ['TCP_CLOSE', 'CLOSED'],
  ],
  localized: [
    ['ABHÖREN', 'LISTEN'],
    ['ABHOREN', 'LISTEN'],
    ['ABH?REN', 'LISTEN'],
    ['HERGESTELLT', 'ESTABLISHED'],
    ["À L'ÉCOUTE", 'LISTEN'],
    ['a l’ecoute', 'LISTEN'],
    ['ESCUCHANDO', 'LISTEN'],
    ['ESCUTANDO', 'LISTEN'],
    ['OUÇA', 'LISTEN'],
    ['ESTABELECIDA', 'ESTABLISHED'],
    ['WARTEND', 'TIME_WAIT'],
    ['SCHLIESSEN_WARTEN', 'CLOSE_WAIT'],
    ['schliessen warten', 'CLOSE_WAIT'],
    ['SYN_GESENDET', 'SYN_SENT'],
    ['FIN_WARTEN_2', 'FIN_WAIT2'],
    ['SCHLIESSEND', 'CLOSING'],
    ['ABH™REN', 'LISTEN'],
    ['ESTABLECIDO', 'ESTABLISHED'],
  ],
  typed: [
    ['time_wait', 'TIME_WAIT'],
    ['Time Wait', 'TIME_WAIT'],
    ['  fin wait 2 ', 'FIN_WAIT2'],
    ['syn-recv', 'SYN_RECV'],
  ],
};

describe('parseState', () => {
  for (const [source, cases] of Object.entries(SPELLINGS)) {
    it(`accepts ${source} spellings`, () => {
      for (const [name, state] of cases) expect(parseState(name), name).toBe(state);
    });
  }

  it('accepts every RFC 9293 name and every localized name in the table', () => {
    for (const state of TCP_STATES) expect(parseState(RFC_NAMES[state])).toBe(state);
    for (const l of LOCALIZED_NAMES) expect(parseState(l.name), l.name).toBe(l.state);
  });

  it('rejects names that are not states', () => {
    for (const name of ['', 'FOO', 'ESTABLISH', 'TCP_', 'SYN', 'WAIT']) {
      expect(parseState(name), name).toBeUndefined();
    }
  });

  it('says where each localized name was seen', () => {
    for (const l of LOCALIZED_NAMES) expect(l.seen.length, l.name).toBeGreaterThan(5);
  });

  it('lists other spellings for display, without the canonical name', () => {
    expect(otherNames('ESTABLISHED')).toEqual(
      expect.arrayContaining(['ESTAB', 'HERGESTELLT', 'ESTABELECIDA']),
    );
    expect(otherNames('FIN_WAIT1')).toContain('FIN-WAIT-1');
    for (const state of TCP_STATES) {
      expect(otherNames(state)).not.toContain(state);
      for (const name of otherNames(state)) expect(parseState(name), name).toBe(state);
    }
    expect(knownStateNames()).toContain('TIME_WAIT');
  });
});
