/**
 * tcpstate's own packetdrill scripts (test/drill/scripts/, written for this project): one or
 * more per TCP state, each driving a real exchange into the state, asserting it, and checking
 * every segment the stack sends on the way out. They run through the same runner as the
 * FreeBSD suite. Each check is shown to bite: a script with one expectation changed must fail
 * at exactly that line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import { TCP_STATES } from '../../src/state/states.js';

const DIR = join(import.meta.dirname, 'scripts');
/** Scripts use the default (freebsd) profile, or say `--tcpstate_profile=linux` (scripts/linux/). */
const scripts = readdirSync(DIR, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.pkt'))
  .sort()
  .map((name) => ({
    name,
    text: readFileSync(join(DIR, name), 'utf8'),
    options: {},
  }));

/** packetdrill's tcpi_state names for tcpstate's states. */
const TCPI: Record<string, string> = {
  CLOSED: 'TCPI_CLOSED',
  LISTEN: 'TCPI_LISTEN',
  SYN_SENT: 'TCPI_SYN_SENT',
  SYN_RECV: 'TCPI_SYN_RECEIVED',
  ESTABLISHED: 'TCPI_ESTABLISHED',
  FIN_WAIT1: 'TCPI_FIN_WAIT_1',
  FIN_WAIT2: 'TCPI_FIN_WAIT_2',
  CLOSE_WAIT: 'TCPI_CLOSE_WAIT',
  CLOSING: 'TCPI_CLOSING',
  LAST_ACK: 'TCPI_LAST_ACK',
  TIME_WAIT: 'TCPI_TIME_WAIT',
};

interface Mutant {
  line: number;
  what: string;
  text: string;
}

/** Every script with one expectation changed: an outbound segment, a state, a count, a result. */
function mutants(text: string): Mutant[] {
  const lines = text.split('\n');
  const out: Mutant[] = [];
  const replace = (i: number, next: string, what: string) => {
    const copy = [...lines];
    copy[i] = next;
    out.push({ line: i + 1, what, text: copy.join('\n') });
  };
  lines.forEach((l, i) => {
    if (/^\S+\s+>\s/.test(l)) {
      const ack = /\back (\d+)/.exec(l);
      if (ack) replace(i, l.replace(/\back \d+/, `ack ${Number(ack[1]) + 1}`), 'ack + 1');
      replace(
        i,
        l.replace(
          />\s+(\S+)/,
          (_m, f: string) => `> ${f.includes('P') ? f.replace('P', '') : `P${f}`}`,
        ),
        'flags',
      );
      const win = /\bwin (\d+)/.exec(l);
      if (win) replace(i, l.replace(/\bwin \d+/, `win ${Number(win[1]) - 1}`), 'win - 1');
    }
    const state = /tcpi_state == (\w+)/.exec(l);
    if (state) {
      const other = state[1] === 'TCPI_CLOSED' ? 'TCPI_LISTEN' : 'TCPI_CLOSED';
      replace(i, l.replace(state[1], other), 'tcpi_state');
    }
    const count = /\| grep (\d+)`/.exec(l);
    if (count)
      replace(i, l.replace(/\| grep \d+`/, `| grep ${Number(count[1]) + 1}\``), 'sockstat count');
    const result = /\) = (-?\d+)/.exec(l);
    // socket() and accept() name their descriptor by the script's number (packetdrill maps
    // script descriptors to the kernel's), so their results are names, not checked values.
    const names = /\b(socket|accept)\(/.test(l) && !l.includes('= -1');
    if (result && !l.includes('%{') && !names)
      replace(i, l.replace(/\) = -?\d+/, `) = ${Number(result[1]) + 7}`), 'return value');
  });
  return out;
}

describe('tcpstate’s own packetdrill scripts', () => {
  it.each(scripts.map((s) => [s.name, s] as const))(
    '%s passes, exactly (no relaxation, no unchecked segment)',
    (_name, { text, options }) => {
      const r = runScriptText(text, options);
      expect(r.outcome).toEqual({ status: 'pass' });
      expect(r.relaxations).toEqual([]);
      // Stricter than packetdrill: nothing the stack sends goes unchecked, even at the end.
      expect(r.unchecked).toEqual([]);
    },
  );

  it('assert every one of the 11 states, and make each a transition out of it', () => {
    const asserted = new Set<string>();
    const left = new Set<string>();
    for (const { text, options } of scripts) {
      for (const m of text.matchAll(/tcpi_state == (\w+)/g)) asserted.add(m[1]);
      for (const t of runScriptText(text, options).transitions) left.add(t.from);
    }
    expect([...asserted].sort()).toEqual(Object.values(TCPI).sort());
    // CLOSED is left only into LISTEN or SYN_SENT, which the stack reports as the new
    // connection's first transition; LISTEN's children report LISTEN -> SYN_RECV.
    expect(TCP_STATES.filter((s) => s !== 'CLOSED' && !left.has(s))).toEqual([]);
  });

  it.each(scripts.map((s) => [s.name, s] as const))(
    '%s: every changed expectation fails at its line',
    (_name, { text, options }) => {
      const survivors: string[] = [];
      for (const m of mutants(text)) {
        const o = runScriptText(m.text, options).outcome;
        if (o.status !== 'fail' || o.line !== m.line) {
          survivors.push(`line ${m.line} (${m.what}): ${JSON.stringify(o)}`);
        }
      }
      expect(survivors).toEqual([]);
    },
  );
});
