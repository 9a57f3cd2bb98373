/**
 * The simulator view: a scenario (built-in, or edited as YAML) run in the browser with the
 * runner of `tcpstate sim`, then played one story event at a time beside both endpoints' state
 * diagrams, the sequence diagram and the explanation of each side's current state. Any segment
 * can be dropped by clicking it; the run is then replayed, the same seed plus the drop list.
 * Every input is in the URL (model/query.ts), so a link replays the same run to the same event.
 *
 * For the panels other modules draw (graphs), the view's root fires `sim:run` (detail: the
 * story) after each run and `sim:frame` (detail: { story, step, time }) after each event shown,
 * and holds an empty `#sim-graphs` section for them.
 */
import { type RunResult, runScenario, scenarioAddresses } from '../scenario/runner.js';
import type { Script } from '../scenario/script.js';
import {
  formatMs,
  type Story,
  type StoryEvent,
  segmentLabel,
  sequenceBases,
} from '../scenario/story.js';
import { Stack } from '../stack/stack.js';
import type { Lang } from '../state/meanings.js';
import { field, h, langSelect, setStatus } from './dom.js';
import { type GraphsView, mountGraphs } from './graphs.js';
import {
  dropHook,
  indexOfRef,
  isDropped,
  refAt,
  refText,
  type SegmentRef,
  toggleDrop,
} from './model/drops.js';
import { frameAt } from './model/playback.js';
import { overridesOf, type SimQuery, simQueryOf, simQueryParams } from './model/query.js';
import { scenarioEditor } from './sim-editor.js';
import { networkControls } from './sim-network.js';
import { simPlayer } from './sim-player.js';
import { sequencePanel } from './sim-sequence.js';
import { statePanels } from './sim-states.js';

/** Data segments a run needs before the graphs are drawn. */
const GRAPH_MIN_SEGMENTS = 10;

/** Why a run stopped, when it did not play its script to the end. */
const ENDED: Record<RunResult['ended'], string> = {
  settled: '',
  stuck:
    'The run stopped early: a wait step waits for a state that nothing can bring any more (the steps after it never ran).',
  'time-limit': 'The run stopped at its time limit (1 hour of virtual time).',
  'step-limit': 'The run stopped at its step limit.',
};

/** Each side's first sequence number, worked out once per story (not at every frame). */
const basesOf = new WeakMap<Story, ReturnType<typeof sequenceBases>>();

function eventText(e: StoryEvent, story: Story): string {
  const t = `${formatMs(e.time)} ms`;
  if (e.type === 'state') return `${t} · ${e.side}: ${e.from} → ${e.to} (${e.cause ?? '?'})`;
  if (e.type === 'note') return `${t} · ${e.side ?? 'network'}: ${e.text}`;
  const fate = e.fate === 'delivered' ? '' : ` [${e.fate}]`;
  let bases = basesOf.get(story);
  if (bases === undefined) {
    bases = sequenceBases(story);
    basesOf.set(story, bases);
  }
  return `${t} · ${e.from} → ${e.to}: ${segmentLabel(e, bases)}${fate}`;
}

export function mountSim(app: HTMLElement, params: URLSearchParams): void {
  const initial = simQueryOf(params);
  let lang: Lang = initial.lang;
  let drops: SegmentRef[] = initial.drops;
  let story: Story | undefined;
  let script: Script | undefined;
  let urlTimer: ReturnType<typeof setTimeout> | undefined;

  const editor = scenarioEditor(initial, {
    run: () => run({ step: 0 }),
    pick: () => {
      drops = [];
      run({ step: 0 });
    },
  });
  const network = networkControls(initial, () => run({ step: 'same' }));
  const language = langSelect(lang);
  const runButton = h('button', { type: 'submit' }, 'Run');
  editor.element.querySelector('.controls')?.append(runButton, field('Explain in', language));

  const description = h('p', { class: 'description' });
  const error = h('p', { class: 'error', role: 'alert', hidden: '' });
  const ended = h('p', { class: 'ended', hidden: '' });
  const dropList = h('div', { class: 'drops', 'aria-live': 'polite' });
  const now = h('p', { class: 'now', 'aria-live': 'polite' });
  const nowDrop = h('button', { type: 'button', 'data-action': 'drop', hidden: '' });
  const nowBar = h('div', { class: 'now-bar' }, now, nowDrop);
  // Each side's address as the run's family gives it (fd00::1 in a `family: ipv6` scenario).
  const states = statePanels((side) => scenarioAddresses(script ?? {})[side]);
  const sequence = sequencePanel((index) => toggle(index));
  const graphs = h('section', {
    id: 'sim-graphs',
    class: 'sim-graphs',
    'aria-label': 'graphs of the run',
  });
  const permalink = h('a', { class: 'permalink' }, 'Link to this run');
  let graphView: GraphsView | undefined;

  const player = simPlayer({
    show: (step) => show(step),
    describe: (step) => {
      const total = story?.events.length ?? 0;
      const at = story === undefined ? 0 : frameAt(story, step).time;
      return `${step} of ${total} · ${formatMs(at)} ms`;
    },
    changed: () => {
      status();
      // A dragged scrubber changes the step every frame: the URL follows once it rests (the
      // browser makes history.replaceState slow when called that often).
      clearTimeout(urlTimer);
      if (!player.playing) urlTimer = setTimeout(writeUrl, 150);
    },
  });

  const root = h(
    'section',
    { class: 'sim', 'aria-label': 'simulator' },
    h('div', { class: 'inputs' }, h('div', {}, editor.element, description), network.element),
    error,
    ended,
    dropList,
    player.element,
    nowBar,
    h('div', { class: 'stage' }, states.figures.a, sequence.element, states.figures.b),
    states.explain,
    graphs,
    states.log,
    permalink,
  );
  app.append(root);

  const query = (): SimQuery => ({
    scenario: editor.picker.value,
    ...(editor.pristine() ? {} : { yaml: editor.textarea.value }),
    seed: Math.max(0, Math.floor(Number(network.seed.value) || 0)),
    faults: network.overrides(),
    ...(initial.bytes === undefined ? {} : { bytes: initial.bytes }),
    drops,
    step: player.step,
    lang,
  });

  const writeUrl = () => {
    const p = simQueryParams(query());
    history.replaceState(null, '', `?${p}`);
    permalink.href = `?${p}`;
  };

  const status = () => {
    if (story !== undefined && player.step === story.events.length) setStatus('done');
    else setStatus(player.playing ? 'playing' : 'ready');
  };

  const paintDrops = () => {
    if (drops.length === 0) {
      dropList.replaceChildren(
        h(
          'p',
          { class: 'hint' },
          'Click a segment in the sequence diagram (or step to it and press “Drop”) to lose it on the wire; the run is replayed with that loss.',
        ),
      );
      return;
    }
    dropList.replaceChildren(
      h('span', {}, 'Dropped by you: '),
      ...drops.map((d) => {
        const b = h(
          'button',
          {
            type: 'button',
            class: 'chip',
            'data-drop': refText(d),
            'aria-label': `deliver ${d.side}’s segment ${d.n} again`,
          },
          `${d.side}’s #${d.n} ✕`,
        );
        b.addEventListener('click', () => {
          drops = toggleDrop(drops, d);
          run({ step: 'same' });
        });
        return b;
      }),
    );
  };

  const show = (step: number) => {
    if (story === undefined) return;
    const frame = frameAt(story, step);
    states.show(frame, lang);
    sequence.show(step, frame.time);
    now.textContent = frame.last
      ? eventText(frame.last, story)
      : 'Not started: press Play or Step (Space, →).';
    const ref = refAt(story, step - 1);
    const last = frame.last;
    if (ref !== undefined && last?.type === 'segment') {
      const mine = isDropped(drops, ref);
      nowDrop.hidden = !mine && last.fate === 'lost';
      nowDrop.textContent = mine ? 'Deliver it again' : 'Drop this segment';
      // The visible text first (what a voice user says), then which segment.
      nowDrop.setAttribute('aria-label', `${nowDrop.textContent} (${ref.side}’s segment ${ref.n})`);
    } else nowDrop.hidden = true;
    status();
    root.dispatchEvent(
      new CustomEvent('sim:frame', { bubbles: true, detail: { story, step, time: frame.time } }),
    );
  };

  /** Drops the segment at story index `index`, or delivers it again; replays from there. */
  const toggle = (index: number) => {
    if (story === undefined) return;
    const ref = refAt(story, index);
    const e = story.events[index];
    if (ref === undefined || e?.type !== 'segment') return;
    // A segment the network lost by itself is gone already: dropping it changes nothing.
    if (e.fate === 'lost' && !isDropped(drops, ref)) {
      now.textContent = `${ref.side}’s segment ${ref.n} was lost on the wire already.`;
      return;
    }
    drops = toggleDrop(drops, ref);
    run({ step: 'at', ref });
  };
  nowDrop.addEventListener('click', () => toggle(player.step - 1));

  /**
   * Runs the editor's text with the network controls and the drop list. `step` says where the
   * new run is shown from: the start, the same event as before, or just after a segment.
   */
  function run(at: { step: number | 'same' } | { step: 'at'; ref: SegmentRef }): void {
    const parsed = editor.read();
    if (parsed instanceof Promise) {
      // A link's own YAML: run once the reader has come.
      parsed.then(() => run(at));
      return;
    }
    editor.showResult(parsed);
    if (!parsed.ok) {
      player.pause();
      return;
    }
    script = parsed.script;
    network.showScenario(script.network);
    description.textContent = script.description;
    const q = query();
    const before = player.step;
    try {
      // Marked for bench/web-fps.ts (performance.getEntriesByName('tcpstate:simulate')).
      const simulating = performance.now();
      const result = runScenario(script, {
        seed: q.seed,
        overrides: overridesOf(q),
        makeStack: (o) => new Stack(o),
        onNetwork: dropHook(drops),
        sample: true,
      });
      story = result.story;
      performance.measure('tcpstate:simulate', { start: simulating });
      const drawing = performance.now();
      drawGraphs(result);
      sequence.draw(story, drops);
      performance.measure('tcpstate:draw', { start: drawing });
      error.hidden = true;
      ended.textContent = ENDED[result.ended];
      ended.hidden = result.ended === 'settled';
    } catch (err) {
      story = undefined;
      error.textContent = `The run failed: ${err instanceof Error ? err.message : String(err)}`;
      error.hidden = false;
      return;
    }
    // A dropped segment that the new run no longer sends stays in the list, marked nowhere.
    paintDrops();
    const step =
      at.step === 'same'
        ? before
        : at.step === 'at'
          ? (indexOfRef(story, at.ref) ?? before - 1) + 1
          : at.step;
    root.dispatchEvent(new CustomEvent('sim:run', { bubbles: true, detail: { story } }));
    player.load(story.events.length, step);
    writeUrl();
    status();
  }

  /**
   * The time-sequence and cwnd graphs, for runs that carry a transfer (a handshake and a close
   * have too few segments to draw a graph worth reading).
   */
  function drawGraphs(result: RunResult): void {
    const dataSegments = result.story.events.filter(
      (e) => e.type === 'segment' && e.len > 0,
    ).length;
    graphs.hidden = dataSegments < GRAPH_MIN_SEGMENTS;
    if (graphs.hidden) return;
    const run = { story: result.story, samples: result.samples };
    if (graphView) graphView.update(run);
    else graphView = mountGraphs(graphs, run);
  }

  language.addEventListener('change', () => {
    lang = language.value === 'pt' ? 'pt' : 'en';
    show(player.step);
    writeUrl();
  });

  run({ step: initial.step ?? 0 });
}
