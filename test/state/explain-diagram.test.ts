/**
 * The whole state diagram of `tcpstate explain` (render/state-diagram.ts), as it is printed
 * piped (80 columns): no column runs into the next (`close()sends RST`), and no line is wider
 * than the page, in either language.
 */
import { describe, expect, it } from 'vitest';
import { renderStateDiagram } from '../../src/render/state-diagram.js';
import { colors } from '../../src/render/table-style.js';

describe('the explain state diagram', () => {
  for (const lang of ['en', 'pt'] as const) {
    for (const width of [80]) {
      it(`keeps every line within ${width} columns (${lang})`, () => {
        const lines = renderStateDiagram(lang, colors(false), width);
        const over = lines.filter((l) => [...l].length > width);
        expect(over).toEqual([]);
      });
    }
  }

  it('leaves a gap between a cause and what it sends, even for the longest cause', () => {
    const lines = renderStateDiagram('en', colors(false), 80);
    expect(lines.some((l) => /rcv data after close\(\) +sends RST/.test(l))).toBe(true);
    expect(lines.filter((l) => /\)sends|[a-z]sends/.test(l))).toEqual([]);
  });
});
