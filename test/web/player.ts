/**
 * The player's tests, shared by every view that plays a story with it (src/web/sim-player.ts:
 * the simulator view and the capture view): played to the end, the log holds exactly each
 * side's transitions; stepping forward lights each side's states in order, one node per
 * diagram naming its side, and stepping back lights them again in reverse, down to an empty log.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { logOf } from './page.js';

export interface PlayedStory {
  /** Opens the view on the story, ready to play (at its start or at its end). */
  open(): Promise<Page>;
  /** Each side's states before the first event. */
  start: { a: string; b: string };
  /** Each side's transitions' target states, in order. */
  a: readonly string[];
  b: readonly string[];
  /** The log played to the end, as a reference (Node's run of the same story). */
  transitions?: ReadonlyArray<{ side: string; from: string; to: string; cause: string }>;
}

const SIDES = ['a', 'b'] as const;

const lit = (page: Page, side: string) =>
  page.$$eval(`[data-diagram="${side}"] [data-state][data-active]`, (nodes) =>
    nodes.map((n) => `${n.getAttribute('data-state')}:${n.getAttribute('data-active')}`),
  );
const status = (page: Page) => page.getAttribute('html', 'data-status');
const states = (log: Awaited<ReturnType<typeof logOf>>, side: string) =>
  log.filter((e) => e.side === side).map((e) => e.to);

/** Back to the story's start (a view may open at its end). */
async function rewind(page: Page): Promise<void> {
  if (!(await page.isDisabled('[data-action="first"]'))) await page.click('[data-action="first"]');
}

export function playerTests(story: PlayedStory): void {
  it('plays the story to the end at 100×: exactly each side’s transitions', async () => {
    const page = await story.open();
    await rewind(page);
    await page.selectOption('select[name="speed"]', '100');
    await page.click('[data-action="play"]');
    await page.waitForSelector('html[data-status="done"]');
    const log = await logOf(page);
    expect(states(log, 'a')).toEqual(story.a);
    expect(states(log, 'b')).toEqual(story.b);
    if (story.transitions) expect(log).toEqual(story.transitions);
  });

  it('lights the states in order stepping forward, and in reverse stepping back', async () => {
    const page = await story.open();
    await rewind(page);
    const record = async (into: Record<string, string[]>) => {
      for (const side of SIDES) {
        const nodes = await lit(page, side);
        // One node lit per diagram, naming its own side.
        expect(nodes).toHaveLength(1);
        const [state, who] = (nodes[0] ?? '').split(':');
        expect(who).toBe(side);
        if (into[side]?.at(-1) !== state) into[side]?.push(state ?? '');
      }
    };
    const seen: Record<string, string[]> = { a: [], b: [] };
    await record(seen);
    while ((await status(page)) !== 'done') {
      await page.click('[data-action="forward"]');
      await record(seen);
    }
    expect(seen.a).toEqual([story.start.a, ...story.a]);
    expect(seen.b).toEqual([story.start.b, ...story.b]);
    const back: Record<string, string[]> = { a: [], b: [] };
    await record(back);
    while (!(await page.isDisabled('[data-action="back"]'))) {
      await page.click('[data-action="back"]');
      await record(back);
    }
    expect(back.a).toEqual([...(seen.a ?? [])].reverse());
    expect(back.b).toEqual([...(seen.b ?? [])].reverse());
    expect(await logOf(page)).toEqual([]);
    expect(await status(page)).toBe('ready');
  });
}
