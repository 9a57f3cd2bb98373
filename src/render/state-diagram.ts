/**
 * The TCP state diagram as text for an 80-column terminal, drawn from the transitions table
 * (state/transitions.ts): the two usual lives of a connection side by side (client and server),
 * the less common paths, and then every transition of the table grouped by state.
 */

import { causeName, describeSends, explainWords } from '../state/explanations.js';
import type { Lang } from '../state/meanings.js';
import { shortMeaning } from '../state/meanings.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import { type Cause, findTransition, TRANSITIONS, type Transition } from '../state/transitions.js';
import { wrap } from './table.js';
import type { Colors } from './table-style.js';

type Step = [from: TcpState, to: TcpState, cause: Cause];

/** The client's life: active open, then it closes first (RFC 9293 Figures 6 and 12). */
export const ACTIVE_PATH: readonly Step[] = [
  ['CLOSED', 'SYN_SENT', 'connect()'],
  ['SYN_SENT', 'ESTABLISHED', 'rcv SYN,ACK'],
  ['ESTABLISHED', 'FIN_WAIT1', 'close()'],
  ['FIN_WAIT1', 'FIN_WAIT2', 'rcv ACK'],
  ['FIN_WAIT2', 'TIME_WAIT', 'rcv FIN'],
  ['TIME_WAIT', 'CLOSED', '2MSL timer'],
];

/** The server's life: passive open, then the peer closes first. */
export const PASSIVE_PATH: readonly Step[] = [
  ['CLOSED', 'LISTEN', 'listen()'],
  ['LISTEN', 'SYN_RECV', 'rcv SYN'],
  ['SYN_RECV', 'ESTABLISHED', 'rcv ACK'],
  ['ESTABLISHED', 'CLOSE_WAIT', 'rcv FIN'],
  ['CLOSE_WAIT', 'LAST_ACK', 'close()'],
  ['LAST_ACK', 'CLOSED', 'rcv ACK'],
];

/** Less common but normal paths, each drawn as one line. */
export const OTHER_PATHS: readonly (readonly Step[])[] = [
  [
    ['SYN_SENT', 'SYN_RECV', 'rcv SYN'],
    ['SYN_RECV', 'ESTABLISHED', 'rcv ACK'],
  ],
  [
    ['FIN_WAIT1', 'CLOSING', 'rcv FIN'],
    ['CLOSING', 'TIME_WAIT', 'rcv ACK'],
  ],
  [['FIN_WAIT1', 'TIME_WAIT', 'rcv FIN,ACK']],
  [['SYN_SENT', 'CLOSED', 'rcv RST']],
];

function row(step: Step): Transition {
  const t = findTransition(...step);
  if (!t) throw new Error(`state diagram step ${step.join(' ')} is not in the transitions table`);
  return t;
}

function label(t: Transition, lang: Lang): string {
  const cause = causeName(t.cause, lang);
  return t.sends === '' ? cause : `${cause} / ${describeSends(t.sends, lang)}`;
}

const COLUMN = 40;

function padTo(text: string, plain: string, width: number): string {
  return text + ' '.repeat(Math.max(1, width - [...plain].length));
}

/** One vertical chain of states, as [plain, coloured] line pairs. */
function chain(steps: readonly Step[], lang: Lang, c: Colors): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const state = (s: TcpState): [string, string] => [`  ${s}`, `  ${c.bold(c.cyan(s))}`];
  lines.push(state(steps[0]?.[0] ?? 'CLOSED'));
  for (const step of steps) {
    const t = row(step);
    const text = label(t, lang);
    lines.push([`    │ ${text}`, `    │ ${c.dim(text)}`]);
    lines.push(['    ▼', '    ▼']);
    lines.push(state(t.to));
  }
  return lines;
}

export function renderStateDiagram(lang: Lang, c: Colors, width = 80): string[] {
  const w = explainWords(lang);
  const out: string[] = [c.bold(w.diagramTitle), ''];
  const left = chain(ACTIVE_PATH, lang, c);
  const right = chain(PASSIVE_PATH, lang, c);
  out.push(padTo(c.underline(w.activePath), w.activePath, COLUMN) + c.underline(w.passivePath));
  out.push('');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [lp, lc] = left[i] ?? ['', ''];
    const [, rc] = right[i] ?? ['', ''];
    out.push(padTo(lc, lp, COLUMN) + rc);
  }
  out.push('');
  for (const path of OTHER_PATHS) {
    const first = path[0];
    if (!first) continue;
    // A chain wider than the page goes on under itself, one step further in, never past it.
    let line = c.bold(first[0]);
    let plain = `  ${first[0]}`;
    for (const step of path) {
      const t = row(step);
      const piece = ` ──${label(t, lang)}──▶ ${t.to}`;
      if (plain.length + piece.length > width && plain.trim() !== '') {
        out.push(`  ${line}`);
        line = '   ';
        plain = '     ';
      }
      line += ` ──${c.dim(label(t, lang))}──▶ ${c.bold(t.to)}`;
      plain += piece;
    }
    out.push(`  ${line}`);
  }
  out.push('', c.bold(w.allTransitions), '');
  out.push(...renderTransitionTable(lang, c, width));
  out.push('', c.bold(w.statesTitle), '');
  for (const state of TCP_STATES) {
    out.push(...hanging(c.bold(state), state, shortMeaning(state, lang), 14, width));
  }
  out.push('', w.moreHint);
  return out;
}

/** The cause column: as wide as the longest cause in the language, and a gap. */
function causeWidth(lang: Lang): number {
  return Math.max(...TRANSITIONS.map((t) => causeName(t.cause, lang).length)) + 2;
}

/** Every row of the table, grouped by the state it leaves. */
export function renderTransitionTable(lang: Lang, c: Colors, width = 80): string[] {
  const out: string[] = [];
  const causeColumn = causeWidth(lang);
  for (const from of TCP_STATES) {
    let first = true;
    for (const t of TRANSITIONS) {
      if (t.from !== from) continue;
      const head = first ? from : '';
      first = false;
      const arrow = `→ ${t.to}`;
      const plain = `  ${head.padEnd(12)}${arrow.padEnd(15)}`;
      const coloured = `  ${c.bold(head)}${' '.repeat(12 - head.length)}${arrow.padEnd(15)}`;
      // The cause column is as wide as the longest cause and a gap: `close()` and `sends RST`
      // never run together.
      const cause = causeName(t.cause, lang);
      const tail =
        t.sends === '' ? cause : `${cause.padEnd(causeColumn)}${describeSends(t.sends, lang)}`;
      const text = `${coloured}${c.dim(tail)}`;
      out.push(plain.length + tail.length <= width ? text : `${coloured}${c.dim(cause)}`);
    }
  }
  return out;
}

/** `label  text…` with the text wrapped under itself. */
export function hanging(
  labelColoured: string,
  labelPlain: string,
  text: string,
  indent: number,
  width: number,
): string[] {
  const lines = wrap(text, Math.max(20, width - indent - 2));
  return lines.map((line, i) =>
    i === 0
      ? `  ${labelColoured}${' '.repeat(Math.max(1, indent - labelPlain.length))}${line}`
      : `  ${' '.repeat(indent)}${line}`,
  );
}
