/**
 * Prints pasted output back, annotated: every line as it was, each state explained once under
 * its first row, then the count per state and the same findings `tcpstate doctor` makes (from
 * `diagnose`, with no kernel context: a paste has sockets only, so findings that need counters
 * or settings are not made).
 */
import pc from 'picocolors';
import { type Lang, shortMeaning } from '../../state/meanings.js';
import { TCP_STATES, type TcpState } from '../../state/states.js';
import { diagnose } from '../doctor.js';
import type { Finding } from '../types.js';
import type { PastedParse, PasteFormat } from './types.js';

export interface RenderPastedOptions {
  lang: Lang;
  color: boolean;
}

const FORMAT_NAMES: Record<PasteFormat, string> = {
  'linux-netstat': 'Linux netstat (net-tools)',
  ss: 'Linux ss (iproute2)',
  'macos-netstat': 'macOS/BSD netstat',
  'windows-netstat': 'Windows netstat',
  'windows-powershell': 'PowerShell Get-NetTCPConnection',
};

const WORDS = {
  en: {
    none: 'No socket rows recognised. Paste the output of `netstat -tan`, `ss -tan`, macOS `netstat -an -p tcp` or Windows `netstat -ano`.',
    read: (n: number, formats: string) => `${n} socket${n === 1 ? '' : 's'} read from ${formats}`,
    states: 'By state',
    findings: 'Findings',
    noFindings: 'No problems found in these sockets.',
    advice: 'What to do',
    unparsed: (n: number) =>
      `${n} other line${n === 1 ? '' : 's'} kept as pasted (headers, UDP, other text)`,
    notRead: (n: number) => `${n} row${n === 1 ? '' : 's'} not read:`,
    line: 'line',
  },
  pt: {
    none: 'Nenhuma linha de socket reconhecida. Cole a saída de `netstat -tan`, `ss -tan`, `netstat -an -p tcp` do macOS ou `netstat -ano` do Windows.',
    read: (n: number, formats: string) =>
      `${n} socket${n === 1 ? '' : 's'} lido${n === 1 ? '' : 's'} de ${formats}`,
    states: 'Por estado',
    findings: 'Achados',
    noFindings: 'Nenhum problema encontrado nestes sockets.',
    advice: 'O que fazer',
    unparsed: (n: number) =>
      `${n} outra${n === 1 ? '' : 's'} linha${n === 1 ? '' : 's'} mantida${n === 1 ? '' : 's'} como colada${n === 1 ? '' : 's'} (cabeçalhos, UDP, outros textos)`,
    notRead: (n: number) =>
      `${n} linha${n === 1 ? '' : 's'} de socket não lida${n === 1 ? '' : 's'}:`,
    line: 'linha',
  },
} as const;

export function renderPasted(parse: PastedParse, options: RenderPastedOptions): string {
  const c = pc.createColors(options.color);
  const w = WORDS[options.lang];
  const out: string[] = [];
  const explained = new Set<TcpState>();
  for (const line of parse.lines) {
    if (line.kind !== 'socket') {
      out.push(line.kind === 'header' ? c.bold(line.text) : line.text);
      continue;
    }
    out.push(line.text);
    const state = line.socket.state;
    if (explained.has(state)) continue;
    explained.add(state);
    const indent = /^\s*/.exec(line.text)?.[0] ?? '';
    const name = line.stateText.toUpperCase() === state ? state : `${line.stateText} = ${state}`;
    out.push(c.dim(`${indent}  ↳ ${name}: ${shortMeaning(state, options.lang)}`));
  }

  out.push('');
  const notes = renderNotes(parse, c, w);
  if (parse.sockets.length === 0) {
    out.push(...notes, w.none);
    return `${out.join('\n')}\n`;
  }
  out.push(
    c.bold(w.read(parse.sockets.length, parse.formats.map((f) => FORMAT_NAMES[f]).join(', '))),
  );
  const others = parse.lines.filter(
    (l) => (l.kind === 'header' || l.kind === 'other') && l.text.trim() !== '',
  ).length;
  if (others > 0) out.push(c.dim(w.unparsed(others)));
  out.push(...notes);

  out.push('', c.bold(`${w.states}:`));
  const counts = countByState(parse);
  const width = Math.max(...[...counts.values()].map((n) => String(n).length));
  for (const [state, n] of counts) out.push(`  ${String(n).padStart(width)}  ${state}`);

  out.push('', c.bold(`${w.findings}:`));
  const findings = diagnose(parse.sockets, {}, options.lang);
  if (findings.length === 0) out.push(`  ${w.noFindings}`);
  for (const finding of findings) out.push(...renderFinding(finding, c, w.advice));
  return `${out.join('\n')}\n`;
}

type Words = (typeof WORDS)[Lang];

/** Each row that could not be read, by line number, with why and what to paste instead. */
function renderNotes(
  parse: PastedParse,
  c: ReturnType<typeof pc.createColors>,
  w: Words,
): string[] {
  if (parse.notes.length === 0) return [];
  return [
    c.yellow(w.notRead(parse.notes.length)),
    ...parse.notes.map(
      (n) => `  ${w.line} ${n.lineNo}: ${n.text.trim().slice(0, 70)}\n    ${n.reason}; ${n.hint}`,
    ),
  ];
}

/** The paste as JSON (`explain - --json`): the sockets with their lines, counts, findings, notes. */
export function pastedJson(parse: PastedParse) {
  return {
    formats: parse.formats,
    sockets: parse.lines.flatMap((l) =>
      l.kind === 'socket'
        ? [{ line: l.lineNo, format: l.format, stateText: l.stateText, ...l.socket }]
        : [],
    ),
    counts: Object.fromEntries(countByState(parse)),
    findings: diagnose(parse.sockets),
    notes: parse.notes,
  };
}

/** States in lifecycle order, only those present. */
export function countByState(parse: PastedParse): Map<TcpState, number> {
  const counts = new Map<TcpState, number>();
  for (const state of TCP_STATES) {
    const n = parse.sockets.filter((s) => s.state === state).length;
    if (n > 0) counts.set(state, n);
  }
  return counts;
}

function renderFinding(
  finding: Finding,
  c: ReturnType<typeof pc.createColors>,
  adviceWord: string,
): string[] {
  const mark =
    finding.severity === 'critical'
      ? c.red('✖')
      : finding.severity === 'warning'
        ? c.yellow('!')
        : c.cyan('i');
  return [
    `  ${mark} ${c.bold(finding.title)}`,
    ...finding.evidence.map((e) => `      ${e}`),
    ...(finding.advice.length > 0 ? [`    ${adviceWord}:`] : []),
    ...finding.advice.map((a) => `      - ${a}`),
  ];
}
