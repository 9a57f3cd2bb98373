/** Doctor's findings as the page shows them (host and paste views): title, evidence, advice. */
import type { Finding } from '../host/types.js';
import { h } from './dom.js';

export interface FindingWords {
  heading: string;
  none: string;
  seen: string;
  advice: string;
}

export const FINDING_WORDS_EN: FindingWords = {
  heading: 'Findings',
  none: 'No problems found in these sockets.',
  seen: 'What was seen',
  advice: 'What to do',
};

export function findingsList(found: readonly Finding[], w: FindingWords): HTMLElement[] {
  if (found.length === 0) return [h('h2', {}, w.heading), h('p', {}, w.none)];
  return [
    h('h2', {}, w.heading),
    h(
      'ul',
      {},
      ...found.map((f) =>
        h(
          'li',
          { 'data-severity': f.severity, 'data-kind': f.kind },
          h(
            'details',
            {},
            h('summary', {}, h('span', { class: 'severity' }, f.severity), ' ', f.title),
            h('p', { class: 'label' }, w.seen),
            h('ul', {}, ...f.evidence.map((e) => h('li', {}, e))),
            h('p', { class: 'label' }, w.advice),
            h('ul', {}, ...f.advice.map((a) => h('li', {}, a))),
          ),
        ),
      ),
    ),
  ];
}
