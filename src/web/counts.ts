/** The count of sockets per state with each state's meaning (host and paste views). */
import type { HostSocket } from '../host/types.js';
import { type Lang, shortMeaning } from '../state/meanings.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import { h } from './dom.js';

/** `<h2>` and a `<dl>`: one `dt[data-count-state]` (its `.n` the count) per state present. */
export function countsList(
  sockets: readonly HostSocket[],
  heading: string,
  lang: Lang = 'en',
): HTMLElement[] {
  const perState = new Map<TcpState, number>();
  for (const s of sockets) perState.set(s.state, (perState.get(s.state) ?? 0) + 1);
  return [
    h('h2', {}, heading),
    h(
      'dl',
      {},
      ...TCP_STATES.filter((s) => perState.has(s)).flatMap((s) => [
        h(
          'dt',
          { 'data-count-state': s },
          `${s}: `,
          h('span', { class: 'n' }, String(perState.get(s))),
        ),
        h('dd', {}, shortMeaning(s, lang)),
      ]),
    ),
  ];
}
