import { describe, expect, it } from 'vitest';
import { renderExplanation } from '../../src/render/explain.js';
import { renderStateDiagram } from '../../src/render/state-diagram.js';
import { colors } from '../../src/render/table-style.js';
import { explainState } from '../../src/state/explanations.js';
import { TCP_STATES } from '../../src/state/states.js';
import { TRANSITIONS } from '../../src/state/transitions.js';

const plain = colors(false);

describe('explanation pages', () => {
  for (const lang of ['en', 'pt'] as const) {
    it(`fit 80 columns for every state (${lang})`, () => {
      for (const state of TCP_STATES) {
        const lines = renderExplanation(explainState(state, lang), lang, plain, 80);
        for (const line of lines)
          expect([...line].length, `${state}: ${line}`).toBeLessThanOrEqual(80);
      }
    });
  }

  it('list every way out of a state with its cause and what is sent', () => {
    const page = renderExplanation(explainState('FIN_WAIT1'), 'en', plain, 80).join('\n');
    for (const t of TRANSITIONS.filter((r) => r.from === 'FIN_WAIT1')) {
      expect(page).toContain(`to ${t.to}`);
      expect(page).toContain(`${t.cause}:`);
    }
    expect(page).toContain('sends ACK (RFC 9293 §3.10.7.4)');
  });
});

describe('the text state diagram', () => {
  for (const lang of ['en', 'pt'] as const) {
    it(`matches its snapshot and fits 80 columns (${lang})`, async () => {
      const text = `${renderStateDiagram(lang, plain, 80).join('\n')}\n`;
      for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
      await expect(text).toMatchFileSnapshot(`__snapshots__/state-diagram.${lang}.txt`);
    });
  }

  it('lists every transition of the table', () => {
    const text = renderStateDiagram('en', plain, 80).join('\n');
    const table = text.slice(text.indexOf('Every transition'));
    const rows = table.split('\n').filter((l) => l.includes('→ '));
    expect(rows).toHaveLength(TRANSITIONS.length);
  });
});
