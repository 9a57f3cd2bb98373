/**
 * The simulator view: a built-in scenario run in the browser with the same runner as
 * `tcpstate sim`, then played one story event at a time beside both endpoints' state diagrams,
 * the sequence diagram and the explanation of each side's current state.
 */
import { renderSvg } from '../render/sequence-svg.js';
import { BUILTIN_SCRIPTS, findBuiltin } from '../scenario/builtin.js';
import { ADDRESSES, runScenario } from '../scenario/runner.js';
import {
  formatMs,
  type Side,
  type Story,
  type StoryEvent,
  segmentLabel,
  sequenceBases,
} from '../scenario/story.js';
import { Stack } from '../stack/stack.js';
import { describeCause, explainState } from '../state/explanations.js';
import type { Lang } from '../state/meanings.js';
import { field, h, setStatus } from './dom.js';
import { frameAt } from './model/playback.js';
import {
  FAULT_KEYS,
  type FaultKey,
  overridesOf,
  type SimQuery,
  simQueryOf,
  simQueryParams,
} from './model/query.js';
import { stateDiagramSvg } from './model/state-diagram-svg.js';

const SIDES: readonly Side[] = ['a', 'b'];

const FAULT_LABELS: Record<FaultKey, string> = {
  latency: 'Latency (ms)',
  jitter: 'Jitter (ms)',
  loss: 'Loss (0–1)',
  duplicate: 'Duplication (0–1)',
  reorder: 'Reordering (0–1)',
};

/** Milliseconds between two played events at speed 1. */
const BASE_INTERVAL = 600;

function eventText(e: StoryEvent, story: Story): string {
  const t = `${formatMs(e.time)} ms`;
  if (e.type === 'state') return `${t} · ${e.side}: ${e.from} → ${e.to} (${e.cause ?? '?'})`;
  if (e.type === 'note') return `${t} · ${e.side ?? 'network'}: ${e.text}`;
  const fate = e.fate === 'delivered' ? '' : ` [${e.fate}]`;
  return `${t} · ${e.from} → ${e.to}: ${segmentLabel(e, sequenceBases(story))}${fate}`;
}

export function mountSim(app: HTMLElement, params: URLSearchParams): void {
  const query = simQueryOf(params);
  let lang: Lang = params.get('lang') === 'pt' ? 'pt' : 'en';

  const scenario = h(
    'select',
    { name: 'scenario' },
    ...BUILTIN_SCRIPTS.map((s) => h('option', { value: s.name, title: s.description }, s.name)),
  );
  scenario.value = findBuiltin(query.scenario) ? query.scenario : 'normal-close';
  const seed = h('input', { name: 'seed', type: 'number', min: '0', step: '1' });
  seed.value = String(query.seed);
  const faults = Object.fromEntries(
    FAULT_KEYS.map((k) => {
      const input = h('input', {
        name: k,
        type: 'number',
        min: '0',
        step: 'any',
        placeholder: 'scenario',
      });
      input.value = query.faults[k] === undefined ? '' : String(query.faults[k]);
      return [k, input];
    }),
  ) as Record<FaultKey, HTMLInputElement>;
  const langSelect = h(
    'select',
    { name: 'lang' },
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'pt' }, 'Português'),
  );
  langSelect.value = lang;
  const form = h(
    'form',
    { class: 'controls', 'aria-label': 'scenario' },
    field('Scenario', scenario),
    field('Seed', seed),
    ...FAULT_KEYS.map((k) => field(FAULT_LABELS[k], faults[k])),
    field('Language', langSelect),
    h('button', { type: 'submit' }, 'Run'),
  );
  const description = h('p', { class: 'description' });
  const permalink = h('a', { class: 'permalink' }, 'Link to this run');

  const back = h(
    'button',
    { type: 'button', 'aria-label': 'step back', 'data-action': 'back' },
    '‹ Back',
  );
  const play = h('button', { type: 'button', 'data-action': 'play' }, '▶ Play');
  const forward = h(
    'button',
    { type: 'button', 'aria-label': 'step forward', 'data-action': 'forward' },
    'Step ›',
  );
  const speed = h(
    'select',
    { name: 'speed' },
    ...['0.5', '1', '2', '4', '10'].map((s) => h('option', { value: s }, `${s}×`)),
  );
  speed.value = '1';
  const scrubber = h('input', { type: 'range', name: 'scrubber', min: '0', value: '0' });
  const position = h('output', { class: 'position' });
  const player = h(
    'div',
    { class: 'player', role: 'group', 'aria-label': 'playback' },
    back,
    play,
    forward,
    field('Speed', speed),
    field('Event', scrubber),
    position,
  );
  const now = h('p', { class: 'now', 'aria-live': 'polite' });
  const diagrams = Object.fromEntries(
    SIDES.map((s) => [s, h('figure', { class: 'diagram', 'data-diagram': s })]),
  ) as Record<Side, HTMLElement>;
  const sequence = h('figure', { class: 'sequence' });
  const explain = h('section', { class: 'explain', 'aria-label': 'current states explained' });
  const log = h('ol', { class: 'log', 'aria-label': 'transitions' });
  const error = h('p', { class: 'error', role: 'alert', hidden: '' });
  app.append(
    h(
      'section',
      { class: 'sim' },
      form,
      description,
      permalink,
      error,
      player,
      now,
      h('div', { class: 'stage' }, diagrams.a, diagrams.b, sequence),
      explain,
      h('h2', {}, 'Transitions'),
      log,
    ),
  );

  let story: Story | undefined;
  let step = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    play.textContent = '▶ Play';
  };

  const show = () => {
    if (story === undefined) return;
    const frame = frameAt(story, step);
    const total = story.events.length;
    scrubber.value = String(step);
    position.textContent = `${step} / ${total}`;
    now.textContent = frame.last
      ? eventText(frame.last, story)
      : 'Not started: press Play or Step.';
    for (const side of SIDES) {
      // The side's latest transition stays drawn (edge and cause) until its next one.
      const last = frame.transitions.filter((t) => t.side === side).at(-1);
      diagrams[side].innerHTML =
        `<figcaption>${side} (${ADDRESSES[side]})</figcaption>${stateDiagramSvg({
          side,
          label: `${side} (${ADDRESSES[side]})`,
          current: frame.state[side],
          ...(last
            ? {
                last: {
                  from: last.from,
                  to: last.to,
                  ...(last.cause ? { cause: last.cause } : {}),
                },
              }
            : {}),
        })}`;
    }
    explain.replaceChildren(
      ...SIDES.map((side) => {
        const state = frame.state[side];
        const x = explainState(state, lang);
        const last = frame.transitions.filter((t) => t.side === side).at(-1);
        return h(
          'article',
          { 'data-explain': side },
          h('h3', {}, `${side}: ${state}`),
          last?.cause ? h('p', { class: 'why' }, describeCause(last.cause, lang)) : undefined,
          h('p', {}, x.meaning),
          h('p', { class: 'duration' }, x.duration),
        );
      }),
    );
    log.replaceChildren(
      ...frame.transitions.map((t) =>
        h(
          'li',
          {
            'data-side': t.side,
            'data-from': t.from,
            'data-to': t.to,
            'data-cause': t.cause ?? '',
          },
          `${formatMs(t.time)} ms · ${t.side}: ${t.from} → ${t.to} (${t.cause ?? '?'})`,
        ),
      ),
    );
    back.disabled = step === 0;
    forward.disabled = step === total;
    if (step === total) setStatus('done');
    else setStatus(timer === undefined ? 'ready' : 'playing');
  };

  const go = (to: number) => {
    if (story === undefined) return;
    step = Math.max(0, Math.min(to, story.events.length));
    if (step === story.events.length) stop();
    show();
  };

  const run = () => {
    stop();
    error.hidden = true;
    const q: SimQuery = { scenario: scenario.value, seed: Number(seed.value) || 0, faults: {} };
    for (const k of FAULT_KEYS) {
      const v = faults[k].value.trim();
      if (v !== '' && Number.isFinite(Number(v))) q.faults[k] = Number(v);
    }
    const script = findBuiltin(q.scenario);
    if (script === undefined) return;
    const params = simQueryParams(q);
    if (lang !== 'en') params.set('lang', lang);
    history.replaceState(null, '', `?${params}`);
    permalink.href = `?${params}`;
    description.textContent = script.description;
    try {
      story = runScenario(script, {
        seed: q.seed,
        overrides: overridesOf(q),
        makeStack: (o) => new Stack(o),
      }).story;
    } catch (err) {
      story = undefined;
      error.textContent = `The run failed: ${err instanceof Error ? err.message : String(err)}`;
      error.hidden = false;
      return;
    }
    sequence.innerHTML = renderSvg(story);
    scrubber.max = String(story.events.length);
    step = 0;
    show();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  langSelect.addEventListener('change', () => {
    lang = langSelect.value === 'pt' ? 'pt' : 'en';
    run();
  });
  back.addEventListener('click', () => {
    stop();
    go(step - 1);
  });
  forward.addEventListener('click', () => {
    stop();
    go(step + 1);
  });
  scrubber.addEventListener('input', () => {
    stop();
    go(Number(scrubber.value));
  });
  const start = () => {
    if (story === undefined) return;
    if (step === story.events.length) step = 0;
    play.textContent = '❚❚ Pause';
    timer = setInterval(() => go(step + 1), BASE_INTERVAL / Number(speed.value));
    setStatus('playing');
  };
  play.addEventListener('click', () => {
    if (timer === undefined) return start();
    stop();
    show();
  });
  speed.addEventListener('change', () => {
    if (timer === undefined) return;
    stop();
    start();
  });
  run();
}
