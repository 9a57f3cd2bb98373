/**
 * The simulator's playback controls: to the start, one event back, play/pause, one event
 * forward, to the end, a speed, and a scrubber over the events (its text says the virtual time).
 * Keyboard: every control is a button or a form control, and outside text fields Space plays or
 * pauses, ← and → step, Home and End jump (each button says so in aria-keyshortcuts).
 */
import { field, h } from './dom.js';

/** Story events per second at speed 1×. */
const EVENTS_PER_SECOND = 1.6;
const SPEEDS = ['0.5', '1', '2', '5', '10', '100'];

export interface Player {
  element: HTMLElement;
  /** A new run: `total` events, shown from `step`. */
  load(total: number, step: number): void;
  readonly step: number;
  readonly playing: boolean;
  go(step: number): void;
  pause(): void;
}

export function simPlayer(on: {
  /** Draws the run after `step` events. */
  show(step: number): void;
  /** The text for the scrubber at `step` ("12 of 40 · 131 ms"). */
  describe(step: number): string;
  /** Playing started or stopped (the page's data-status follows). */
  changed(): void;
}): Player {
  let total = 0;
  let step = 0;
  let frame: number | undefined;
  let last = 0;
  let owed = 0;

  const button = (action: string, label: string, text: string, keys: string) =>
    h(
      'button',
      { type: 'button', 'data-action': action, 'aria-label': label, 'aria-keyshortcuts': keys },
      text,
    );
  const first = button('first', 'to the start', '« Start', 'Home');
  const back = button('back', 'step back', '‹ Back', 'ArrowLeft');
  const play = button('play', 'play', '▶ Play', 'Space');
  const forward = button('forward', 'step forward', 'Step ›', 'ArrowRight');
  const end = button('end', 'to the end', 'End »', 'End');
  const speed = h(
    'select',
    { name: 'speed' },
    ...SPEEDS.map((s) => h('option', { value: s }, `${s}×`)),
  );
  speed.value = '1';
  const scrubber = h('input', {
    type: 'range',
    name: 'scrubber',
    min: '0',
    max: '0',
    value: '0',
    'aria-label': 'event',
  });
  const position = h('output', { class: 'position', 'aria-hidden': 'true' });
  const element = h(
    'div',
    { class: 'player', role: 'group', 'aria-label': 'playback' },
    h('div', { class: 'buttons' }, first, back, play, forward, end),
    field('Speed', speed),
    h('label', { class: 'field scrub' }, h('span', {}, 'Event'), scrubber),
    position,
  );

  const paint = () => {
    scrubber.max = String(total);
    scrubber.value = String(step);
    const text = on.describe(step);
    scrubber.setAttribute('aria-valuetext', text);
    position.textContent = text;
    first.disabled = back.disabled = step === 0;
    forward.disabled = end.disabled = step === total;
    const playing = frame !== undefined;
    play.textContent = playing ? '❚❚ Pause' : '▶ Play';
    play.setAttribute('aria-label', playing ? 'pause' : 'play');
    on.show(step);
  };

  const pause = () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    frame = undefined;
  };

  const go = (to: number) => {
    step = Math.max(0, Math.min(Math.round(to), total));
    if (step === total) pause();
    paint();
    on.changed();
  };

  const tick = (now: number) => {
    // Events are owed for the time that passed, so a slow frame does not slow the run down.
    owed += ((now - last) / 1000) * EVENTS_PER_SECOND * Number(speed.value);
    last = now;
    const n = Math.floor(owed);
    owed -= n;
    frame = requestAnimationFrame(tick);
    if (n > 0) go(step + n);
  };

  const start = () => {
    if (total === 0) return;
    if (step === total) step = 0;
    last = performance.now();
    // The first event comes at once, not after a pause.
    owed = 1;
    frame = requestAnimationFrame(tick);
    paint();
    on.changed();
  };

  const toggle = () => {
    if (frame === undefined) start();
    else {
      pause();
      paint();
      on.changed();
    }
  };

  first.addEventListener('click', () => {
    pause();
    go(0);
  });
  back.addEventListener('click', () => {
    pause();
    go(step - 1);
  });
  play.addEventListener('click', toggle);
  forward.addEventListener('click', () => {
    pause();
    go(step + 1);
  });
  end.addEventListener('click', () => {
    pause();
    go(total);
  });
  scrubber.addEventListener('input', () => {
    pause();
    go(Number(scrubber.value));
  });
  document.addEventListener('keydown', (e) => {
    if (!element.isConnected || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target instanceof Element ? e.target : null;
    // Text fields, lists and scrolled regions keep their own keys.
    if (t?.closest('input, textarea, select, [contenteditable], [data-scrolls]')) return;
    // Space presses a focused button, follows a link, opens a disclosure: only elsewhere is it
    // play/pause.
    if (e.key === ' ' && t?.closest('button, a, summary, [tabindex]')) return;
    const keys: Record<string, () => void> = {
      ' ': toggle,
      ArrowLeft: () => back.click(),
      ArrowRight: () => forward.click(),
      Home: () => first.click(),
      End: () => end.click(),
    };
    const action = keys[e.key];
    if (action === undefined) return;
    e.preventDefault();
    action();
  });

  return {
    element,
    load(n, at) {
      pause();
      total = n;
      step = Math.max(0, Math.min(at, n));
      paint();
    },
    get step() {
      return step;
    },
    get playing() {
      return frame !== undefined;
    },
    go(to) {
      pause();
      go(to);
    },
    pause() {
      pause();
      paint();
    },
  };
}
