/**
 * A story as a Mermaid sequenceDiagram: participants a and b, one message per segment (a cross
 * for lost and corrupted ones), and notes for state changes and scenario steps.
 */
import {
  formatMs,
  type SegmentEvent,
  type Story,
  segmentLabel,
  sequenceBases,
} from '../scenario/story.js';
import { burstLabel, burstSpan, foldEvents } from './fold.js';

/**
 * Mermaid message and note text ends at a newline, and ';' and '#' have meanings of their own;
 * Mermaid's entity codes (#59; for ';') keep them as text.
 */
function escapeText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/;/g, '#59;')
    .replace(/[\r\n]+/g, ' ');
}

function message(e: SegmentEvent, label: string): string {
  const dead = e.fate === 'lost' || e.fate === 'corrupted';
  // ->> is a solid line with an arrowhead; -x a solid line ending in a cross.
  const arrow = dead ? '-x' : '->>';
  const fate = e.fate === 'delivered' ? '' : ` (${e.fate})`;
  return `  ${e.from}${arrow}${e.to}: ${escapeText(`${label}${fate}`)}`;
}

export interface MermaidOptions {
  absolute?: boolean;
  /** Fold runs of data segments and of their ACKs into one message each (fold.ts); default true. */
  fold?: boolean;
}

export function renderMermaid(story: Story, opts: MermaidOptions = {}): string {
  const bases = sequenceBases(story);
  const out = ['sequenceDiagram', '  participant a', '  participant b'];
  for (const e of foldEvents(story, { fold: opts.fold ?? true })) {
    const at = `t=${formatMs(e.time)} ms`;
    if (e.type === 'burst') {
      // -) is Mermaid's open (async) arrow: set apart from the single segments' ->>.
      const text = `${burstLabel(e, bases, opts.absolute)} @t=${burstSpan(e, formatMs)}`;
      out.push(`  ${e.from}-)${e.to}: ${escapeText(text)}`);
    } else if (e.type === 'segment') {
      out.push(message(e, `${segmentLabel(e, bases, opts.absolute)} @${at}`));
    } else if (e.type === 'state') {
      out.push(`  Note over ${e.side}: ${escapeText(`${e.from} → ${e.to} (${e.cause}) ${at}`)}`);
    } else {
      const where = e.side ? `over ${e.side}` : 'over a,b';
      out.push(`  Note ${where}: ${escapeText(`${e.text} ${at}`)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
