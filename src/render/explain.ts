/**
 * One state explained for the terminal (`tcpstate explain STATE`): the prose of
 * state/explanations*.ts and the transitions of state/transitions.ts, wrapped to the width.
 */
import { otherNames } from '../state/aliases.js';
import {
  causeName,
  describeCause,
  describeSends,
  explainWords,
  type StateExplanation,
} from '../state/explanations.js';
import { type Lang, shortMeaning } from '../state/meanings.js';
import type { Transition } from '../state/transitions.js';
import { wrap } from './table.js';
import type { Colors } from './table-style.js';

/** "3.10.4" is a section of RFC 9293; other references are printed as written. */
export function rfcRef(rfc: string): string {
  return /^\d/.test(rfc) ? `RFC 9293 §${rfc}` : rfc;
}

function paragraph(text: string, width: number): string[] {
  return wrap(text, Math.max(20, width - 4)).map((line) => `  ${line}`);
}

function transitionLine(
  other: string,
  t: Transition,
  lang: Lang,
  c: Colors,
  width: number,
): string[] {
  const text = `${causeName(t.cause, lang)}: ${describeCause(t.cause, lang)}; ${describeSends(t.sends, lang)} (${rfcRef(t.rfc)})`;
  const indent = 18;
  const lines = wrap(text, Math.max(20, width - indent - 4));
  return lines.map((line, i) =>
    i === 0
      ? `  ${c.bold(c.cyan(other))}${' '.repeat(Math.max(1, indent - other.length))}${line}`
      : `  ${' '.repeat(indent)}${line}`,
  );
}

export function renderExplanation(
  exp: StateExplanation,
  lang: Lang,
  c: Colors,
  width = 80,
): string[] {
  const w = explainWords(lang);
  const out: string[] = [];
  out.push(
    ...wrap(`${exp.state} — ${shortMeaning(exp.state, lang)}`, width).map((l, i) =>
      i === 0 ? c.bold(l) : l,
    ),
  );
  out.push(
    ...wrap(`${w.aliases}: ${otherNames(exp.state).join(', ')}`, width).map((l) => c.dim(l)),
  );
  out.push('', c.bold(w.meaning), ...paragraph(exp.meaning, width));
  if (exp.entered.length > 0) {
    out.push('', c.bold(w.entered));
    for (const t of exp.entered)
      out.push(...transitionLine(`${w.from} ${t.from}`, t, lang, c, width));
  }
  out.push('', c.bold(w.left));
  for (const t of exp.left) out.push(...transitionLine(`${w.to} ${t.to}`, t, lang, c, width));
  out.push('', c.bold(w.duration), ...paragraph(exp.duration, width));
  out.push('', c.bold(w.many), ...paragraph(exp.many, width));
  return out;
}
