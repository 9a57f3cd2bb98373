/**
 * The page's inputs in its URL (`?view=sim&scenario=lost-last-ack&seed=7&loss=0.05`), so that a
 * link reproduces a run. Pure: it reads and writes URLSearchParams only.
 */
import type { ScriptOverrides } from '../../scenario/script.js';
import type { Lang } from '../../state/meanings.js';
import { formatDrops, parseDrops, type SegmentRef } from './drops.js';

export type View = 'sim' | 'host' | 'paste' | 'drill' | 'capture';
export const VIEWS: readonly View[] = ['sim', 'host', 'paste', 'drill', 'capture'];

/** The faults the simulator view exposes, as the script's network options name them. */
export const FAULT_KEYS = ['latency', 'jitter', 'loss', 'duplicate', 'reorder'] as const;
export type FaultKey = (typeof FAULT_KEYS)[number];

export interface SimQuery {
  /** The built-in scenario picked (the editor starts from its text). */
  scenario: string;
  /** The editor's text, when it is not the built-in scenario's own. */
  yaml?: string;
  seed: number;
  /** Only the faults the user set; the others keep the scenario's own values. */
  faults: Partial<Record<FaultKey, number>>;
  /**
   * Bytes for the scenario's data sends (as `tcpstate sim --bytes`), when the link sets them:
   * `?view=sim&scenario=bulk&bytes=10000000&loss=0.02`. Up to MAX_BYTES.
   */
  bytes?: number;
  /** Segments the user dropped (drops.ts), applied to the run in this order. */
  drops: SegmentRef[];
  /** How many events have been played, so a link opens at the same moment. */
  step?: number;
  /** The explanations' language. */
  lang: Lang;
}

export const DEFAULT_SCENARIO = 'normal-close';
/** The most a link may ask a page to transfer (a browser tab simulates it all in memory). */
export const MAX_BYTES = 100_000_000;
export const DEFAULT_SEED = 1;

export function viewOf(params: URLSearchParams): View {
  const v = params.get('view');
  return VIEWS.find((view) => view === v) ?? 'sim';
}

/** Numbers that are not finite and non-negative are ignored, as if absent. */
function number(params: URLSearchParams, key: string): number | undefined {
  const text = params.get(key);
  if (text === null || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function simQueryOf(params: URLSearchParams): SimQuery {
  const faults: Partial<Record<FaultKey, number>> = {};
  for (const key of FAULT_KEYS) {
    const v = number(params, key);
    if (v !== undefined) faults[key] = v;
  }
  const seed = number(params, 'seed');
  const step = number(params, 'step');
  const bytes = number(params, 'bytes');
  const yaml = params.get('yaml');
  return {
    scenario: params.get('scenario') || DEFAULT_SCENARIO,
    ...(yaml === null || yaml.trim() === '' ? {} : { yaml }),
    seed: seed === undefined ? DEFAULT_SEED : Math.floor(seed),
    faults,
    ...(bytes === undefined || bytes < 1 ? {} : { bytes: Math.min(MAX_BYTES, Math.floor(bytes)) }),
    drops: parseDrops(params.get('drop')),
    ...(step === undefined ? {} : { step: Math.floor(step) }),
    lang: params.get('lang') === 'pt' ? 'pt' : 'en',
  };
}

export function simQueryParams(q: SimQuery): URLSearchParams {
  const p = new URLSearchParams({ view: 'sim', scenario: q.scenario, seed: String(q.seed) });
  for (const key of FAULT_KEYS) {
    const v = q.faults[key];
    if (v !== undefined) p.set(key, String(v));
  }
  if (q.bytes !== undefined) p.set('bytes', String(q.bytes));
  if (q.drops.length > 0) p.set('drop', formatDrops(q.drops));
  if (q.step !== undefined && q.step > 0) p.set('step', String(q.step));
  if (q.lang !== 'en') p.set('lang', q.lang);
  // Last: the longest, and the one a reader of the link cares least to read.
  if (q.yaml !== undefined) p.set('yaml', q.yaml);
  return p;
}

export function overridesOf(q: SimQuery): ScriptOverrides {
  return { ...q.faults, ...(q.bytes === undefined ? {} : { bytes: q.bytes }) };
}
