/**
 * The simulator's network controls: a slider per fault (latency, jitter, loss, duplication,
 * reordering) and the seed. A slider the user has not moved shows the scenario's own value and
 * stays out of the URL; one that was moved overrides the scenario, both directions.
 */
import type { LinkFaults } from '../scenario/script.js';
import { h } from './dom.js';
import { FAULT_KEYS, type FaultKey } from './model/query.js';

interface Range {
  label: string;
  max: number;
  step: number;
  unit: string;
}

const RANGES: Record<FaultKey, Range> = {
  latency: { label: 'Latency', max: 500, step: 1, unit: 'ms' },
  jitter: { label: 'Jitter', max: 200, step: 1, unit: 'ms' },
  loss: { label: 'Loss', max: 0.5, step: 0.01, unit: '' },
  duplicate: { label: 'Duplication', max: 0.5, step: 0.01, unit: '' },
  reorder: { label: 'Reordering', max: 0.5, step: 0.01, unit: '' },
};

function shown(key: FaultKey, v: number): string {
  return RANGES[key].unit === 'ms' ? `${v} ms` : `${Math.round(v * 100)} %`;
}

export interface NetworkControls {
  element: HTMLElement;
  seed: HTMLInputElement;
  /** The faults the user set. */
  overrides(): Partial<Record<FaultKey, number>>;
  /** Shows the scenario's values on the sliders the user has not moved. */
  showScenario(network: LinkFaults): void;
}

export function networkControls(
  initial: { seed: number; faults: Partial<Record<FaultKey, number>> },
  changed: () => void,
): NetworkControls {
  const set: Partial<Record<FaultKey, number>> = { ...initial.faults };
  let debounce: ReturnType<typeof setTimeout> | undefined;
  // Re-runs while a slider moves, but not for every pixel of a drag.
  const soon = () => {
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(changed, 120);
  };
  const sliders = {} as Record<FaultKey, { input: HTMLInputElement; out: HTMLOutputElement }>;
  const rows = FAULT_KEYS.map((key) => {
    const r = RANGES[key];
    const input = h('input', {
      type: 'range',
      name: key,
      min: '0',
      max: String(Math.max(r.max, set[key] ?? 0)),
      step: String(r.step),
      'aria-label': `${r.label}${r.unit ? ` (${r.unit})` : ' (probability)'}`,
    });
    const out = h('output', { class: 'value' });
    sliders[key] = { input, out };
    input.addEventListener('input', () => {
      set[key] = Number(input.value);
      out.textContent = shown(key, set[key] ?? 0);
      input.setAttribute('aria-valuetext', out.textContent);
      out.classList.add('set');
      soon();
    });
    return h('label', { class: 'slider' }, h('span', {}, r.label), input, out);
  });
  const seed = h('input', {
    name: 'seed',
    type: 'number',
    min: '0',
    max: '4294967295',
    step: '1',
    inputmode: 'numeric',
  });
  seed.value = String(initial.seed);
  seed.addEventListener('input', soon);
  const shuffle = h('button', { type: 'button', class: 'small' }, 'Another seed');
  shuffle.title = 'A random seed: the same faults drawn differently';
  shuffle.addEventListener('click', () => {
    // The page may draw at random; the run itself only ever sees the seed.
    seed.value = String(1 + Math.floor(Math.random() * 99_999));
    changed();
  });
  const reset = h('button', { type: 'button' }, 'Scenario’s network');
  reset.title = 'Put every slider back to the scenario’s own value';
  reset.addEventListener('click', () => {
    for (const key of FAULT_KEYS) delete set[key];
    changed();
  });
  const element = h(
    'fieldset',
    { class: 'network' },
    h('legend', {}, 'Network (both directions)'),
    ...rows,
    h('label', { class: 'slider seed' }, h('span', {}, 'Seed'), seed),
    shuffle,
    reset,
  );
  return {
    element,
    seed,
    overrides: () => ({ ...set }),
    showScenario(network) {
      for (const key of FAULT_KEYS) {
        const { input, out } = sliders[key];
        const v = set[key] ?? network[key] ?? 0;
        input.max = String(Math.max(RANGES[key].max, v));
        input.value = String(v);
        out.textContent = shown(key, v);
        out.classList.toggle('set', set[key] !== undefined);
        input.setAttribute('aria-valuetext', shown(key, v));
      }
    },
  };
}
