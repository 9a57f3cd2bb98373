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
/** Room on each side for the edges that run around the figure up to CLOSED. */
const RAIL = 22;
const LEFT = PAD + RAIL;
export const DIAGRAM_WIDTH = 2 * COL + NODE_W + 2 * LEFT;
export const DIAGRAM_HEIGHT = 6 * ROW + NODE_H + 2 * PAD;

function center(state: TcpState): { x: number; y: number } {
  const [c, r] = PLACE[state];
  return { x: LEFT + c * COL + NODE_W / 2, y: PAD + r * ROW + NODE_H / 2 };
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

/** States next to CLOSED, whose edge to it is a straight line crossing no other state. */
const NEAR_CLOSED: ReadonlySet<TcpState> = new Set(['LISTEN', 'SYN_SENT']);

const f = (v: number) => v.toFixed(1);

interface EdgeShape {
  d: string;
  /** Where the cause is written, and whether it runs up the rail. */
  label: { x: number; y: number; vertical: boolean };
}

/**
 * A straight line between the boxes, except for a way down to CLOSED from below: that one runs
 * out to the rail on its side (the right for the right column), up, and into CLOSED, as RFC
 * 9293's figure draws it, so it crosses no state on the way.
 */
function edgeShape(from: TcpState, to: TcpState): EdgeShape {
  if (to !== 'CLOSED' || NEAR_CLOSED.has(from)) {
    const p = boxEdge(from, to);
    const q = boxEdge(to, from);
    return {
      d: `M${f(p.x)},${f(p.y)} L${f(q.x)},${f(q.y)}`,
      label: { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 - 4, vertical: false },
    };
  }
  const [c] = PLACE[from];
  const right = c === 2;
  const p = center(from);
  const end = center('CLOSED');
  const rail = right ? DIAGRAM_WIDTH - PAD - RAIL / 2 : PAD + RAIL / 2;
  const intoClosed = end.x + (right ? NODE_W / 2 : -NODE_W / 2);
  // CLOSING has neighbours on both sides: it leaves from below, along the gap under its row.
  const blocked = from === 'CLOSING';
  const start = blocked
    ? `M${f(p.x)},${f(p.y + NODE_H / 2)} L${f(p.x)},${f(p.y + ROW / 2)} L${f(rail)},${f(p.y + ROW / 2)}`
    : `M${f(p.x + (right ? NODE_W / 2 : -NODE_W / 2))},${f(p.y)} L${f(rail)},${f(p.y)}`;
  return {
    d: `${start} L${f(rail)},${f(end.y)} L${f(intoClosed)},${f(end.y)}`,
    label: { x: rail + (right ? 4 : -4), y: (p.y + end.y) / 2, vertical: true },
  };
}

export interface DiagramInput {
  side: string;
  /** The side's label shown in the title, e.g. "a (10.0.0.1)". */
  label: string;
  current: TcpState;
  /** The transition that brought the side to `current`, when it was the last one played. */
  last?: { from: TcpState; to: TcpState; cause?: string };
  /** True when `last` is the event just played: its node and edge are drawn moving. */
  fresh?: boolean;
}

export function stateDiagramSvg(d: DiagramInput): string {
  const parts: string[] = [];
  // Marker ids are document-wide: each diagram has its own.
  const id = `arrow-${d.side.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" viewBox="0 0 ${DIAGRAM_WIDTH} ${DIAGRAM_HEIGHT}" role="img" aria-label="${esc(`state diagram of ${d.label}: ${d.current}`)}">`,
    `<defs><marker id="${id}" class="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z"/></marker><marker id="${id}-lit" class="arrow arrow-lit" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z"/></marker></defs>`,
  );
  const seen = new Set<string>();
  let litShape: EdgeShape | undefined;
  for (const t of TRANSITIONS) {
    const key = `${t.from}>${t.to}`;
    const lit = d.last !== undefined && d.last.from === t.from && d.last.to === t.to;
    if (t.from === t.to || seen.has(key) || (!lit && !drawnAlways(t.from, t.to))) continue;
    seen.add(key);
    const shape = edgeShape(t.from, t.to);
    if (lit) litShape = shape;
    parts.push(
      `<path class="edge${lit ? ' edge-lit' : ''}${lit && d.fresh ? ' fresh' : ''}" data-from="${t.from}" data-to="${t.to}" d="${shape.d}" fill="none" marker-end="url(#${id}${lit ? '-lit' : ''})"/>`,
    );
  }
  for (const state of TCP_STATES) {
    const [c, r] = PLACE[state];
    const x = LEFT + c * COL;
    const y = PAD + r * ROW;
    const active = state === d.current ? ` data-active="${esc(d.side)}"` : '';
    const fresh = state === d.current && d.fresh ? ' fresh' : '';
    parts.push(
      `<g class="node${fresh}" data-state="${state}"${active}><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="${x + NODE_W / 2}" y="${y + NODE_H / 2 + 4}" text-anchor="middle">${state}</text></g>`,
    );
  }
  if (d.last?.cause !== undefined && litShape !== undefined) {
    const { x, y, vertical } = litShape.label;
    // Up the left rail, down the right one, each reading away from the figure.
    const angle = x < DIAGRAM_WIDTH / 2 ? -90 : 90;
    const turn = vertical ? ` transform="rotate(${angle} ${f(x)} ${f(y)})"` : '';
    parts.push(
      `<text class="cause" x="${f(x)}" y="${f(y)}" text-anchor="middle"${turn}>${esc(d.last.cause)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
