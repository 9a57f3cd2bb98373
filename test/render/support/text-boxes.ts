/**
 * The boxes an SVG's text elements take on the page, from the SVG itself (x, y, anchor, font
 * size and weight, rotation) and DejaVu Sans' advance widths (src/render/font-metrics.ts), and which of them overlap. Boxes
 * are rotated rectangles; two overlap when no axis of either separates them.
 */
import { textWidth } from '../../../src/render/font-metrics.js';

export interface TextBox {
  text: string;
  corners: Array<[number, number]>;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
}

/** Every `<text>` of the SVG as the rectangle its glyphs cover (ascent 0.76 em, descent 0.24 em). */
export function textBoxes(svg: string): TextBox[] {
  const boxes: TextBox[] = [];
  // Inherited font size and weight from a <g> are not used by the renderers checked here.
  for (const m of svg.matchAll(/<text\b([^>]*)>([\s\S]*?)<\/text>/g)) {
    const attrs = m[1] ?? '';
    const text = (m[2] ?? '').replace(/<[^>]+>/g, '').replace(/&[#\w]+;/g, (e) => ENTITIES[e] ?? e);
    if (text.trim() === '') continue;
    const x = Number(attr(attrs, 'x') ?? 0);
    const y = Number(attr(attrs, 'y') ?? 0);
    const size = Number(attr(attrs, 'font-size') ?? 16);
    const bold = attr(attrs, 'font-weight') === 'bold';
    const anchor = attr(attrs, 'text-anchor') ?? 'start';
    const w = textWidth(text, size, bold);
    const left = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
    const top = y - 0.76 * size;
    const bottom = y + 0.24 * size;
    let corners: Array<[number, number]> = [
      [left, top],
      [left + w, top],
      [left + w, bottom],
      [left, bottom],
    ];
    const rot = /rotate\(([-\d.]+)(?:[ ,]+([-\d.]+)[ ,]+([-\d.]+))?\)/.exec(
      attr(attrs, 'transform') ?? '',
    );
    if (rot) {
      const a = (Number(rot[1]) * Math.PI) / 180;
      const cx = Number(rot[2] ?? 0);
      const cy = Number(rot[3] ?? 0);
      corners = corners.map(([px, py]) => [
        cx + (px - cx) * Math.cos(a) - (py - cy) * Math.sin(a),
        cy + (px - cx) * Math.sin(a) + (py - cy) * Math.cos(a),
      ]);
    }
    boxes.push({ text, corners });
  }
  return boxes;
}

function separated(p: TextBox, q: TextBox, tolerance: number): boolean {
  for (const box of [p, q]) {
    for (let i = 0; i < 4; i++) {
      const [x1, y1] = box.corners[i] as [number, number];
      const [x2, y2] = box.corners[(i + 1) % 4] as [number, number];
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const nx = -(y2 - y1) / len;
      const ny = (x2 - x1) / len;
      const project = (b: TextBox) => b.corners.map(([x, y]) => x * nx + y * ny);
      const pp = project(p);
      const qq = project(q);
      if (
        Math.max(...pp) - tolerance <= Math.min(...qq) ||
        Math.max(...qq) - tolerance <= Math.min(...pp)
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Pairs of texts whose boxes overlap by more than `tolerance` pixels. */
export function overlaps(boxes: readonly TextBox[], tolerance = 0.5): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i] as TextBox;
      const q = boxes[j] as TextBox;
      if (!separated(p, q, tolerance)) out.push([p.text, q.text]);
    }
  }
  return out;
}
