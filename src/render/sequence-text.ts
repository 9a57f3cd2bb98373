/**
 * A story (scenario/story.ts) as a two-column sequence diagram for the terminal: time on the
 * left, `a` and `b` as lifelines, one arrow per segment with its flags and numbers, and each
 * side's state printed in its own column when it changes, with the cause. Fits 80 columns and
 * reads the same without colour.
 */
import {
  formatMs,
  type SegmentEvent,
  type Story,
  segmentLabel,
  sequenceBases,
} from '../scenario/story.js';
import { type Burst, burstLabel, burstSpan, foldEvents } from './fold.js';
import type { Colors } from './table-style.js';

export interface TextDiagramOptions {
  /** Raw sequence numbers instead of numbers relative to each side's ISN. */
  absolute?: boolean;
  width?: number;
  colors: Colors;
  /** Fold runs of data segments and of their ACKs into bursts (fold.ts); default true. */
  fold?: boolean;
}

const TIME_WIDTH = 9;

function fateMark(e: SegmentEvent): string {
  switch (e.fate) {
    case 'lost':
      return '✗ lost';
    case 'corrupted':
      return '✗ corrupted';
    case 'duplicated':
      return '×2';
    default:
      return '';
  }
}

/** Cuts text to `width` columns, marking the cut. */
function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function renderTextDiagram(story: Story, opts: TextDiagramOptions): string {
  const c = opts.colors;
  const width = Math.max(60, opts.width ?? 80);
  // Lifelines: a just after the time column, b at the right edge.
  const span = width - TIME_WIDTH - 3;
  const bases = sequenceBases(story);
  const out: string[] = [];
  const time = (t: number | undefined) =>
    (t === undefined ? '' : formatMs(t)).padStart(TIME_WIDTH - 1).padEnd(TIME_WIDTH);
  const line = (t: number | undefined, inner: string) => `${c.dim(time(t))}│${inner}│`;

  out.push(c.bold(`tcpstate sim ${story.scenario}  (seed ${story.seed})`));
  out.push(`${'t (ms)'.padStart(TIME_WIDTH - 1).padEnd(TIME_WIDTH)}a${' '.repeat(span)}b`);

  let lastTime: number | undefined;
  const stamp = (t: number) => {
    const shown = t === lastTime ? undefined : t;
    lastTime = t;
    return shown;
  };

  for (const e of foldEvents(story, { fold: opts.fold ?? true })) {
    if (e.type === 'burst') {
      const label = `${burstLabel(e, bases, opts.absolute)} · ${burstSpan(e, formatMs)}`;
      out.push(line(stamp(e.time), burstArrow(e, label, span, c)));
    } else if (e.type === 'state') {
      const text = clip(`${e.from} → ${e.to}  (${e.cause})`, span - 2);
      const pad = ' '.repeat(span - [...text].length - 2);
      const coloured = `${c.bold(c.yellow(`${e.from} → ${e.to}`))}${c.dim(text.slice(`${e.from} → ${e.to}`.length))}`;
      const inner = e.side === 'a' ? ` ${coloured}${pad} ` : ` ${pad}${coloured} `;
      out.push(line(stamp(e.time), inner));
    } else if (e.type === 'note') {
      const text = clip(`· ${e.side ? `${e.side}: ` : ''}${e.text}`, span - 2);
      const pad = ' '.repeat(span - [...text].length - 2);
      const inner = e.side === 'b' ? ` ${pad}${c.dim(text)} ` : ` ${c.dim(text)}${pad} `;
      out.push(line(stamp(e.time), inner));
    } else {
      out.push(line(stamp(e.time), arrow(e, segmentLabel(e, bases, opts.absolute), span, c)));
    }
  }
  out.push(`${' '.repeat(TIME_WIDTH)}a${' '.repeat(span)}b`);
  out.push(...summary(story, c));
  return `${out.join('\n')}\n`;
}

/** `──LABEL──────▶` or `◀──────LABEL──`, with a ✗ half-way for lost segments. */
function arrow(e: SegmentEvent, label: string, span: number, c: Colors): string {
  const mark = fateMark(e);
  const rightward = e.from === 'a';
  const text = clip(label, span - 6);
  const dash = (n: number) => '─'.repeat(Math.max(0, n));
  const paint = (s: string) =>
    e.fate === 'lost' || e.fate === 'corrupted' ? c.red(s) : rightward ? c.cyan(s) : c.magenta(s);
  const body = [...text].length;
  if (e.fate === 'lost' || e.fate === 'corrupted') {
    // The segment dies half-way: the line stops at the middle with a cross and the reason.
    const half = Math.floor(span / 2);
    if (rightward) {
      const lead = `──${text} `;
      const fill = Math.max(1, half - [...lead].length);
      const s = `${lead}${dash(fill)}${mark}`;
      return `${paint(s)}${' '.repeat(Math.max(0, span - [...s].length))}`;
    }
    const tail = ` ${text}──`;
    const fill = Math.max(1, half - [...tail].length);
    const s = `${mark}${dash(fill)}${tail}`;
    return `${' '.repeat(Math.max(0, span - [...s].length))}${paint(s)}`;
  }
  const suffix = mark === '' ? '' : ` ${mark}`;
  const fill = span - body - 4 - [...suffix].length;
  return rightward
    ? paint(`──${text}${suffix} ${dash(fill)}▶`)
    : paint(`◀${dash(fill)} ${text}${suffix}──`);
}

/** `══LABEL══════▶`: a double line says that the arrow stands for many segments. */
function burstArrow(b: Burst, label: string, span: number, c: Colors): string {
  const text = clip(label, span - 6);
  const fill = '═'.repeat(Math.max(0, span - [...text].length - 4));
  return b.from === 'a' ? c.cyan(`══${text} ${fill}▶`) : c.magenta(`◀${fill} ${text}══`);
}

function summary(story: Story, c: Colors): string[] {
  const out = [''];
  out.push(`final: a ${c.bold(story.final.a)}, b ${c.bold(story.final.b)}`);
  for (const dir of ['a->b', 'b->a'] as const) {
    const s = story.streams[dir];
    if (s.sent === 0 && s.received === 0) continue;
    const same = s.sha256Sent === s.sha256Received;
    const verdict = same ? c.green('same bytes') : c.red('bytes differ');
    out.push(`${dir}: ${s.sent} bytes sent, ${s.received} received (${verdict})`);
  }
  return out;
}
