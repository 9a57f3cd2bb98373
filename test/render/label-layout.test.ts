import { describe, expect, it } from 'vitest';
import { boxOf, LabelPlacer, type TextSpec } from '../../src/render/label-layout.js';

const label = (y: number): TextSpec => ({ x: 100, y, anchor: 'middle', size: 10, text: 'ACK 1' });

describe('LabelPlacer and arrows', () => {
  // A horizontal arrow at y = 100: a label on baseline 104 straddles it, one on 120 is clear.
  const across = label(104);
  const clear = label(120);

  it('keeps a label off an arrow that is not its own when a free place exists', () => {
    const placer = new LabelPlacer();
    placer.takeLine(1, 0, 100, 200, 100);
    expect(placer.crossesLine(boxOf(across), 2)).toBe(true);
    expect(placer.crossesLine(boxOf(clear), 2)).toBe(false);
    expect(placer.place([across, clear], 2)).toBe(clear);
  });

  it('lets a label sit on its own arrow, and anywhere when not asked to keep clear', () => {
    const own = new LabelPlacer();
    own.takeLine(1, 0, 100, 200, 100);
    expect(own.place([across, clear], 1)).toBe(across);
    const lenient = new LabelPlacer();
    lenient.takeLine(1, 0, 100, 200, 100);
    expect(lenient.place([across, clear])).toBe(across);
  });

  it('gives up (undefined) only when every place touches another label', () => {
    const placer = new LabelPlacer();
    placer.takeLine(1, 0, 100, 200, 100);
    expect(placer.place([across], 2)).toBeUndefined();
    expect(placer.place([across])).toBe(across);
    expect(placer.place([across])).toBeUndefined();
  });
});
