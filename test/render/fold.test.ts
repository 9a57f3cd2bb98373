/**
 * Folding (src/render/fold.ts) and what it does to the three sequence diagrams: a bulk transfer
 * becomes readable (no two labels of its SVG overlap), the counts add up, and what a reader
 * looks for (losses, retransmissions, SYN/FIN/RST, state changes) is never folded away; an
 * exchange with nothing to fold is drawn exactly as without folding.
 */
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { type Burst, foldEvents, MIN_RUN, segmentCount } from '../../src/render/fold.js';
import { renderMermaid } from '../../src/render/mermaid.js';
import { renderSvg } from '../../src/render/sequence-svg.js';
import { renderTextDiagram } from '../../src/render/sequence-text.js';
import { colors } from '../../src/render/table-style.js';
import { BUILTIN_SCRIPTS, findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import type { ScriptOverrides } from '../../src/scenario/script.js';
import type { SegmentEvent, Story } from '../../src/scenario/story.js';
import { Stack } from '../../src/stack/stack.js';
import { overlaps, textBoxes } from './support/text-boxes.js';

function run(name: string, seed: number, overrides: ScriptOverrides = {}): Story {
  const script = findBuiltin(name);
  if (!script) throw new Error(`no scenario ${name}`);
  return runScenario(script, { seed, overrides, makeStack: (o) => new Stack(o) }).story;
}

const bulk = run('bulk', 1);
const lossy = run('bulk', 7, { loss: 0.05 });
const lossier = run('bulk', 3, { loss: 0.02, bytes: 300_000 });
const plain = colors(false);

const segments = (s: Story) => s.events.filter((e): e is SegmentEvent => e.type === 'segment');
const bursts = (s: Story) => foldEvents(s).filter((e): e is Burst => e.type === 'burst');

describe('folding', () => {
  it('folds a bulk transfer into bursts whose counts add up to the real segments', () => {
    for (const story of [bulk, lossy, lossier]) {
      const items = foldEvents(story);
      expect(segmentCount(items)).toBe(segments(story).length);
      // Every story event is in exactly one item, in the story's order.
      const flat = items.flatMap((i) => (i.type === 'burst' ? i.segments : [i]));
      expect(flat).toEqual(story.events);
      const bs = bursts(story);
      expect(bs.length).toBeGreaterThan(0);
      for (const b of bs) expect(b.segments.length).toBeGreaterThanOrEqual(MIN_RUN);
    }
    // Without loss, a's 100000 bytes are all in data bursts but for the FIN-carrying tail.
    const data = bursts(bulk).filter((b) => b.kind === 'data' && b.from === 'a');
    const folded = data.reduce((n, b) => n + b.segments.reduce((m, s) => m + s.len, 0), 0);
    const fin = segments(bulk).find((s) => s.from === 'a' && s.flags.includes('FIN'));
    expect(folded + (fin?.len ?? 0)).toBe(100_000);
  });

  it('never folds losses, retransmissions, flags other than ACK or state changes', () => {
    for (const story of [lossy, lossier]) {
      const maxEnd = { a: 0, b: 0 } as Record<string, number>;
      const retransmitted = new Set<SegmentEvent>();
      for (const s of segments(story)) {
        const end = s.seq + s.len;
        if (s.len > 0 && maxEnd[s.from] !== 0 && s.seq < (maxEnd[s.from] ?? 0))
          retransmitted.add(s);
        maxEnd[s.from] = Math.max(maxEnd[s.from] ?? 0, end);
      }
      expect(retransmitted.size).toBeGreaterThan(0);
      for (const b of bursts(story)) {
        for (const s of b.segments) {
          expect(s.fate).toBe('delivered');
          expect(['ACK', 'PSH,ACK']).toContain(s.flags);
          expect(s.win).toBeGreaterThan(0);
          expect(retransmitted.has(s)).toBe(false);
        }
      }
      const items = foldEvents(story);
      expect(items.filter((i) => i.type === 'state')).toHaveLength(
        story.events.filter((e) => e.type === 'state').length,
      );
      const lost = segments(story).filter((s) => s.fate === 'lost');
      expect(lost.length).toBeGreaterThan(0);
      for (const s of lost) expect(items).toContain(s);
    }
  });

  it('changes nothing where there is nothing to fold: every built-in scenario without a transfer', () => {
    // bulk, ecn, path-mtu, and the attack scenarios, whose client sends 20-100 kB under attack, do fold.
    const transfers = new Set(['bulk', 'syn-flood', 'blind-reset', 'ecn', 'path-mtu']);
    for (const script of BUILTIN_SCRIPTS) {
      if (transfers.has(script.name)) continue;
      const story = run(script.name, 1);
      expect(foldEvents(story), script.name).toEqual(story.events);
      expect(renderSvg(story), script.name).toBe(renderSvg(story, { fold: false }));
      expect(renderTextDiagram(story, { colors: plain })).toBe(
        renderTextDiagram(story, { colors: plain, fold: false }),
      );
      expect(renderMermaid(story)).toBe(renderMermaid(story, { fold: false }));
    }
  });
});

/** A segment of a hand-made story: a sends data to b at 1 ms intervals, b acknowledges. */
function seg(time: number, from: 'a' | 'b', seq: number, len: number, win: number): SegmentEvent {
  return {
    type: 'segment',
    time,
    from,
    to: from === 'a' ? 'b' : 'a',
    flags: 'ACK',
    seq,
    ack: 1,
    len,
    win,
    fate: 'delivered',
    arrival: time + 10,
  };
}

describe('folding around a zero window', () => {
  it('draws the window closing, the probes and the window opening one by one', () => {
    const data = [0, 1, 2, 3].map((i) => seg(i * 0.1, 'a', 1 + i * 100, 100, 1000));
    const zero = seg(11, 'b', 1, 0, 0);
    const probes = [1, 2, 3].map((i) => seg(11 + i * 0.1, 'a', 401, 1, 1000));
    const open = seg(12, 'b', 1, 0, 1000);
    const more = [0, 1, 2].map((i) => seg(12.1 + i * 0.1, 'a', 401 + i * 100, 100, 1000));
    const events = [...data, zero, ...probes, open, ...more];
    const items = foldEvents({
      scenario: 'zero-window',
      seed: 1,
      events,
      final: { a: 'ESTABLISHED', b: 'ESTABLISHED' },
      streams: {
        'a->b': { sent: 0, received: 0, sha256Sent: '', sha256Received: '' },
        'b->a': { sent: 0, received: 0, sha256Sent: '', sha256Received: '' },
      },
    });
    expect(items[0]).toMatchObject({ type: 'burst', kind: 'data' });
    expect((items[0] as Burst).segments).toEqual(data);
    // The zero window, each probe (sent into it) and the reopening stand alone; new data after
    // it folds again (the first probe's byte is resent as new data: a retransmission, alone).
    expect(items.slice(1, 6)).toEqual([zero, ...probes, open]);
    expect(items.slice(6).flatMap((i) => (i.type === 'burst' ? i.segments : [i]))).toEqual(more);
  });
});

describe('the folded bulk SVG', () => {
  it('has no two labels overlapping (DejaVu Sans metrics), where the unfolded one has many', () => {
    expect(overlaps(textBoxes(renderSvg(bulk, { fold: false }))).length).toBeGreaterThan(50);
    for (const story of [bulk, lossy, lossier]) {
      const svg = renderSvg(story);
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(overlaps(textBoxes(svg))).toEqual([]);
    }
  });

  it('draws one band per burst with its count, and one arrow per other segment', () => {
    for (const story of [bulk, lossy]) {
      const svg = renderSvg(story);
      const counts = [...svg.matchAll(/data-segments="(\d+)"/g)].map((m) => Number(m[1]));
      const singles = svg.match(/stroke-width="1\.5"/g)?.length ?? 0;
      expect(counts.length).toBe(bursts(story).length);
      expect(counts.reduce((a, b) => a + b, 0) + singles).toBe(segments(story).length);
    }
    // Each burst's label, as fold.ts words it ("N segments, seq X..Y, Z kB"), is drawn.
    expect(renderSvg(bulk)).toMatch(/\d+ segments, seq \d+\.\.\d+, [\d.]+ kB/);
  });

  it('keeps every label as a tooltip, and the labels of losses on the drawing', () => {
    const svg = renderSvg(lossy);
    const titles = svg.match(/<g><title>/g)?.length ?? 0;
    expect(titles).toBe(
      foldEvents(lossy).filter((e) => e.type !== 'state' && e.type !== 'note').length,
    );
    const drawn = textBoxes(svg).map((b) => b.text);
    const lost = drawn.filter((t) => t.endsWith('(lost)'));
    expect(lost.length).toBe(segments(lossy).filter((s) => s.fate === 'lost').length);
  });
});

describe('folded text and Mermaid', () => {
  it('draws a burst as one double-lined arrow with its counts', () => {
    const text = renderTextDiagram(bulk, { colors: plain });
    expect(text).toMatch(/│══10 segments, seq 1\.\.14481, 14\.5 kB · 30 ms ═+▶│/);
    expect(text).toMatch(/│◀═+ 5 ACKs, ack 2897\.\.14481 · 40 ms══│/);
    const arrows = text.match(/▶│|│◀|✗/g)?.length ?? 0;
    expect(arrows).toBe(
      foldEvents(bulk).filter((e) => e.type === 'segment' || e.type === 'burst').length,
    );
    expect(renderTextDiagram(bulk, { colors: plain, fold: false }).match(/▶│|│◀|✗/g)).toHaveLength(
      segments(bulk).length,
    );
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('writes a burst as one Mermaid message', () => {
    const lines = renderMermaid(bulk).split('\n');
    const burstLines = lines.filter((l) => /^ {2}[ab]-\)[ab]: \d+ (segments|ACKs), /.test(l));
    expect(burstLines).toHaveLength(bursts(bulk).length);
    expect(lines.filter((l) => /^ {2}[ab](->>|-x)[ab]: /.test(l))).toHaveLength(
      foldEvents(bulk).filter((e) => e.type === 'segment').length,
    );
  });
});
