/**
 * The sender's congestion window over time: cwnd and ssthresh (RFC 5681) and the bytes in
 * flight (SND.NXT - SND.UNA), from the samples the scenario runner takes after every step
 * (scenario/samples.ts). Slow start shows as cwnd doubling each round trip, a loss as cwnd
 * falling to the new ssthresh (fast recovery) or to one segment (a retransmission timeout).
 */
import type { ConnectionSample } from '../scenario/samples.js';
import type { Side, Story } from '../scenario/story.js';
import {
  axes,
  byteUnit,
  frame,
  type LegendEntry,
  legend,
  linearScale,
  open,
  r,
  timeUnit,
} from './graph-frame.js';
import { busierDirection } from './time-sequence-svg.js';

/** tcp/congestion.ts starts ssthresh here: no threshold yet, nothing to draw. */
const NO_SSTHRESH = 2 ** 30;

const COLORS = { cwnd: '#1f5f9e', ssthresh: '#e67e22', flight: '#9aa5b1' } as const;

export interface CwndSvgOptions {
  /** The side whose window is drawn (default: the one that sent more data). */
  side?: Side;
  /** Which of its connections (default 0). */
  connection?: number;
  width?: number;
  height?: number;
}

export interface CwndSeries {
  side: Side;
  samples: ConnectionSample[];
  /** The samples' time span worth drawing: up to TIME_WAIT or CLOSED, not through them. */
  start: number;
  end: number;
}

export function cwndSeries(
  run: { story: Story; samples?: readonly ConnectionSample[] },
  opts: { side?: Side; connection?: number } = {},
): CwndSeries {
  const side = opts.side ?? busierDirection(run.story);
  const connection = opts.connection ?? 0;
  const samples = (run.samples ?? []).filter((s) => s.side === side && s.connection === connection);
  const live = samples.filter((s) => s.state !== 'TIME_WAIT' && s.state !== 'CLOSED');
  const span = live.length > 0 ? live : samples;
  return {
    side,
    samples,
    start: span[0]?.time ?? 0,
    end: span[span.length - 1]?.time ?? 0,
  };
}

function stepPath(points: ReadonlyArray<[number, number] | undefined>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === undefined) {
      pen = false;
      continue;
    }
    d += pen ? `H${r(p[0])}V${r(p[1])}` : `M${r(p[0])},${r(p[1])}`;
    pen = true;
  }
  return d;
}

export function renderCwndSvg(
  run: { story: Story; samples?: readonly ConnectionSample[] },
  opts: CwndSvgOptions = {},
): string {
  const series = cwndSeries(run, opts);
  const f = frame(opts.width ?? 900, opts.height ?? 420);
  const shown = series.samples.filter((s) => s.time <= series.end);
  const thresholds = shown.filter((s) => s.ssthresh < NO_SSTHRESH).map((s) => s.ssthresh);
  const top = Math.max(1, ...shown.map((s) => s.cwnd), ...thresholds);
  const tu = timeUnit(series.end);
  const bu = byteUnit(top);
  const x = linearScale(
    series.start,
    Math.max(series.end, series.start + 1),
    f.left,
    f.right,
    tu.format,
  );
  const y = linearScale(0, top * 1.08, f.bottom, f.top, bu.format, 6);
  const mss = shown.find((s) => s.state === 'ESTABLISHED')?.mss ?? shown[0]?.mss;
  const losses = thresholds.length > 0;
  const label = `cwnd of ${series.side} over time: ${shown.length} samples, largest cwnd ${top} bytes${losses ? `, smallest ssthresh ${Math.min(...thresholds)} bytes` : ''}`;
  const out = open(
    f,
    `tcpstate sim ${run.story.scenario}: congestion window of ${series.side}`,
    `seed ${run.story.seed}${mss ? ` · MSS ${mss} bytes` : ''} · sampled after every simulator step${losses ? '' : ' · no ssthresh yet (nothing was lost)'}`,
    label,
    'cwnd',
  );
  out.push(...axes(f, x, y, `time (${tu.unit})`, `bytes (${bu.unit})`));
  const end = x(series.end);
  const at = (s: ConnectionSample, v: number): [number, number] => [x(s.time), y(v)];
  const flight = shown.map((s) => at(s, Math.max(0, (s.sndNxt - s.sndUna) >>> 0)));
  const cwnd = shown.map((s) => at(s, s.cwnd));
  const ssthresh = shown.map((s) => (s.ssthresh < NO_SSTHRESH ? at(s, s.ssthresh) : undefined));
  for (const line of [flight, cwnd, ssthresh]) {
    const lastPoint = line[line.length - 1];
    if (lastPoint) line.push([end, lastPoint[1]]);
  }
  out.push(
    '<g clip-path="url(#cwnd-plot)">',
    `<path d="${stepPath(flight)}" fill="none" stroke="${COLORS.flight}" stroke-width="1" data-series="flight"/>`,
    `<path d="${stepPath(ssthresh)}" fill="none" stroke="${COLORS.ssthresh}" stroke-width="1.5" stroke-dasharray="5 3" data-series="ssthresh"/>`,
    `<path d="${stepPath(cwnd)}" fill="none" stroke="${COLORS.cwnd}" stroke-width="2" data-series="cwnd"/>`,
    '</g>',
  );
  if (shown.length === 0) {
    out.push(
      `<text x="${r((f.left + f.right) / 2)}" y="${r((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="12" fill="#777">no samples: run with sampling on</text>`,
    );
  }
  const entries: LegendEntry[] = [
    { label: 'cwnd', color: COLORS.cwnd, mark: 'line' },
    { label: 'ssthresh', color: COLORS.ssthresh, mark: 'dash' },
    { label: 'in flight', color: COLORS.flight, mark: 'line' },
  ];
  out.push(...legend(f, entries), '</svg>');
  return `${out.join('\n')}\n`;
}
