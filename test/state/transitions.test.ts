import { describe, expect, it } from 'vitest';
import { ACTIVE_PATH, OTHER_PATHS, PASSIVE_PATH } from '../../src/render/state-diagram.js';
import { explainState } from '../../src/state/explanations.js';
import { SYNCHRONIZED_STATES, TCP_STATES } from '../../src/state/states.js';
import { findTransition, hasEdge, TRANSITIONS } from '../../src/state/transitions.js';

// The edges of RFC 9293 Figure 5 (section 3.3.2), written out independently of the table.
const FIGURE_5: Array<[string, string]> = [
  ['CLOSED', 'LISTEN'],
  ['CLOSED', 'SYN_SENT'],
  ['LISTEN', 'SYN_RECV'],
  ['LISTEN', 'SYN_SENT'],
  ['LISTEN', 'CLOSED'],
  ['SYN_SENT', 'SYN_RECV'],
  ['SYN_SENT', 'ESTABLISHED'],
  ['SYN_SENT', 'CLOSED'],
  ['SYN_RECV', 'ESTABLISHED'],
  ['SYN_RECV', 'FIN_WAIT1'],
  ['ESTABLISHED', 'FIN_WAIT1'],
  ['ESTABLISHED', 'CLOSE_WAIT'],
  ['FIN_WAIT1', 'FIN_WAIT2'],
  ['FIN_WAIT1', 'CLOSING'],
  ['FIN_WAIT2', 'TIME_WAIT'],
  ['CLOSE_WAIT', 'LAST_ACK'],
  ['CLOSING', 'TIME_WAIT'],
  ['LAST_ACK', 'CLOSED'],
  ['TIME_WAIT', 'CLOSED'],
];

describe('the transitions table', () => {
  it('has every edge of RFC 9293 Figure 5', () => {
    for (const [from, to] of FIGURE_5) {
      expect(hasEdge(from as never, to as never), `${from} -> ${to}`).toBe(true);
    }
  });

  it('has no duplicate (from, to, cause) rows and no self-loops', () => {
    const keys = TRANSITIONS.map((t) => `${t.from} ${t.to} ${t.cause}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of TRANSITIONS) expect(t.from).not.toBe(t.to);
  });

  it('reaches every state from CLOSED and leads back to CLOSED from every state', () => {
    const reach = (start: string, next: (s: string) => string[]) => {
      const seen = new Set([start]);
      const todo = [start];
      for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
        for (const n of next(s)) if (!seen.has(n)) seen.add(n) && todo.push(n);
      }
      return seen;
    };
    const forward = reach('CLOSED', (s) =>
      TRANSITIONS.filter((t) => t.from === s).map((t) => t.to),
    );
    const backward = reach('CLOSED', (s) =>
      TRANSITIONS.filter((t) => t.to === s).map((t) => t.from),
    );
    expect([...forward].sort()).toEqual([...TCP_STATES].sort());
    expect([...backward].sort()).toEqual([...TCP_STATES].sort());
  });

  it('lets an acceptable RST end every synchronized state (RFC 9293 3.10.7.4)', () => {
    for (const state of SYNCHRONIZED_STATES) {
      expect(findTransition(state, 'CLOSED', 'rcv RST'), state).toBeDefined();
    }
  });

  it('sends a FIN on every transition caused by close() or shutdown() out of a synchronized state', () => {
    for (const t of TRANSITIONS) {
      if ((t.cause === 'close()' || t.cause === 'shutdown()') && t.to !== 'CLOSED') {
        expect(t.sends, `${t.from} ${t.cause}`).toBe('FIN');
      }
    }
  });

  it('cites a section for every row', () => {
    for (const t of TRANSITIONS) expect(t.rfc).toMatch(/^(\d+(\.\d+)+|Linux |RFC \d+)/);
  });

  it('draws the diagram paths only from rows of the table', () => {
    for (const step of [...ACTIVE_PATH, ...PASSIVE_PATH, ...OTHER_PATHS.flat()]) {
      expect(findTransition(...step), step.join(' ')).toBeDefined();
    }
  });
});

describe('explanations reference the table', () => {
  it('lists, for each state, exactly the table rows into and out of it', () => {
    for (const lang of ['en', 'pt'] as const) {
      for (const state of TCP_STATES) {
        const exp = explainState(state, lang);
        for (const t of [...exp.entered, ...exp.left]) expect(TRANSITIONS).toContain(t);
        expect(exp.left).toEqual(TRANSITIONS.filter((t) => t.from === state));
        if (state !== 'CLOSED')
          expect(exp.entered).toEqual(TRANSITIONS.filter((t) => t.to === state));
        expect(exp.meaning.length).toBeGreaterThan(80);
        expect(exp.duration.length).toBeGreaterThan(20);
        expect(exp.many.length).toBeGreaterThan(40);
      }
    }
  });

  it('names, in its prose, only states that are connected to it in the table', () => {
    // A sentence like "the peer is in CLOSE_WAIT" is fine when the two states are linked by
    // the protocol; this catches prose that names a transition the diagram does not have.
    const link = new Set(TRANSITIONS.flatMap((t) => [`${t.from} ${t.to}`, `${t.to} ${t.from}`]));
    // Peers' states that prose legitimately mentions (the other end of the connection).
    const peer = new Set([
      'FIN_WAIT2 CLOSE_WAIT',
      'LAST_ACK CLOSE_WAIT',
      // the connections a listener spawns
      'LISTEN ESTABLISHED',
      // "no TIME_WAIT on this side"
      'LAST_ACK TIME_WAIT',
    ]);
    for (const state of TCP_STATES) {
      const exp = explainState(state, 'en');
      const text = `${exp.meaning} ${exp.duration}`;
      for (const other of TCP_STATES) {
        if (other === state || !new RegExp(`\\b${other}\\b`).test(text)) continue;
        const key = `${state} ${other}`;
        expect(link.has(key) || peer.has(key), key).toBe(true);
      }
    }
  });

  it('says what the task requires about the states people ask about', () => {
    const many = (s: Parameters<typeof explainState>[0]) => explainState(s, 'en').many;
    expect(many('CLOSE_WAIT')).toMatch(/does not close/);
    expect(many('TIME_WAIT')).toMatch(/tcp_tw_reuse/);
    expect(many('TIME_WAIT')).toMatch(/tcp_tw_recycle[^.]*NAT[^.]*4\.12/);
    expect(many('SYN_RECV')).toMatch(/SYN flood/);
    expect(many('SYN_RECV')).toMatch(/syncookies/);
    expect(explainState('FIN_WAIT2').duration).toMatch(/tcp_fin_timeout/);
    expect(many('SYN_SENT')).toMatch(/firewall/);
    expect(explainState('TIME_WAIT', 'pt').many).toMatch(/tcp_tw_recycle/);
  });
});
