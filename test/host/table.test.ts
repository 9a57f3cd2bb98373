import { describe, expect, it } from 'vitest';
import { fitWidths, renderTable, textWidth, truncate, wrap } from '../../src/render/table.js';

describe('table fitting', () => {
  it('keeps natural widths when they fit', () => {
    expect(fitWidths([5, 10, 20], [5, 5, 5], [0, 1, 1], 40)).toEqual([5, 10, 20]);
  });

  it('shrinks only shrinkable columns, by weight, not below their minimum', () => {
    const widths = fitWidths([5, 30, 30], [5, 10, 10], [0, 1, 3], 45);
    expect(widths.reduce((a, b) => a + b, 0)).toBe(45);
    expect(widths[0]).toBe(5);
    expect(widths[2]).toBeLessThan(widths[1]);
    expect(fitWidths([5, 30], [5, 10], [0, 1], 3)).toEqual([5, 10]);
  });

  it('truncates at the end or in the middle, and wraps on words', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('[2001:db8::1]:443', 9, 'middle')).toBe('[200…:443');
    expect(truncate('short', 10)).toBe('short');
    expect(wrap('the peer closed; waiting for close()', 12)).toEqual([
      'the peer',
      'closed;',
      'waiting for',
      'close()',
    ]);
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
  });

  it('renders every line within the width', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      a: `row${i}`,
      b: 'x'.repeat(40 + i),
      c: 'word '.repeat(12).trim(),
    }));
    for (const width of [40, 60, 80, 120]) {
      const lines = renderTable(
        rows,
        [
          { header: 'A', value: (r) => r.a },
          { header: 'B', value: (r) => r.b, shrink: 1, minWidth: 8 },
          { header: 'C', value: (r) => r.c, shrink: 2, minWidth: 10, overflow: 'wrap' },
        ],
        { width },
      );
      for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(width);
      expect(lines[0]).toMatch(/^A\s+B\s+C$/);
    }
  });

  it('styles after fitting, so colour codes do not count as width', () => {
    const lines = renderTable(
      [{ s: 'LISTEN', n: 1 }],
      [
        { header: 'STATE', value: (r) => r.s, style: (t) => `\u001b[36m${t}\u001b[39m` },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ],
      { width: 80 },
    );
    expect(lines[1]).toBe('\u001b[36mLISTEN\u001b[39m  1');
  });
});
