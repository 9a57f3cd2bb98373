/**
 * The graphs of a run: the time-sequence graph (render/time-sequence-svg.ts) from the story's
 * segments, and cwnd over time (render/cwnd-svg.ts) from the runner's samples
 * (scenario/samples.ts).
 */
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { formatResult, simulate } from '../../src/cli/commands/sim.js';
import { cwndSeries, renderCwndSvg } from '../../src/render/cwnd-svg.js';
import { renderTimeSequenceSvg, timeSequence } from '../../src/render/time-sequence-svg.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { type RunResult, runScenario } from '../../src/scenario/runner.js';
import type { ScriptOverrides } from '../../src/scenario/script.js';
import type { SegmentEvent } from '../../src/scenario/story.js';
import { Stack } from '../../src/stack/stack.js';
import { overlaps, textBoxes } from './support/text-boxes.js';

function run(name: string, seed: number, overrides: ScriptOverrides = {}, sample = true) {
  const script = findBuiltin(name);
  if (!script) throw new Error(`no scenario ${name}`);
  return runScenario(script, { seed, overrides, sample, makeStack: (o) => new Stack(o) });
}

const clean = run('bulk', 1);
const lossy = run('bulk', 7, { loss: 0.05 });

const fromA = (r: RunResult) =>
  r.story.events.filter((e): e is SegmentEvent => e.type === 'segment' && e.from === 'a');
const count = (svg: string, re: RegExp) => svg.match(re)?.length ?? 0;

describe('time-sequence graph', () => {
  it('has one bar per sequence-consuming segment, retransmissions and losses told apart', () => {
    const tsg = timeSequence(lossy.story);
    expect(tsg.from).toBe('a');
    const consuming = fromA(lossy).filter(
      (s) => s.len > 0 || s.flags.includes('SYN') || s.flags.includes('FIN'),
    );
    expect(tsg.segments).toHaveLength(consuming.length);
    expect(tsg.segments.filter((s) => s.lost)).toHaveLength(
      consuming.filter((s) => s.fate === 'lost' || s.fate === 'corrupted').length,
    );
    // Every loss of new data is sent again: at least as many retransmissions as losses.
    const retransmitted = tsg.segments.filter((s) => s.retransmission);
    expect(retransmitted.length).toBeGreaterThanOrEqual(
      tsg.segments.filter((s) => s.lost && !s.retransmission).length,
    );
    expect(tsg.segments[0]).toMatchObject({ start: 0, end: 1, retransmission: false });
    expect(Math.max(...tsg.segments.map((s) => s.end))).toBe(100_002);
  });

  it('draws the ACK line at arrival, the window scaled by the peer’s wscale, and SACK blocks', () => {
    const tsg = timeSequence(lossy.story);
    const acks = lossy.story.events.filter(
      (e): e is SegmentEvent =>
        e.type === 'segment' &&
        e.from === 'b' &&
        e.flags.includes('ACK') &&
        e.arrival !== undefined,
    );
    expect(tsg.acks).toHaveLength(acks.length);
    for (let i = 1; i < tsg.acks.length; i++) {
      expect(tsg.acks[i]?.time).toBeGreaterThanOrEqual(tsg.acks[i - 1]?.time ?? 0);
    }
    const synAck = acks.find((e) => e.flags === 'SYN,ACK');
    const shift = Number(/wscale (\d+)/.exec(synAck?.options ?? '')?.[1]);
    const data = acks.find((e) => e.flags === 'ACK');
    const point = tsg.acks.find((a) => a.time === data?.arrival);
    expect(point?.windowEdge).toBe((point?.ack ?? 0) + (data?.win ?? 0) * 2 ** shift);
    const sacks = tsg.acks.flatMap((a) => a.sack);
    expect(sacks.length).toBeGreaterThan(0);
    for (const [left, right] of sacks) {
      expect(right).toBeGreaterThan(left);
      expect(right).toBeLessThanOrEqual(100_002);
    }
  });

  it('renders valid SVG with a legend, retransmissions only where there were some', () => {
    const svg = renderTimeSequenceSvg(lossy.story);
    expect(XMLValidator.validate(svg)).toBe(true);
    for (const series of ['data', 'retransmission', 'lost', 'ack', 'window', 'sack']) {
      expect(svg).toContain(`data-series="${series}"`);
    }
    for (const label of ['retransmitted', 'lost', 'receive window', 'SACK']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg).toContain('time (ms)');
    expect(svg).toContain('sequence number (kB)');
    const plain = renderTimeSequenceSvg(clean.story);
    expect(plain).not.toContain('data-series="retransmission"');
    expect(plain).not.toContain('data-series="lost"');
    const bars = count(/data-series="data"/.exec(plain)?.input ?? '', /V[\d.]+M/g);
    expect(bars).toBeGreaterThan(0);
    expect(overlaps(textBoxes(svg))).toEqual([]);
  });
});

describe('samples and cwnd over time', () => {
  it('samples without changing the run, and only when asked', () => {
    const plain = run('bulk', 7, { loss: 0.05 }, false);
    expect(plain.samples).toBeUndefined();
    expect(plain.story).toEqual(lossy.story);
    expect(lossy.samples?.length).toBeGreaterThan(10);
  });

  it('shows slow start from the initial window, and ssthresh set by the first loss', () => {
    const a = cwndSeries(clean).samples;
    const established = a.find((s) => s.state === 'ESTABLISHED');
    // RFC 6928: an initial window of 10 segments.
    expect(established?.cwnd).toBe(10 * (established?.mss ?? 0));
    expect(Math.max(...a.map((s) => s.cwnd))).toBeGreaterThan(established?.cwnd ?? 0);
    expect(a.every((s) => s.ssthresh === 2 ** 30)).toBe(true);
    const l = cwndSeries(lossy).samples;
    expect(l.some((s) => s.ssthresh < 2 ** 30)).toBe(true);
    // Samples are kept only when a figure changed.
    for (let i = 1; i < l.length; i++) {
      const { time: _t, ...p } = l[i - 1] as (typeof l)[number];
      const { time: _u, ...q } = l[i] as (typeof l)[number];
      expect(q).not.toEqual(p);
    }
  });

  it('renders cwnd, ssthresh (once there is one) and the bytes in flight', () => {
    const svg = renderCwndSvg(lossy);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(/data-series="ssthresh"/.test(svg)).toBe(true);
    expect(/<path d="M[^"]+" [^>]*data-series="ssthresh"/.test(svg)).toBe(true);
    expect(/<path d="M[^"]+" [^>]*data-series="cwnd"/.test(svg)).toBe(true);
    const clear = renderCwndSvg(clean);
    expect(/<path d="" [^>]*data-series="ssthresh"/.test(clear)).toBe(true);
    expect(clear).toContain('no ssthresh yet');
    expect(renderCwndSvg({ story: clean.story })).toContain('no samples');
    expect(overlaps(textBoxes(svg))).toEqual([]);
  });
});

describe('tcpstate sim --format tsg-svg | cwnd-svg, --no-fold', () => {
  const opts = { absolute: false, color: false, width: 80 };
  it('writes the graphs, sampling only for cwnd-svg', () => {
    const script = findBuiltin('bulk');
    if (!script) throw new Error('no bulk');
    const sampled = simulate(script, { seed: 7, overrides: { loss: 0.05 }, sample: true });
    expect(formatResult(sampled, 'cwnd-svg', opts)).toContain('data-series="cwnd"');
    expect(formatResult(sampled, 'tsg-svg', opts)).toBe(renderTimeSequenceSvg(sampled.story));
    expect(simulate(script, { seed: 7, overrides: {} }).samples).toBeUndefined();
  });
  it('folds unless told not to', () => {
    const folded = formatResult(clean, 'text', opts) as string;
    const unfolded = formatResult(clean, 'text', { ...opts, fold: false }) as string;
    expect(folded).toContain('══');
    expect(unfolded).not.toContain('══');
    expect(unfolded.split('\n').length).toBeGreaterThan(folded.split('\n').length * 2);
  });
});
