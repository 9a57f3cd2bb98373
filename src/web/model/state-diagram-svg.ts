/**
 * One endpoint's state diagram as SVG text: a node per state (`data-state`, netstat names), the
 * edges of the transitions table (state/transitions.ts), the current state lit (`data-active`
 * names the side) and the last transition's edge marked with its cause. Colours come from the
 * page's stylesheet (classes), so light and dark themes both apply.
 */
import { esc } from '../../render/sequence-svg.js';
import { TCP_STATES, type TcpState } from '../../state/states.js';
import { TRANSITIONS } from '../../state/transitions.js';

/** Column and row of each state, in the shape of RFC 9293's figure 5. */
const PLACE: Readonly<Record<TcpState, readonly [number, number]>> = {
  CLOSED: [1, 0],
  LISTEN: [1, 1],
  SYN_RECV: [0, 2],
  SYN_SENT: [2, 2],
  ESTABLISHED: [1, 3],
  FIN_WAIT1: [0, 4],
  CLOSE_WAIT: [2, 4],
  FIN_WAIT2: [0, 5],
  CLOSING: [1, 5],
  LAST_ACK: [2, 5],
  TIME_WAIT: [1, 6],
};

const COL = 112;
const ROW = 62;
const NODE_W = 100;
const NODE_H = 30;
const PAD = 12;
export const DIAGRAM_WIDTH = 2 * COL + NODE_W + 2 * PAD;
export const DIAGRAM_HEIGHT = 6 * ROW + NODE_H + 2 * PAD;

function center(state: TcpState): { x: number; y: number } {
  const [c, r] = PLACE[state];
  return { x: PAD + c * COL + NODE_W / 2, y: PAD + r * ROW + NODE_H / 2 };
}

/** The point where the segment from a's centre towards b's leaves a's box. */
function boxEdge(a: TcpState, b: TcpState): { x: number; y: number } {
  const p = center(a);
  const q = center(b);
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : NODE_W / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : NODE_H / 2 / Math.abs(dy),
  );
  return { x: p.x + dx * scale, y: p.y + dy * scale };
}

/**
 * Nearly every state can fall back to CLOSED (a reset, an abort, a timeout): those edges are
 * drawn only when they are the transition just played, so that the figure stays readable.
 */
const USUAL_WAYS_TO_CLOSED: ReadonlySet<TcpState> = new Set([
  'TIME_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYN_SENT',
]);

function drawnAlways(from: TcpState, to: TcpState): boolean {
  return to !== 'CLOSED' || USUAL_WAYS_TO_CLOSED.has(from);
}

export interface DiagramInput {
  side: string;
  /** The side's label shown in the title, e.g. "a (10.0.0.1)". */
  label: string;
  current: TcpState;
  /** The transition that brought the side to `current`, when it was the last one played. */
  last?: { from: TcpState; to: TcpState; cause?: string };
}

export function stateDiagramSvg(d: DiagramInput): string {
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" viewBox="0 0 ${DIAGRAM_WIDTH} ${DIAGRAM_HEIGHT}" role="img" aria-label="${esc(`state diagram of ${d.label}: ${d.current}`)}">`,
  );
  const seen = new Set<string>();
  for (const t of TRANSITIONS) {
    const key = `${t.from}>${t.to}`;
    const lit = d.last !== undefined && d.last.from === t.from && d.last.to === t.to;
    if (t.from === t.to || seen.has(key) || (!lit && !drawnAlways(t.from, t.to))) continue;
    seen.add(key);
    const p = boxEdge(t.from, t.to);
    const q = boxEdge(t.to, t.from);
    parts.push(
      `<line class="edge${lit ? ' edge-lit' : ''}" data-from="${t.from}" data-to="${t.to}" x1="${p.x.toFixed(1)}" y1="${p.y.toFixed(1)}" x2="${q.x.toFixed(1)}" y2="${q.y.toFixed(1)}"/>`,
    );
  }
  for (const state of TCP_STATES) {
    const [c, r] = PLACE[state];
    const x = PAD + c * COL;
    const y = PAD + r * ROW;
    const active = state === d.current ? ` data-active="${esc(d.side)}"` : '';
    parts.push(
      `<g class="node" data-state="${state}"${active}><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="${x + NODE_W / 2}" y="${y + NODE_H / 2 + 4}" text-anchor="middle">${state}</text></g>`,
    );
  }
  if (d.last?.cause !== undefined) {
    const p = center(d.last.from);
    const q = center(d.last.to);
    parts.push(
      `<text class="cause" x="${((p.x + q.x) / 2).toFixed(1)}" y="${((p.y + q.y) / 2 - 4).toFixed(1)}" text-anchor="middle">${esc(d.last.cause)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
