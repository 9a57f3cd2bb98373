/**
 * The sequence diagram of a run in the page: the SVG of render/sequence-svg.ts (bursts folded,
 * or every segment), zoomed and panned with the wheel (ctrl or a pinch zooms, the wheel alone
 * scrolls), two-finger pinch and one-finger drag, the buttons, or the keyboard when it has focus
 * (+ and - zoom, 0 resets, arrows and Page Up/Down pan). `setTime` draws a "now" line at a
 * virtual time and keeps it in view, for a player. Screen readers get the diagram as a list of
 * its arrows and state changes, in order, and each zoom level announced.
 *
 * Only transforms change while zooming, panning or playing: the SVG is built once per run.
 */
import { burstLabel, burstSpan, type FoldedEvent, foldEvents } from '../render/fold.js';
import { layoutSvg } from '../render/sequence-svg.js';
import { formatMs, type Story, segmentLabel, sequenceBases } from '../scenario/story.js';
import { h } from './dom.js';

export interface SeqViewOptions {
  /** Fold bursts (default true); the view's checkbox changes it. */
  fold?: boolean;
}

export interface SeqView {
  readonly element: HTMLElement;
  /** Draws this run (keeps the zoom, returns to the top). */
  show(story: Story): void;
  /** A line across the diagram at this virtual time (ms), scrolled into view; undefined hides it. */
  setTime(time: number | undefined): void;
  zoomIn(): void;
  zoomOut(): void;
  /** Back to the whole width, at the top. */
  reset(): void;
  readonly zoom: number;
  destroy(): void;
}

const MIN_ZOOM = 0.25;
const MAX_ZOOM = 8;
const STEP = 1.25;
/** Pixels an arrow key pans. */
const PAN = 60;

function itemText(e: FoldedEvent, bases: ReturnType<typeof sequenceBases>): string {
  if (e.type === 'burst') {
    return `${burstSpan(e, formatMs)}: ${e.from} → ${e.to}, ${burstLabel(e, bases)}`;
  }
  const t = `${formatMs(e.time)} ms`;
  if (e.type === 'state') return `${t}: ${e.side} ${e.from} → ${e.to} (${e.cause})`;
  if (e.type === 'note') return `${t}: ${e.side ?? 'network'}: ${e.text}`;
  const fate = e.fate === 'delivered' ? '' : `, ${e.fate}`;
  return `${t}: ${e.from} → ${e.to}, ${segmentLabel(e, bases)}${fate}`;
}

export function mountSeqView(container: HTMLElement, opts: SeqViewOptions = {}): SeqView {
  const zoomOutButton = h('button', { type: 'button', 'aria-label': 'zoom out' }, '−');
  const zoomInButton = h('button', { type: 'button', 'aria-label': 'zoom in' }, '+');
  const resetButton = h('button', { type: 'button', 'aria-label': 'Reset zoom' }, 'Reset');
  const foldBox = h('input', { type: 'checkbox', name: 'fold' });
  foldBox.checked = opts.fold ?? true;
  const level = h('output', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  const toolbar = h(
    'div',
    { class: 'seq-toolbar', role: 'toolbar', 'aria-label': 'sequence diagram zoom' },
    zoomOutButton,
    zoomInButton,
    resetButton,
    level,
    h('label', { class: 'field' }, foldBox, h('span', {}, 'Fold bursts')),
  );
  const canvas = h('div', { class: 'seq-canvas' });
  const now = h('div', { class: 'seq-now', 'aria-hidden': 'true', hidden: '' });
  const viewport = h(
    'div',
    {
      class: 'seq-viewport',
      tabindex: '0',
      role: 'group',
      'aria-label':
        'sequence diagram: + and - zoom, arrow keys pan, 0 fits; the list after it reads the same',
    },
    canvas,
    now,
  );
  const list = h('ol', { class: 'seq-list', 'aria-label': 'sequence diagram, event by event' });
  const element = h('figure', { class: 'seq-view' }, toolbar, viewport, list);
  // Set through the CSSOM: the page's Content-Security-Policy forbids inline style attributes.
  Object.assign(viewport.style, {
    position: 'relative',
    overflow: 'hidden',
    height: '70vh',
    touchAction: 'none',
    border: '1px solid var(--line, #ccc)',
    background: '#fff',
  });
  Object.assign(canvas.style, { transformOrigin: '0 0', willChange: 'transform' });
  Object.assign(now.style, {
    position: 'absolute',
    left: '0',
    right: '0',
    top: '0',
    height: '0',
    borderTop: '2px solid #e67e22',
    pointerEvents: 'none',
  });
  // Visually hidden, read by screen readers (the usual clip pattern).
  Object.assign(list.style, {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  });
  container.append(element);

  let story: Story | undefined;
  let y: (t: number) => number = () => 0;
  let svgWidth = 780;
  let svgHeight = 0;
  let scale = 1;
  let tx = 0;
  let ty = 0;
  let fit = 1;
  let time: number | undefined;
  // A crowded diagram comes in slices (render/sequence-svg.ts): only those near the viewport
  // are displayed, so that a frame paints what shows and not a 10 MB transfer's every arrow.
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
    const hi = Math.floor((top + viewport.clientHeight / k + margin) / chunkHeight);
    if (lo >= shownLo && hi <= shownHi) return;
    // One slice more each way than needed: showing and hiding repaints, so do it less often.
    shownLo = lo - 1;
    shownHi = hi + 1;
    for (const c of [...shown]) {
      if (c >= shownLo && c <= shownHi) continue;
      for (const el of chunks.get(c) ?? []) el.style.display = 'none';
      shown.delete(c);
    }
    for (let c = Math.max(0, shownLo); c <= shownHi; c++) {
      if (shown.has(c) || !chunks.has(c)) continue;
      for (const el of chunks.get(c) ?? []) el.style.display = '';
      shown.add(c);
    }
  };
  const clamp = () => {
    const vw = viewport.clientWidth;
    const vh = viewport.clientHeight;
    const w = svgWidth * fit * scale;
    const ht = svgHeight * fit * scale;
    tx = w <= vw ? (vw - w) / 2 : Math.min(0, Math.max(vw - w, tx));
    ty = ht <= vh ? 0 : Math.min(0, Math.max(vh - ht, ty));
  };
  const apply = () => {
    clamp();
    canvas.style.transform = `translate(${tx}px, ${ty}px) scale(${fit * scale})`;
    showChunks();
    if (time !== undefined) {
      now.hidden = false;
      now.style.transform = `translateY(${ty + y(time) * fit * scale}px)`;
    } else now.hidden = true;
    level.textContent = `${Math.round(scale * 100)}%`;
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
  const centre = (): [number, number] => [viewport.clientWidth / 2, viewport.clientHeight / 2];
  const measureFit = () => {
    fit = viewport.clientWidth > 0 ? Math.min(1, viewport.clientWidth / svgWidth) : 1;
  };

  const render = () => {
    if (story === undefined) return;
    const fold = foldBox.checked;
    const layout = layoutSvg(story, { fold });
    canvas.innerHTML = layout.svg;
    const svg = canvas.querySelector('svg');
    svgWidth = Number(svg?.getAttribute('width') ?? 780);
    svgHeight = layout.height;
    y = layout.y;
    svg?.setAttribute('aria-hidden', 'true');
    chunkHeight = Number(svg?.getAttribute('data-chunk-height') ?? 0);
    chunks = new Map();
    shown.clear();
    shownLo = 0;
    shownHi = -1;
    canvas.querySelectorAll<SVGElement>('[data-chunk]').forEach((el) => {
      const c = Number(el.dataset.chunk);
      el.style.display = 'none';
      chunks.set(c, [...(chunks.get(c) ?? []), el]);
    });
    const bases = sequenceBases(story);
    list.replaceChildren(
      ...foldEvents(story, { fold }).map((e) => h('li', {}, itemText(e, bases))),
    );
    measureFit();
    apply();
  };

  const onKey = (e: KeyboardEvent) => {
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
      PageUp: () => pan(0, viewport.clientHeight * 0.9),
      PageDown: () => pan(0, -viewport.clientHeight * 0.9),
      Home: () => pan(0, Number.POSITIVE_INFINITY),
      End: () => pan(0, Number.NEGATIVE_INFINITY),
    };
    const act = keys[e.key];
    if (act === undefined || e.altKey || e.metaKey || e.ctrlKey) return;
    e.preventDefault();
    act();
  };
  const pan = (dx: number, dy: number) => {
    tx += dx;
    ty += dy;
    apply();
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const rect = viewport.getBoundingClientRect();
    // Trackpad pinches arrive as wheel events with ctrlKey set.
    if (e.ctrlKey || e.metaKey) {
      zoomAt(Math.exp(-e.deltaY / 200), e.clientX - rect.left, e.clientY - rect.top);
    } else {
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? viewport.clientHeight : 1;
      pan(-e.deltaX * unit, -e.deltaY * unit);
    }
  };
  // One pointer drags; two pinch (the distance between them zooms, their midpoint stays).
  const pointers = new Map<number, { x: number; y: number }>();
  const onDown = (e: PointerEvent) => {
    viewport.setPointerCapture?.(e.pointerId);
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  };
  const onMove = (e: PointerEvent) => {
    const before = pointers.get(e.pointerId);
    if (before === undefined) return;
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
      if (d0 > 0) {
        zoomAt(d1 / d0, (p1.x + q1.x) / 2 - rect.left, (p1.y + q1.y) / 2 - rect.top);
      }
      return;
    }
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    pan(e.clientX - before.x, e.clientY - before.y);
  };
  const onUp = (e: PointerEvent) => {
    pointers.delete(e.pointerId);
  };
  const onResize = () => {
    measureFit();
    apply();
  };

  viewport.addEventListener('keydown', onKey);
  viewport.addEventListener('wheel', onWheel, { passive: false });
  viewport.addEventListener('pointerdown', onDown);
  viewport.addEventListener('pointermove', onMove);
  viewport.addEventListener('pointerup', onUp);
  viewport.addEventListener('pointercancel', onUp);
  window.addEventListener('resize', onResize);
  zoomInButton.addEventListener('click', () => zoomAt(STEP, ...centre()));
  zoomOutButton.addEventListener('click', () => zoomAt(1 / STEP, ...centre()));
  resetButton.addEventListener('click', () => view.reset());
  foldBox.addEventListener('change', render);

  const view: SeqView = {
    element,
    show(next) {
      story = next;
      ty = 0;
      render();
    },
    setTime(t) {
      time = t;
      if (t !== undefined) {
        // Keep the line in the middle third of the viewport.
        const at = ty + y(t) * fit * scale;
        const vh = viewport.clientHeight;
        if (at < vh / 3 || at > (2 * vh) / 3) ty -= at - vh / 2;
      }
      apply();
    },
    zoomIn: () => zoomAt(STEP, ...centre()),
    zoomOut: () => zoomAt(1 / STEP, ...centre()),
    reset() {
      scale = 1;
      tx = 0;
      ty = 0;
      measureFit();
      apply();
    },
    get zoom() {
      return scale;
    },
    destroy() {
      window.removeEventListener('resize', onResize);
      element.remove();
    },
  };
  return view;
}
