/**
 * The sequence diagram in the simulator view: drawn by render/sequence-svg.ts, with each
 * segment made clickable (click one to drop it, click a dropped one to bring it back), the
 * segments not yet played faded and the one just played marked.
 *
 * Each segment's element carries `data-event` (its index in the story), `data-segment` (its
 * drop name, `a7`: the 7th segment a sent, model/drops.ts), `data-from`, `data-flags` and
 * `data-fate`. A renderer that puts `data-event` on its segments itself is used as it is;
 * otherwise the segments are found in the order render/sequence-svg.ts draws them.
 */
import { renderSvg } from '../render/sequence-svg.js';
import { type Story, segmentLabel, sequenceBases } from '../scenario/story.js';
import { h } from './dom.js';
import { isDropped, refAt, refText, type SegmentRef } from './model/drops.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface SequencePanel {
  element: HTMLElement;
  draw(story: Story, drops: readonly SegmentRef[]): void;
  /** Fades what comes after `step` events and marks the event just played. */
  show(step: number): void;
}

/**
 * Wraps each segment render/sequence-svg.ts drew (its line, the cross of a lost one, its label)
 * in a group named after the story event. The renderer draws segments in story order, each
 * starting with a line of stroke-width 1.5 and ending with its label.
 */
function markSegments(svg: SVGSVGElement, story: Story, drops: readonly SegmentRef[]): void {
  if (svg.querySelector('[data-event]') !== null) return;
  const lines = [...svg.querySelectorAll('line[stroke-width="1.5"]')];
  const indexes = story.events.flatMap((e, i) => (e.type === 'segment' ? [i] : []));
  if (lines.length !== indexes.length) return;
  const bases = sequenceBases(story);
  lines.forEach((line, k) => {
    const index = indexes[k] ?? 0;
    const e = story.events[index];
    const ref = refAt(story, index);
    if (e?.type !== 'segment' || ref === undefined) return;
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('class', 'seg');
    g.setAttribute('data-event', String(index));
    g.setAttribute('data-segment', refText(ref));
    g.setAttribute('data-from', e.from);
    g.setAttribute('data-flags', e.flags);
    g.setAttribute('data-fate', e.fate);
    if (isDropped(drops, ref)) g.setAttribute('data-dropped', '');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${e.from}’s segment ${ref.n}: ${segmentLabel(e, bases)} (${e.fate}) — ${
      isDropped(drops, ref) ? 'click to deliver it again' : 'click to drop it'
    }`;
    line.before(g);
    g.append(title);
    // A wide invisible copy of the line, so a thin arrow is easy to hit.
    const hit = line.cloneNode() as SVGLineElement;
    hit.setAttribute('class', 'hit');
    hit.removeAttribute('marker-end');
    hit.removeAttribute('stroke-dasharray');
    for (let n: Element | null = line; n !== null; ) {
      const next: Element | null = n.nextElementSibling;
      g.append(n);
      if (n.tagName === 'text') break;
      n = next;
    }
    g.append(hit);
  });
}

/**
 * `render` draws the story as SVG text (render/sequence-svg.ts unless another renderer is
 * given); `toggle` is called with the story index of a segment clicked.
 */
export function sequencePanel(
  toggle: (index: number) => void,
  render: (story: Story) => string = renderSvg,
): SequencePanel {
  // Focusable, so that the keyboard can scroll it (its arrow keys scroll, not step).
  const element = h('figure', {
    class: 'sequence',
    tabindex: '0',
    'data-scrolls': '',
    'aria-label': 'sequence diagram: click a segment to drop it',
  });
  let groups: SVGGElement[] = [];
  let shownStep = -1;
  const zoom = zoomControls(element);

  element.addEventListener('click', (e) => {
    if (zoom.dragged()) return;
    const target = e.target instanceof Element ? e.target.closest('[data-event]') : null;
    if (target === null) return;
    toggle(Number(target.getAttribute('data-event')));
  });

  return {
    element: zoom.panel,
    draw(story, drops) {
      element.innerHTML = render(story);
      const svg = element.querySelector('svg');
      if (svg !== null) {
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', `sequence diagram of ${story.scenario}, seed ${story.seed}`);
        markSegments(svg, story, drops);
      }
      zoom.drawn();
      groups = [...element.querySelectorAll<SVGGElement>('[data-event]')];
      shownStep = -1;
    },
    show(step) {
      if (step === shownStep) return;
      shownStep = step;
      let current: SVGGElement | undefined;
      for (const g of groups) {
        const index = Number(g.dataset.event);
        g.classList.toggle('future', index >= step);
        g.classList.toggle('current', index === step - 1);
        if (index === step - 1) current = g;
      }
      // Keeps the segment just played in sight inside the diagram's own scroll box only.
      if (current !== undefined) {
        const box = element.getBoundingClientRect();
        const at = current.getBoundingClientRect();
        if (at.top < box.top || at.bottom > box.bottom)
          element.scrollTop += at.top - box.top - box.height / 3;
      }
    },
  };
}

const ZOOM_MIN = 0.25;
const ZOOM_MAX = 4;
const ZOOM_STEP = 1.25;

/**
 * Zoom and pan for the sequence diagram's scroll box: − / + / Reset buttons, the keys + - 0 while
 * the diagram has focus, Ctrl+wheel (or a trackpad pinch), and dragging to pan. Zooming scales
 * the SVG (through the CSSOM: the page's CSP forbids style attributes) around the centre of the
 * view, so clicks still land on the segment under the pointer. A drag does not count as a click.
 */
function zoomControls(box: HTMLElement) {
  let zoom = 1;
  let base: { w: number; h: number } | undefined;
  let moved = false;
  const level = h('span', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  const button = (label: string, text: string, to: () => number) => {
    const b = h('button', { type: 'button', 'aria-label': label }, text);
    b.addEventListener('click', () => set(to()));
    return b;
  };
  const toolbar = h(
    'div',
    { class: 'seq-zoom', role: 'toolbar', 'aria-label': 'zoom the sequence diagram' },
    button('zoom out', '−', () => zoom / ZOOM_STEP),
    level,
    button('zoom in', '+', () => zoom * ZOOM_STEP),
    button('reset the zoom', 'Reset', () => 1),
  );
  const panel = h('div', { class: 'sequence-panel', 'data-zoom': '1' }, toolbar, box);

  function apply(): void {
    const svg = box.querySelector('svg');
    if (svg === null || base === undefined) return;
    // At 100% the stylesheet sizes the diagram (fitted to the column, or its own size on a
    // phone); zoomed, it is that displayed size times the zoom, past the column's width.
    svg.style.width = zoom === 1 ? '' : `${base.w * zoom}px`;
    svg.style.height = zoom === 1 ? '' : `${base.h * zoom}px`;
    svg.style.maxWidth = zoom === 1 ? '' : 'none';
    level.textContent = `${Math.round(zoom * 100)}%`;
    panel.dataset.zoom = String(Math.round(zoom * 1000) / 1000);
  }

  function set(next: number): void {
    const z = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, next));
    if (z === zoom) return;
    // Keep the point at the centre of the view where it is.
    const cx = (box.scrollLeft + box.clientWidth / 2) / zoom;
    const cy = (box.scrollTop + box.clientHeight / 2) / zoom;
    zoom = z;
    apply();
    box.scrollLeft = cx * zoom - box.clientWidth / 2;
    box.scrollTop = cy * zoom - box.clientHeight / 2;
  }

  box.addEventListener('keydown', (e) => {
    if (e.key === '+' || e.key === '=') set(zoom * ZOOM_STEP);
    else if (e.key === '-') set(zoom / ZOOM_STEP);
    else if (e.key === '0') set(1);
    else return;
    e.preventDefault();
  });
  box.addEventListener(
    'wheel',
    (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      set(zoom * (e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP));
    },
    { passive: false },
  );
  let drag: { x: number; y: number; left: number; top: number } | undefined;
  box.addEventListener('pointerdown', (e) => {
    moved = false;
    drag = { x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop };
  });
  box.addEventListener('pointermove', (e) => {
    if (drag === undefined || (e.buttons & 1) === 0) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 5) return;
    moved = true;
    box.scrollLeft = drag.left - dx;
    box.scrollTop = drag.top - dy;
  });
  box.addEventListener('pointerup', () => {
    drag = undefined;
  });

  return {
    panel,
    /** A new diagram was drawn: take its natural size and keep the zoom. */
    drawn(): void {
      const svg = box.querySelector('svg');
      // The size the stylesheet gives it at 100% (its own size while the panel is not laid out).
      const shown = svg?.getBoundingClientRect();
      const w = shown && shown.width > 0 ? shown.width : Number(svg?.getAttribute('width'));
      const hgt = shown && shown.height > 0 ? shown.height : Number(svg?.getAttribute('height'));
      base = w > 0 && hgt > 0 ? { w, h: hgt } : undefined;
      apply();
    },
    /** The last pointer gesture panned (its click is not a click on a segment). */
    dragged: () => moved,
  };
}
