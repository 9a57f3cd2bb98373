/**
 * Where labels go in a crowded drawing: each label is a rectangle (rotated like the arrow it
 * names), and a label is put at the first of its candidate places that no label already put
 * covers. Boxes are kept in horizontal strips so a diagram of thousands of arrows stays fast.
 */
import { textWidth } from './font-metrics.js';

export type Point = readonly [number, number];

/** A rectangle's four corners, in order. */
export interface LabelBox {
  corners: readonly Point[];
  minY: number;
  maxY: number;
}

export interface TextSpec {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  size: number;
  bold?: boolean;
  text: string;
  /** Degrees about (cx, cy), as SVG's rotate(). */
  rotate?: { deg: number; cx: number; cy: number };
}

/** The rectangle a text's glyphs cover: DejaVu Sans rises 0.76 em and falls 0.24 em. */
export function boxOf(t: TextSpec): LabelBox {
  const w = textWidth(t.text, t.size, t.bold);
  const left = t.anchor === 'middle' ? t.x - w / 2 : t.anchor === 'end' ? t.x - w : t.x;
  const top = t.y - 0.76 * t.size;
  const bottom = t.y + 0.24 * t.size;
  let corners: Point[] = [
    [left, top],
    [left + w, top],
    [left + w, bottom],
    [left, bottom],
  ];
  const r = t.rotate;
  if (r !== undefined && r.deg !== 0) {
    const a = (r.deg * Math.PI) / 180;
    const cos = Math.cos(a);
    const sin = Math.sin(a);
    corners = corners.map(([px, py]) => [
      r.cx + (px - r.cx) * cos - (py - r.cy) * sin,
      r.cy + (px - r.cx) * sin + (py - r.cy) * cos,
    ]);
  }
  const ys = corners.map((c) => c[1]);
  return { corners, minY: Math.min(...ys), maxY: Math.max(...ys) };
}

/** Separating-axis test on two convex quadrilaterals, with `gap` pixels of air required. */
function intersects(p: LabelBox, q: LabelBox, gap: number): boolean {
  for (const box of [p, q]) {
    for (let i = 0; i < 4; i++) {
      const a = box.corners[i] as Point;
      const b = box.corners[(i + 1) % 4] as Point;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
      const nx = (a[1] - b[1]) / len;
      const ny = (b[0] - a[0]) / len;
      let pMin = Number.POSITIVE_INFINITY;
      let pMax = Number.NEGATIVE_INFINITY;
      let qMin = Number.POSITIVE_INFINITY;
      let qMax = Number.NEGATIVE_INFINITY;
      for (const [x, y] of p.corners) {
        const d = x * nx + y * ny;
        pMin = Math.min(pMin, d);
        pMax = Math.max(pMax, d);
      }
      for (const [x, y] of q.corners) {
        const d = x * nx + y * ny;
        qMin = Math.min(qMin, d);
        qMax = Math.max(qMax, d);
      }
      if (pMax + gap <= qMin || qMax + gap <= pMin) return false;
    }
  }
  return true;
}

const STRIP = 64;

/** An arrow's line, as a box with no width, and which label it belongs to. */
interface LineBox extends LabelBox {
  owner: number;
}

/** Pixels of air between a label and an arrow that is not its own (the stroke's half included). */
const LINE_GAP = 2;

function addToStrips<T extends LabelBox>(strips: Map<number, T[]>, box: T): void {
  for (let s = Math.floor(box.minY / STRIP); s <= box.maxY / STRIP; s++) {
    const strip = strips.get(s);
    if (strip) strip.push(box);
    else strips.set(s, [box]);
  }
}

export class LabelPlacer {
  private readonly strips = new Map<number, LabelBox[]>();
  private readonly lines = new Map<number, LineBox[]>();

  /** `bounds`: the horizontal span labels must stay inside; `gap`: pixels of air between boxes. */
  constructor(
    private readonly bounds: { minX: number; maxX: number } = {
      minX: Number.NEGATIVE_INFINITY,
      maxX: Number.POSITIVE_INFINITY,
    },
    private readonly gap = 1,
  ) {}

  /** Whether the box would leave the bounds or touch any box already taken. */
  collides(box: LabelBox): boolean {
    for (const [x] of box.corners) if (x < this.bounds.minX || x > this.bounds.maxX) return true;
    for (
      let s = Math.floor((box.minY - this.gap) / STRIP);
      s <= (box.maxY + this.gap) / STRIP;
      s++
    ) {
      for (const other of this.strips.get(s) ?? []) {
        if (other.maxY + this.gap < box.minY || box.maxY + this.gap < other.minY) continue;
        if (intersects(box, other, this.gap)) return true;
      }
    }
    return false;
  }

  take(box: LabelBox): void {
    addToStrips(this.strips, box);
  }

  /**
   * An arrow from (x1, y1) to (x2, y2) that labels should rather not cross; `owner` names the
   * label that belongs to it, which may sit as close to it as it likes.
   */
  takeLine(owner: number, x1: number, y1: number, x2: number, y2: number): void {
    const a: Point = [x1, y1];
    const b: Point = [x2, y2];
    addToStrips(this.lines, {
      corners: [a, b, b, a],
      minY: Math.min(y1, y2),
      maxY: Math.max(y1, y2),
      owner,
    });
  }

  /** Whether the box crosses an arrow other than its owner's. */
  crossesLine(box: LabelBox, owner: number | undefined): boolean {
    for (
      let s = Math.floor((box.minY - LINE_GAP) / STRIP);
      s <= (box.maxY + LINE_GAP) / STRIP;
      s++
    ) {
      for (const line of this.lines.get(s) ?? []) {
        if (line.owner === owner) continue;
        if (line.maxY + LINE_GAP < box.minY || box.maxY + LINE_GAP < line.minY) continue;
        if (intersects(box, line, LINE_GAP)) return true;
      }
    }
    return false;
  }

  /**
   * The first candidate that touches no label, taken; undefined when every one collides. With
   * `clearOf`, the label's own arrow (takeLine), it must also cross no other arrow.
   */
  place<T extends TextSpec>(candidates: readonly T[], clearOf?: number): T | undefined {
    for (const c of candidates) {
      const box = boxOf(c);
      if (this.collides(box)) continue;
      if (clearOf !== undefined && this.crossesLine(box, clearOf)) continue;
      this.take(box);
      return c;
    }
    return undefined;
  }
}
