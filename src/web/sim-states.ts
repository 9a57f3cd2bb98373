/**
 * Both endpoints' state diagrams (the current state lit, the transition just taken drawn
 * moving with its cause), the panel that explains each side's current state from state/
 * (English or Portuguese) and the log of transitions (one `li` per transition, with
 * `data-side`, `data-from`, `data-to`, `data-cause`: the test contract of README "Web page").
 */
import { ADDRESSES } from '../scenario/runner.js';
import { formatMs, type Side } from '../scenario/story.js';
import { describeCause, explainState, explainWords } from '../state/explanations.js';
import type { Lang } from '../state/meanings.js';
import { h } from './dom.js';
import type { Frame } from './model/playback.js';
import { stateDiagramSvg } from './model/state-diagram-svg.js';

export const SIDES: readonly Side[] = ['a', 'b'];

/** The page's own words in each language (state/ has the explanations themselves). */
const WORDS: Record<Lang, { why: string; explained: string; transitions: string; none: string }> = {
  en: {
    why: 'Why',
    explained: 'The current states explained',
    transitions: 'Transitions',
    none: 'No transition yet.',
  },
  pt: {
    why: 'Por quê',
    explained: 'Os estados atuais explicados',
    transitions: 'Transições',
    none: 'Nenhuma transição ainda.',
  },
};

export interface StatePanels {
  /** Each side's state diagram (`[data-diagram="a"]`). */
  figures: Record<Side, HTMLElement>;
  explain: HTMLElement;
  log: HTMLElement;
  show(frame: Frame, lang: Lang): void;
}

/** `addressOf`: each side's address for its caption (the simulator's own by default). */
export function statePanels(
  addressOf: (side: Side) => string = (side) => ADDRESSES[side],
): StatePanels {
  const figures = Object.fromEntries(
    SIDES.map((s) => [s, h('figure', { class: 'diagram', 'data-diagram': s })]),
  ) as Record<Side, HTMLElement>;
  const explainTitle = h('h2', { id: 'sim-explain-title' });
  const explainBody = h('div', { class: 'explain' });
  const explain = h(
    'section',
    { class: 'explain-panel', 'aria-labelledby': 'sim-explain-title' },
    explainTitle,
    explainBody,
  );
  const logTitle = h('h2', { id: 'sim-log-title' });
  const list = h('ol', { class: 'log', 'aria-labelledby': 'sim-log-title' });
  const empty = h('p', { class: 'hint' });
  const log = h('section', { class: 'log-panel' }, logTitle, empty, list);
  let shown: { lang: Lang; at: string; latest: unknown; n: number; fresh: boolean } | undefined;

  return {
    figures,
    explain,
    log,
    show(frame, lang) {
      // Most events of a transfer change no state: nothing to redraw (a player's frame is cheap).
      const key = {
        lang,
        at: `${addressOf('a')} ${addressOf('b')}`,
        latest: frame.transitions[frame.transitions.length - 1],
        n: frame.transitions.length,
        fresh: frame.last?.type === 'state',
      };
      if (
        shown !== undefined &&
        key.lang === shown.lang &&
        key.at === shown.at &&
        key.latest === shown.latest &&
        key.n === shown.n &&
        key.fresh === shown.fresh
      )
        return;
      shown = key;
      const words = WORDS[lang];
      for (const side of SIDES) {
        const last = frame.lastBySide[side];
        const fresh = last !== undefined && frame.last === last;
        const label = `${side} (${addressOf(side)})`;
        const caption = `<figcaption><b>${label}</b> <span class="state-name">${frame.state[side]}</span></figcaption>`;
        figures[side].innerHTML = `${caption}${stateDiagramSvg({
          side,
          label,
          current: frame.state[side],
          fresh,
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
      explainTitle.textContent = words.explained;
      const w = explainWords(lang);
      explainBody.replaceChildren(
        ...SIDES.map((side) => {
          const state = frame.state[side];
          const x = explainState(state, lang);
          const last = frame.lastBySide[side];
          return h(
            'article',
            { 'data-explain': side, lang },
            h('h3', {}, `${side}: ${state}`),
            last?.cause
              ? h(
                  'p',
                  { class: 'why' },
                  `${words.why}: ${describeCause(last.cause, lang)} (${last.from} → ${last.to}, ${formatMs(last.time)} ms)`,
                )
              : undefined,
            h('p', {}, x.meaning),
            h('p', { class: 'duration' }, h('b', {}, `${w.duration}: `), x.duration),
            x.left.length > 0
              ? h(
                  'details',
                  {},
                  h('summary', {}, w.left),
                  h(
                    'ul',
                    {},
                    ...x.left.map((t) => h('li', {}, `${describeCause(t.cause, lang)} → ${t.to}`)),
                  ),
                )
              : undefined,
          );
        }),
      );
      logTitle.textContent = `${words.transitions} (${frame.transitions.length})`;
      empty.textContent = frame.transitions.length === 0 ? words.none : '';
      empty.hidden = frame.transitions.length > 0;
      list.replaceChildren(
        ...frame.transitions.map((t) =>
          h(
            'li',
            {
              'data-side': t.side,
              'data-from': t.from,
              'data-to': t.to,
              'data-cause': t.cause ?? '',
              class: t === frame.last ? 'current' : undefined,
            },
            h('span', { class: 't' }, `${formatMs(t.time)} ms`),
            ` ${t.side}: ${t.from} → ${t.to} `,
            h('span', { class: 'cause' }, t.cause ?? '?'),
          ),
        ),
      );
    },
  };
}
