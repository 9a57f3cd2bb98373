/**
 * The graphs of a run in the page: the time-sequence graph (render/time-sequence-svg.ts) and
 * cwnd over time (render/cwnd-svg.ts), each a figure with a caption, scaled to the container's
 * width, with a choice of which direction to draw. The cwnd graph needs the run's samples:
 * run the scenario with `sample: true` (scenario/runner.ts).
 */
import { renderCwndSvg } from '../render/cwnd-svg.js';
import { busierDirection, renderTimeSequenceSvg } from '../render/time-sequence-svg.js';
import type { ConnectionSample } from '../scenario/samples.js';
import type { Side, Story } from '../scenario/story.js';
import { field, h } from './dom.js';

export interface GraphRun {
  story: Story;
  samples?: readonly ConnectionSample[];
}

export interface GraphsOptions {
  /** The sending side drawn (default: the one that sent more data). */
  from?: Side;
}

export interface GraphsView {
  readonly element: HTMLElement;
  /** Draws another run (keeps the chosen direction if the user picked one). */
  update(run: GraphRun): void;
  destroy(): void;
}

/** An SVG string into a figure, scaled to its width (through the CSSOM: the CSP forbids inline styles). */
function place(figure: HTMLElement, svg: string): void {
  const holder = figure.querySelector<HTMLElement>('.graph-svg');
  if (holder === null) return;
  holder.innerHTML = svg;
  const el = holder.querySelector('svg');
  if (el) {
    el.style.width = '100%';
    el.style.height = 'auto';
    el.style.maxWidth = `${el.getAttribute('width') ?? 900}px`;
  }
}

export function mountGraphs(
  container: HTMLElement,
  run: GraphRun,
  opts: GraphsOptions = {},
): GraphsView {
  const direction = h(
    'select',
    { name: 'direction' },
    h('option', { value: 'a' }, 'a → b'),
    h('option', { value: 'b' }, 'b → a'),
  );
  const tsg = h(
    'figure',
    { class: 'graph', 'data-graph': 'time-sequence' },
    h('div', { class: 'graph-svg' }),
    h(
      'figcaption',
      {},
      'Sequence numbers over time: bars are data segments when sent, the step lines the ACKs and the receive window when they came back.',
    ),
  );
  const cwnd = h(
    'figure',
    { class: 'graph', 'data-graph': 'cwnd' },
    h('div', { class: 'graph-svg' }),
    h(
      'figcaption',
      {},
      'Congestion window, slow-start threshold and bytes in flight of the sender.',
    ),
  );
  const element = h(
    'section',
    { class: 'graphs', 'aria-label': 'graphs of the run' },
    h('div', { class: 'controls' }, field('Direction', direction)),
    tsg,
    cwnd,
  );
  container.append(element);

  let current = run;
  let chosen: Side | undefined = opts.from;
  const draw = () => {
    const from = chosen ?? busierDirection(current.story);
    direction.value = from;
    place(tsg, renderTimeSequenceSvg(current.story, { from }));
    place(cwnd, renderCwndSvg(current, { side: from }));
  };
  direction.addEventListener('change', () => {
    chosen = direction.value === 'b' ? 'b' : 'a';
    draw();
  });
  draw();
  return {
    element,
    update(next) {
      current = next;
      draw();
    },
    destroy() {
      element.remove();
    },
  };
}
