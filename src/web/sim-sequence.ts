/**
 * The sequence diagram of a run, in the simulator, drill and capture views: the SVG of
 * render/sequence-svg.ts (bursts folded, or every segment), zoomed and panned with only
 * transforms (the SVG is built once per run), a "now" line that follows a player with what is
 * still to come faded under it, and segments that can be clicked to drop them.
 *
 * - Zoom and pan: − / + / Reset, the keys + - 0 while the diagram has focus, arrows and Page
 *   Up/Down and Home/End pan; Ctrl+wheel (or a trackpad pinch) zooms at the pointer, the wheel
 *   alone scrolls; one pointer drags, two pinch. A drag is not a click.
 * - A crowded diagram comes in slices (render/sequence-svg.ts): only those near the view are
 *   displayed, so a frame paints what shows, not a 10 MB transfer's every arrow.
 * - Each segment's group carries `data-event` (its index in the story), `data-segment` (its drop
 *   name, `a7`: the 7th segment a sent, model/drops.ts), `data-from`, `data-flags`, `data-fate`,
 *   `data-seq` and `data-len` (relative), and `data-dropped` when the user dropped it.
 * - A folded burst (`.burst`, `data-burst-first` = its first segment's story index) is a button:
 *   click it, or Enter on it, and its segments are listed under the diagram, each one with its
 *   own "Drop" button; so any single segment of a transfer can be dropped.
 * - Screen readers get the diagram as a list of its arrows and state changes, in order.
 */
import { type Burst, burstLabel, burstSpan, type FoldedEvent, foldEvents } from '../render/fold.js';
import { layoutSvg } from '../render/sequence-svg.js';
import {
  formatMs,
  type SegmentEvent,
  type Story,
  type StoryEvent,
  segmentLabel,
  segmentNumbers,
  sequenceBases,
} from '../scenario/story.js';
import { h } from './dom.js';
import { isDropped, refAt, refText, type SegmentRef } from './model/drops.js';

const SVG = 'http://www.w3.org/2000/svg';
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 8;
const STEP = 1.25;
/** Pixels an arrow key pans. */
const PAN = 60;
/** Where the lifelines start: the "now" line before the first event. */
const LIFELINE_TOP = 82;
/** Below a `now` time's first row: the line passes under the segment just played. */
const NOW_BELOW = 5;
/** Narrower than this (a phone), the diagram is fitted by its middle only, between the lifelines. */
const PHONE = 560;
/** The width of the diagram's middle: both lifelines, their states and the arrows between. */
const MIDDLE = 600;

export interface SequenceOptions {
  /** Segments can be clicked to drop them, bursts opened (the simulator; default true). */
  drops?: boolean;
  /** The label of the diagram for screen readers. */
  label?: string;
  /** Edits the SVG text before it is shown (the capture view's title). */
  edit?: (svg: string) => string;
}

export interface SequencePanel {
  readonly element: HTMLElement;
  /** Draws this run (keeps the zoom). */
  draw(story: Story, drops?: readonly SegmentRef[]): void;
  /**
   * After `step` events (at virtual time `time`, ms): a now-line under the last one, kept in
   * view, the rest faded; the event just played marked. `step` undefined: no line, nothing faded.
   */
  show(step: number | undefined, time?: number): void;
  readonly zoom: number;
  zoomIn(): void;
  zoomOut(): void;
  /** Back to the whole width, at the top. */
  reset(): void;
}

function itemText(e: FoldedEvent, bases: ReturnType<typeof sequenceBases>): string {
  if (e.type === 'burst') {
    return `${burstSpan(e, formatMs)}: ${e.from} → ${e.to}, ${burstLabel(e, bases)}`;
  }
  const t = `${formatMs(e.time)} ms`;
  if (e.type === 'state') return `${t}: ${e.side} ${e.from} → ${e.to} (${e.cause ?? '?'})`;
  if (e.type === 'note') return `${t}: ${e.side ?? 'network'}: ${e.text}`;
  const fate = e.fate === 'delivered' ? '' : `, ${e.fate}`;
  return `${t}: ${e.from} → ${e.to}, ${segmentLabel(e, bases)}${fate}`;
}

/** Names a segment's group after its story event (the attributes of the module comment). */
function markSegment(
  g: SVGGElement,
  story: Story,
  index: number,
  drops: readonly SegmentRef[],
  bases: ReturnType<typeof sequenceBases>,
  clickable: boolean,
): void {
  const e = story.events[index];
  const ref = refAt(story, index);
  if (e?.type !== 'segment' || ref === undefined) return;
  const dropped = isDropped(drops, ref);
  const { seq } = segmentNumbers(e, bases, false);
  g.classList.add('seg');
  g.setAttribute('data-event', String(index));
  g.setAttribute('data-segment', refText(ref));
  g.setAttribute('data-from', e.from);
  g.setAttribute('data-flags', e.flags);
  g.setAttribute('data-fate', e.fate);
  g.setAttribute('data-seq', String(seq));
  g.setAttribute('data-len', String(e.len));
  if (dropped) g.setAttribute('data-dropped', '');
  let title = g.querySelector(':scope > title');
  if (title === null) {
    title = document.createElementNS(SVG, 'title');
    g.prepend(title);
  }
  const action = clickable
    ? ` — ${dropped ? 'click to deliver it again' : 'click to drop it'}`
    : '';
  title.textContent = `${e.from}’s segment ${ref.n}: ${segmentLabel(e, bases)} (${e.fate})${action}`;
  if (!clickable) return;
  // A wide invisible copy of the line, so that a thin arrow is easy to hit.
  const line = g.querySelector('line');
  if (line === null) return;
  const hit = line.cloneNode() as SVGLineElement;
  hit.setAttribute('class', 'hit');
  hit.removeAttribute('marker-end');
  hit.removeAttribute('stroke-dasharray');
  g.append(hit);
}

/**
 * Wraps each segment of a small diagram (drawn without groups) in a group: render/sequence-svg.ts
 * draws segments in story order, each starting with a line of stroke-width 1.5 and ending with
 * its label. Returns the groups, or [] when the drawing does not match the story.
 */
function groupSegments(svg: SVGSVGElement, segments: number): SVGGElement[] {
  const lines = [...svg.querySelectorAll('line[stroke-width="1.5"]')];
  if (lines.length !== segments) return [];
  return lines.map((line) => {
    const g = document.createElementNS(SVG, 'g');
    line.before(g);
    for (let n: Element | null = line; n !== null; ) {
      const next: Element | null = n.nextElementSibling;
      g.append(n);
      if (n.tagName === 'text') break;
      n = next;
    }
    return g;
  });
}

export function sequencePanel(
  toggle: (index: number) => void,
  opts: SequenceOptions = {},
): SequencePanel {
  const clickable = opts.drops ?? true;
  const zoomOutButton = h('button', { type: 'button', 'aria-label': 'zoom out' }, '−');
  const zoomInButton = h('button', { type: 'button', 'aria-label': 'zoom in' }, '+');
  const resetButton = h('button', { type: 'button', 'aria-label': 'reset the zoom' }, 'Reset');
  const foldBox = h('input', { type: 'checkbox', name: 'fold' });
  foldBox.checked = true;
  const level = h('output', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  const toolbar = h(
    'div',
    { class: 'seq-zoom', role: 'toolbar', 'aria-label': 'zoom the sequence diagram' },
    zoomOutButton,
    level,
    zoomInButton,
    resetButton,
    h('label', { class: 'field fold' }, foldBox, h('span', {}, 'Fold bursts')),
  );
  const canvas = h('div', { class: 'seq-canvas' });
  const future = h('div', { class: 'seq-future', 'aria-hidden': 'true', hidden: '' });
  const now = h('div', { class: 'seq-now', 'aria-hidden': 'true', hidden: '' });
  const label =
    opts.label ??
    (clickable
      ? 'sequence diagram: click a segment to drop it, a burst to list its segments; + and - zoom, arrow keys pan, 0 resets'
      : 'sequence diagram: + and - zoom, arrow keys pan, 0 resets');
  // Focusable, so that the keyboard can zoom and pan it (its arrow keys pan, not step).
  const viewport = h(
    'div',
    { class: 'sequence', tabindex: '0', 'data-scrolls': '', role: 'group', 'aria-label': label },
    canvas,
    future,
    now,
  );
  const detail = h('section', { class: 'burst-detail', 'aria-live': 'polite', hidden: '' });
  // A `ul`, not an `ol`: the log's items, replaced at each transition, would otherwise have
  // the browser number these thousands of items again (a 100 ms layout in a playing run).
  const list = h('ul', {
    class: 'seq-list visually-hidden',
    'aria-label': 'sequence diagram, event by event',
  });
  const element = h('div', { class: 'sequence-panel', 'data-zoom': '1' }, toolbar, viewport);
  element.append(detail, list);

  let story: Story | undefined;
  let drops: readonly SegmentRef[] = [];
  let y: (t: number) => number = () => 0;
  let svgWidth = 780;
  let svgHeight = 0;
  let scale = 1;
  let tx = 0;
  let ty = 0;
  let fit = 1;
  let nowY: number | undefined;
  /** The player is at the story's end: nothing is still to come, nothing faded. */
  let atEnd = false;
  // The view's size, read when it is drawn or resized: reading it while playing would force a
  // layout of the whole page in the middle of every frame.
  let vw = 0;
  let vh = 0;
  /** The group drawing each story event (a burst's group for each of its segments). */
  let drawnAt = new Map<number, SVGGElement>();
  let bursts: Burst[] = [];
  let current: SVGGElement | undefined;
  let openBurst: number | undefined;
  /** A first drawing opens centred; later ones keep where the user panned. */
  let drawn = false;

  let chunkHeight = 0;
  let chunks = new Map<number, SVGElement[]>();
  const shown = new Set<number>();
  let shownLo = 0;
  let shownHi = -1;
  const showChunks = () => {
    if (chunkHeight <= 0) return;
    const k = fit * scale;
    const top = -ty / k;
    // Half a slice of margin: an arrow drawn from a slice above reaches into the view.
    const margin = chunkHeight / 2;
    const lo = Math.floor((top - margin) / chunkHeight);
    const hi = Math.floor((top + vh / k + margin) / chunkHeight);
    if (lo >= shownLo && hi <= shownHi) return;
    // One slice more each way than needed: showing and hiding repaints, so do it less often.
    shownLo = lo - 1;
    shownHi = hi + 1;
    for (const c of [...shown]) {
      if (c >= shownLo && c <= shownHi) continue;
      for (const el of chunks.get(c) ?? []) el.style.contentVisibility = 'hidden';
      shown.delete(c);
    }
    for (let c = Math.max(0, shownLo); c <= shownHi; c++) {
      if (shown.has(c) || !chunks.has(c)) continue;
      for (const el of chunks.get(c) ?? []) el.style.contentVisibility = '';
      shown.add(c);
    }
  };
  const clamp = () => {
    const w = svgWidth * fit * scale;
    const ht = svgHeight * fit * scale;
    tx = w <= vw ? (vw - w) / 2 : Math.min(0, Math.max(vw - w, tx));
    ty = ht <= vh ? 0 : Math.min(0, Math.max(vh - ht, ty));
  };
  // Set through the CSSOM: the page's Content-Security-Policy forbids inline style attributes.
  const apply = () => {
    clamp();
    const k = fit * scale;
    canvas.style.transform = `translate(${tx}px, ${ty}px) scale(${k})`;
    showChunks();
    if (nowY !== undefined) {
      const at = `translateY(${ty + nowY * k}px)`;
      now.hidden = false;
      future.hidden = atEnd;
      now.style.transform = at;
      future.style.transform = at;
    } else now.hidden = future.hidden = true;
    level.textContent = `${Math.round(scale * 100)}%`;
    element.dataset.zoom = String(Math.round(scale * 1000) / 1000);
    zoomInButton.disabled = scale >= MAX_ZOOM;
    zoomOutButton.disabled = scale <= MIN_ZOOM;
  };
  /** Zooms by `factor` keeping the diagram point under (px, py) of the viewport still. */
  const zoomAt = (factor: number, px: number, py: number) => {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale * factor));
    const k = next / scale;
    tx = px - (px - tx) * k;
    ty = py - (py - ty) * k;
    scale = next;
    apply();
  };
  const centre = (): [number, number] => [vw / 2, vh / 2];
  const measure = () => {
    vw = viewport.clientWidth;
    // Shrunk to a phone's width the labels are unreadable: there, the middle is fitted (the
    // time axis off to the left), and the view opens centred; + zooms in.
    fit = Math.min(1, vw / (vw >= PHONE ? svgWidth : MIDDLE));
    // As tall as the drawing, up to the stylesheet's height.
    viewport.style.height = '';
    vh = viewport.clientHeight;
    if (vh > 0 && svgHeight * fit < vh) {
      vh = Math.ceil(svgHeight * fit);
      viewport.style.height = `${vh}px`;
    }
  };
  const pan = (dx: number, dy: number) => {
    tx += dx;
    ty += dy;
    apply();
  };

  const render = () => {
    if (story === undefined) return;
    const fold = foldBox.checked;
    const layout = layoutSvg(story, { fold });
    canvas.innerHTML = opts.edit ? opts.edit(layout.svg) : layout.svg;
    const svg = canvas.querySelector('svg');
    if (svg === null) return;
    svgWidth = Number(svg.getAttribute('width') ?? 780);
    svgHeight = layout.height;
    y = layout.y;
    chunkHeight = Number(svg.getAttribute('data-chunk-height') ?? 0);
    chunks = new Map();
    shown.clear();
    shownLo = 0;
    shownHi = -1;
    // Each slice becomes an SVG of its own over the drawing: showing one then lays out that
    // small SVG, not the whole drawing (a 10 MB transfer's is 50,000 elements).
    for (const g of svg.querySelectorAll<SVGGElement>(':scope > g[data-chunk]')) {
      const c = Number(g.dataset.chunk);
      const slice = document.createElementNS(SVG, 'svg');
      slice.setAttribute('class', 'seq-slice');
      slice.setAttribute('data-chunk', String(c));
      slice.setAttribute('data-layer', g.getAttribute('class') ?? '');
      slice.setAttribute('width', String(svgWidth));
      slice.setAttribute('height', String(chunkHeight));
      slice.setAttribute('viewBox', `0 ${c * chunkHeight} ${svgWidth} ${chunkHeight}`);
      slice.setAttribute('font-family', svg.getAttribute('font-family') ?? 'sans-serif');
      slice.style.top = `${c * chunkHeight}px`;
      slice.style.contentVisibility = 'hidden';
      slice.append(g);
      canvas.append(slice);
      chunks.set(c, [...(chunks.get(c) ?? []), slice]);
    }
    // Screen readers read the list under it; in the drawing only the arrows (titled groups, the
    // bursts' buttons) are left to them, its texts and lines hidden.
    for (const el of canvas.querySelectorAll('.seq-canvas > svg')) {
      el.setAttribute('role', 'group');
      el.setAttribute('aria-label', el === svg ? 'the drawing' : 'a slice of the drawing');
    }
    for (const el of canvas.querySelectorAll(
      '.seq-canvas > svg:first-child > :not(g), g.arrows > :not(g), g.labels',
    )) {
      el.setAttribute('aria-hidden', 'true');
    }
    const items = foldEvents(story, { fold });
    const indexOf = new Map<StoryEvent, number>();
    story.events.forEach((e, i) => {
      indexOf.set(e, i);
    });
    const arrows = items.filter(
      (e): e is SegmentEvent | Burst => e.type === 'segment' || e.type === 'burst',
    );
    // A crowded diagram groups each arrow itself (with its label as a title), in item order.
    const groups =
      chunkHeight > 0
        ? [...canvas.querySelectorAll<SVGGElement>('g.arrows > g')].filter(
            (g) => g.firstElementChild?.tagName === 'title',
          )
        : groupSegments(svg, arrows.length);
    drawnAt = new Map();
    bursts = [];
    current = undefined;
    const bases = sequenceBases(story);
    if (groups.length === arrows.length) {
      arrows.forEach((item, k) => {
        const g = groups[k] as SVGGElement;
        if (item.type === 'segment') {
          const index = indexOf.get(item) ?? -1;
          markSegment(g, story as Story, index, drops, bases, clickable);
          drawnAt.set(index, g);
          return;
        }
        const first = indexOf.get(item.segments[0] as SegmentEvent) ?? -1;
        g.classList.add('burst');
        g.setAttribute('data-burst-first', String(first));
        g.setAttribute('data-kind', item.kind);
        g.setAttribute('data-segments', String(item.segments.length));
        if (clickable) {
          g.setAttribute('tabindex', '0');
          g.setAttribute('role', 'button');
          g.setAttribute(
            'aria-label',
            `${item.from} → ${item.to}, ${burstLabel(item, bases)}: list its segments`,
          );
        }
        bursts[first] = item;
        for (const s of item.segments) drawnAt.set(indexOf.get(s) ?? -1, g);
      });
    }
    list.replaceChildren(...items.map((e) => h('li', {}, itemText(e, bases))));
    measure();
    if (!drawn) tx = (vw - svgWidth * fit * scale) / 2;
    drawn = true;
    apply();
    if (openBurst !== undefined) showBurst(openBurst);
  };

  /** Lists the segments of the burst whose first segment is story event `first`. */
  const showBurst = (first: number) => {
    const b = bursts[first];
    if (story === undefined || b === undefined) {
      openBurst = undefined;
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    openBurst = first;
    const s = story;
    const bases = sequenceBases(s);
    const close = h('button', { type: 'button', class: 'close' }, 'Close');
    close.addEventListener('click', () => {
      openBurst = undefined;
      detail.hidden = true;
      drawnAt.get(first)?.focus();
    });
    const rows = b.segments.map((e) => {
      const index = s.events.indexOf(e, first);
      const ref = refAt(s, index);
      const name = ref === undefined ? '' : refText(ref);
      const drop = h(
        'button',
        {
          type: 'button',
          'data-segment': name,
          'data-event': String(index),
          'aria-label': `Drop ${e.from}’s segment ${ref?.n ?? '?'}`,
        },
        'Drop',
      );
      drop.addEventListener('click', () => toggle(index));
      return h(
        'tr',
        { 'data-event': String(index) },
        h('td', {}, `${e.from}’s #${ref?.n ?? '?'}`),
        h('td', { class: 'num' }, formatMs(e.time)),
        h('td', {}, segmentLabel(e, bases)),
        clickable ? h('td', {}, drop) : undefined,
      );
    });
    detail.replaceChildren(
      h(
        'div',
        { class: 'burst-head' },
        h('h3', {}, `${burstSpan(b, formatMs)}: ${b.from} → ${b.to}, ${burstLabel(b, bases)}`),
        close,
      ),
      h(
        'div',
        { class: 'burst-rows', tabindex: '0', 'data-scrolls': '', 'aria-label': 'its segments' },
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'segment'),
              h('th', { class: 'num' }, 'sent (ms)'),
              h('th', {}, 'header'),
              clickable
                ? h('th', {}, h('span', { class: 'visually-hidden' }, 'action'))
                : undefined,
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
    detail.hidden = false;
  };

  viewport.addEventListener('click', (e) => {
    if (moved || !clickable) return;
    // What is under the pointer, through the labels drawn over the arrows.
    const under = [
      ...(e.target instanceof Element ? [e.target] : []),
      ...document.elementsFromPoint(e.clientX, e.clientY),
    ];
    for (const el of under) {
      const seg = el.closest('.seg[data-event]');
      if (seg) {
        toggle(Number(seg.getAttribute('data-event')));
        return;
      }
      const burst = el.closest('[data-burst-first]');
      if (burst) {
        showBurst(Number(burst.getAttribute('data-burst-first')));
        return;
      }
    }
  });
  viewport.addEventListener('keydown', (e) => {
    if (e.altKey || e.metaKey || e.ctrlKey) return;
    const target = e.target instanceof Element ? e.target : null;
    const burst = target?.closest('[data-burst-first]');
    if (burst && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      showBurst(Number(burst.getAttribute('data-burst-first')));
      return;
    }
    const [cx, cy] = centre();
    const keys: Record<string, () => void> = {
      '+': () => zoomAt(STEP, cx, cy),
      '=': () => zoomAt(STEP, cx, cy),
      '-': () => zoomAt(1 / STEP, cx, cy),
      _: () => zoomAt(1 / STEP, cx, cy),
      '0': () => view.reset(),
      ArrowUp: () => pan(0, PAN),
      ArrowDown: () => pan(0, -PAN),
      ArrowLeft: () => pan(PAN, 0),
      ArrowRight: () => pan(-PAN, 0),
      PageUp: () => pan(0, vh * 0.9),
      PageDown: () => pan(0, -vh * 0.9),
      Home: () => pan(0, Number.POSITIVE_INFINITY),
      End: () => pan(0, Number.NEGATIVE_INFINITY),
    };
    const act = keys[e.key];
    if (act === undefined) return;
    e.preventDefault();
    act();
  });
  // A burst reached with Tab is brought into view (the transform does not scroll to it).
  viewport.addEventListener('focusin', (e) => {
    const t = e.target;
    if (!(t instanceof SVGGElement)) return;
    const box = viewport.getBoundingClientRect();
    const at = t.getBoundingClientRect();
    if (at.top < box.top || at.bottom > box.bottom) pan(0, box.top + box.height / 3 - at.top);
  });
  viewport.addEventListener(
    'wheel',
    (e) => {
      const rect = viewport.getBoundingClientRect();
      // Trackpad pinches arrive as wheel events with ctrlKey set.
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoomAt(Math.exp(-e.deltaY / 200), e.clientX - rect.left, e.clientY - rect.top);
        return;
      }
      const before = ty;
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? vh : 1;
      pan(-e.deltaX * unit, -e.deltaY * unit);
      // At either end of the diagram the wheel scrolls the page on.
      if (ty !== before || e.deltaX !== 0) e.preventDefault();
    },
    { passive: false },
  );
  // One pointer drags (past a few pixels: less is a click), two pinch.
  const pointers = new Map<number, { x: number; y: number }>();
  let moved = false;
  let pressed: { x: number; y: number } | undefined;
  viewport.addEventListener('pointerdown', (e) => {
    moved = false;
    pressed = { x: e.clientX, y: e.clientY };
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  });
  viewport.addEventListener('pointermove', (e) => {
    const before = pointers.get(e.pointerId);
    if (before === undefined || pressed === undefined) return;
    if (!moved && Math.abs(e.clientX - pressed.x) + Math.abs(e.clientY - pressed.y) < 5) return;
    if (!moved) viewport.setPointerCapture?.(e.pointerId);
    moved = true;
    const rect = viewport.getBoundingClientRect();
    if (pointers.size === 2) {
      const [p, q] = [...pointers.values()] as [{ x: number; y: number }, { x: number; y: number }];
      const d0 = Math.hypot(p.x - q.x, p.y - q.y);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const [p1, q1] = [...pointers.values()] as [
        { x: number; y: number },
        { x: number; y: number },
      ];
      const d1 = Math.hypot(p1.x - q1.x, p1.y - q1.y);
      if (d0 > 0) zoomAt(d1 / d0, (p1.x + q1.x) / 2 - rect.left, (p1.y + q1.y) / 2 - rect.top);
      return;
    }
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    pan(e.clientX - before.x, e.clientY - before.y);
  });
  const up = (e: PointerEvent) => {
    pointers.delete(e.pointerId);
    if (pointers.size === 0) pressed = undefined;
  };
  viewport.addEventListener('pointerup', up);
  viewport.addEventListener('pointercancel', up);
  zoomInButton.addEventListener('click', () => zoomAt(STEP, ...centre()));
  zoomOutButton.addEventListener('click', () => zoomAt(1 / STEP, ...centre()));
  resetButton.addEventListener('click', () => view.reset());
  foldBox.addEventListener('change', render);
  // The view's width decides the fit (a column, a phone): measured again when it changes.
  new ResizeObserver(() => {
    if (story === undefined) return;
    measure();
    apply();
  }).observe(viewport);

  const view: SequencePanel = {
    element,
    draw(next, dropped = []) {
      story = next;
      drops = dropped;
      render();
    },
    show(step, time = 0) {
      atEnd = story !== undefined && step === story.events.length;
      if (step === undefined || story === undefined) {
        nowY = undefined;
      } else {
        nowY = step === 0 ? LIFELINE_TOP : y(time) + NOW_BELOW;
        // Keep the line in the middle third of the view.
        const at = ty + nowY * fit * scale;
        if (at < vh / 3 || at > (2 * vh) / 3) ty -= at - vh / 2;
      }
      const g = step === undefined ? undefined : drawnAt.get(step - 1);
      if (g !== current) {
        current?.classList.remove('current');
        g?.classList.add('current');
        current = g;
      }
      apply();
    },
    get zoom() {
      return scale;
    },
    zoomIn: () => zoomAt(STEP, ...centre()),
    zoomOut: () => zoomAt(1 / STEP, ...centre()),
    reset() {
      scale = 1;
      ty = 0;
      measure();
      tx = (vw - svgWidth * fit) / 2;
      apply();
    },
  };
  return view;
}
