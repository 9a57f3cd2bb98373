/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The sequence diagram (src/web/sim-sequence.ts) and the graphs (src/web/graphs.ts) on the
 * page's own simulator view, in headless Chromium: a lossy bulk transfer run in the browser,
 * folded, zoomed and panned by keyboard, buttons and wheel, read as a list by screen readers,
 * following the player with a now-line, drawing only the slices on screen; a folded burst
 * opened to drop one of its segments (by its list, and by the "Drop this segment" button while
 * stepping), the replay showing the retransmission; and the two graphs for either direction.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/render/fold.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import type { ScriptOverrides } from '../../src/scenario/script.js';
import { Stack } from '../../src/stack/stack.js';
import { dropHook, parseDrops } from '../../src/web/model/drops.js';
import { hasChromium, skipReason } from '../support/chromium.js';
import { mkShots, openPage, SHOTS, screenshots, seriousViolations, useWebBrowser } from './page.js';
import { built } from './server.js';

const runnable = hasChromium && built;
const why = skipReason || (built ? '' : ' (skipped: run `npm run build` first)');

function nodeStory(seed: number, overrides: ScriptOverrides, drop = '') {
  return runScenario(findBuiltin('bulk') ?? (undefined as never), {
    seed,
    overrides,
    makeStack: (o) => new Stack(o),
    onNetwork: dropHook(parseDrops(drop)),
  }).story;
}

/** Each segment as the page names it (model/drops.ts) with its fate. */
function segmentsOf(story: ReturnType<typeof nodeStory>) {
  const count = { a: 0, b: 0 };
  return story.events.flatMap((e) =>
    e.type === 'segment' ? [`${e.from}${++count[e.from]}:${e.fate}`] : [],
  );
}

const LOSSY = '?view=sim&scenario=bulk&seed=7&loss=0.05';

interface Seen {
  zoom: string | null;
  transform: string;
}

describe.skipIf(!runnable)(`the sequence diagram and graphs of the simulator view${why}`, () => {
  const web = useWebBrowser();
  /** One page for the tests that only look and zoom: the run is simulated once. */
  let page: Page;
  beforeAll(async () => {
    page = await openPage(web.browser, web.origin, LOSSY, web.watch, { width: 1100 });
  }, 60_000);

  const seen = (): Promise<Seen> =>
    page.evaluate(() => ({
      zoom: document.querySelector('.sequence-panel')?.getAttribute('data-zoom') ?? null,
      transform: document.querySelector<HTMLElement>('.seq-canvas')?.style.transform ?? '',
    }));
  const search = (p: Page) => new URL(p.url()).searchParams;
  /** The page's segments (story order: the diagram's groups sorted by data-event). */
  const pageSegments = (p: Page) =>
    p.evaluate(async () => {
      // Every segment of the run, each in its own group or inside a burst's list.
      const out: Array<[number, string]> = [];
      for (const g of document.querySelectorAll('.sequence .seg'))
        out.push([Number(g.getAttribute('data-event')), `${g.getAttribute('data-segment')}`]);
      return out.sort((x, y) => x[0] - y[0]).map(([, s]) => s);
    });

  it('draws the run the browser simulated, folded, with a list for screen readers', async () => {
    const story = nodeStory(7, { loss: 0.05 });
    const items = foldEvents(story);
    expect(await page.locator('.sequence .seq-canvas > svg:not(.seq-slice)').count()).toBe(1);
    // The browser's run is the Node run: the same folded items, one list entry each.
    expect(await page.locator('.seq-list li').count()).toBe(items.length);
    const bursts = items.filter((i) => i.type === 'burst').length;
    expect(bursts).toBeGreaterThan(3);
    expect(await page.locator('.sequence .burst').count()).toBe(bursts);
    expect(await page.locator('.sequence .seg').count()).toBe(
      items.filter((i) => i.type === 'segment').length,
    );
    await page.uncheck('input[name="fold"]');
    expect(await page.locator('.seq-list li').count()).toBe(story.events.length);
    expect(await page.locator('.sequence .burst').count()).toBe(0);
    // Unfolded, every segment is its own group, named as the drop list names it.
    expect((await pageSegments(page)).length).toBe(segmentsOf(story).length);
    await page.check('input[name="fold"]');
    expect(await page.locator('.seq-list li').count()).toBe(items.length);
    expect(await page.getAttribute('.sequence', 'aria-label')).toMatch(/zoom/);
  });

  it('zooms with + and -, the buttons and a ctrl-wheel, and pans with the arrows', async () => {
    await page.focus('.sequence');
    await page.keyboard.press('0');
    expect((await seen()).zoom).toBe('1');
    await page.keyboard.press('+');
    expect((await seen()).zoom).toBe('1.25');
    expect(await page.textContent('.seq-zoom .zoom-level')).toBe('125%');
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect((await seen()).zoom).toBe('0.8');
    await page.click('button[aria-label="zoom in"]');
    expect((await seen()).zoom).toBe('1');
    const box = await page.locator('.sequence').boundingBox();
    if (!box) throw new Error('no viewport');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    await expect.poll(async () => Number((await seen()).zoom)).toBeGreaterThan(1.5);
    const before = (await seen()).transform;
    await page.focus('.sequence');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect((await seen()).transform).not.toBe(before);
    await page.click('button[aria-label="reset the zoom"]');
    expect((await seen()).zoom).toBe('1');
  });

  it('follows the player: a now-line under the event just played, kept in view, the rest faded', async () => {
    const total = Number(await page.getAttribute('input[name="scrubber"]', 'max'));
    const where = async () =>
      page.evaluate(() => {
        const now = document.querySelector<HTMLElement>('.seq-now');
        const future = document.querySelector<HTMLElement>('.seq-future');
        const vp = document.querySelector<HTMLElement>('.sequence');
        if (!now || !vp || !future) return undefined;
        const r = now.getBoundingClientRect();
        const f = future.getBoundingClientRect();
        const v = vp.getBoundingClientRect();
        return {
          hidden: now.hidden,
          at: r.top - v.top,
          fadedFrom: f.top - v.top,
          height: v.height,
        };
      });
    for (const step of [Math.floor(total / 2), total - 3]) {
      await page.evaluate((s) => {
        const range = document.querySelector<HTMLInputElement>('input[name="scrubber"]');
        if (!range) return;
        range.value = String(s);
        range.dispatchEvent(new Event('input', { bubbles: true }));
      }, step);
      const y = await where();
      expect(y?.hidden).toBe(false);
      expect(y?.at).toBeGreaterThanOrEqual(0);
      expect(y?.at).toBeLessThanOrEqual(y?.height ?? 0);
      expect(y?.fadedFrom).toBeCloseTo(y?.at ?? -1, 0);
    }
    // The group of the event just played is marked.
    expect(await page.locator('.sequence .current').count()).toBe(1);
  });

  it('draws both graphs, for the direction chosen', async () => {
    const labels = () =>
      page.$$eval('.graphs svg[role="img"]', (svgs) =>
        svgs.map((s) => s.getAttribute('aria-label')),
      );
    const [tsg, cwnd] = await labels();
    expect(tsg).toMatch(
      /^time-sequence graph of a → b: \d+ data segments \(\d+ retransmitted, \d+ lost\)/,
    );
    expect(cwnd).toMatch(/^cwnd of a over time: \d+ samples/);
    await page.selectOption('select[name="direction"]', 'b');
    const [tsgB, cwndB] = await labels();
    expect(tsgB).toMatch(/^time-sequence graph of b → a: 2 data segments/);
    expect(cwndB).toMatch(/^cwnd of b over time/);
    await page.selectOption('select[name="direction"]', 'a');
  });

  it('has no serious accessibility violation, a burst’s list open too', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('.sequence .burst').first().focus();
    await page.keyboard.press('Enter');
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('.burst-detail button.close');
  });

  it('displays only the slices of a long diagram that are on screen', async () => {
    const long = await web.open('?view=sim&scenario=bulk&seed=3&loss=0.02&bytes=600000');
    const slices = () =>
      long.$$eval('.seq-canvas svg.seq-slice[data-layer="arrows"]', (gs) =>
        gs.map((g) => ({
          chunk: Number(g.getAttribute('data-chunk')),
          shown: (g as SVGElement).style.contentVisibility !== 'hidden',
        })),
      );
    const top = await slices();
    // Enough slices that some are off screen (the bulk run's length depends on its controller).
    expect(top.length).toBeGreaterThanOrEqual(3);
    expect(top.find((c) => c.chunk === 0)?.shown).toBe(true);
    expect(top.filter((c) => !c.shown).length).toBeGreaterThan(0);
    await long.focus('.sequence');
    await long.keyboard.press('End');
    const bottom = await slices();
    expect(bottom.find((c) => c.chunk === 0)?.shown).toBe(false);
    expect(bottom.at(-1)?.shown).toBe(true);
    await long.close();
  }, 60_000);

  /** The retransmission of the segment the user dropped: a later segment of a, same seq. */
  const retransmission = (p: Page, name: string) =>
    p.evaluate((n) => {
      const dropped = document.querySelector(`.sequence .seg[data-segment="${n}"]`);
      if (!dropped) return { dropped: false, fate: null, again: [] as string[] };
      const seq = dropped.getAttribute('data-seq');
      const at = Number(dropped.getAttribute('data-event'));
      const again = [
        ...document.querySelectorAll(`.sequence .seg[data-from="a"][data-seq="${seq}"]`),
      ]
        .filter((g) => Number(g.getAttribute('data-event')) > at)
        .map((g) => `${g.getAttribute('data-fate')}`);
      return {
        dropped: dropped.hasAttribute('data-dropped'),
        fate: dropped.getAttribute('data-fate'),
        again,
      };
    }, name);

  it('opens a folded burst (click, or Enter) to drop one of its segments; the replay retransmits it', async () => {
    const p = await web.open('?view=sim&scenario=bulk&seed=7');
    const burst = p.locator('.sequence .burst[data-kind="data"]').nth(1);
    const count = Number(await burst.getAttribute('data-segments'));
    expect(count).toBeGreaterThanOrEqual(3);
    // By keyboard: the burst is a button in the tab order; Enter lists its segments.
    await burst.focus();
    await p.keyboard.press('Enter');
    expect(await p.locator('.burst-detail tbody tr').count()).toBe(count);
    await p.click('.burst-detail button.close');
    expect(await p.isHidden('.burst-detail')).toBe(true);
    // By mouse, on the burst's band.
    await burst.locator('path[data-burst]').click();
    const rows = p.locator('.burst-detail tbody tr');
    expect(await rows.count()).toBe(count);
    mkShots();
    await p.locator('.sequence-panel').screenshot({ path: `${SHOTS}sim-burst-open.png` });
    const third = p.locator('.burst-detail button[data-segment]').nth(2);
    const name = (await third.getAttribute('data-segment')) ?? '';
    expect(name).toMatch(/^a\d+$/);
    await third.click();
    await p.waitForFunction((n) => location.search.includes(`drop=${n}`), name);
    const seen = await retransmission(p, name);
    expect(seen.dropped).toBe(true);
    expect(seen.fate).toBe('lost');
    expect(seen.again[0]).toBe('delivered');
    // The same run as in Node with that drop: deterministic, and the link replays it.
    const story = nodeStory(7, {}, name);
    const again = await web.open(new URL(p.url()).search);
    expect(await retransmission(again, name)).toEqual(seen);
    await again.uncheck('input[name="fold"]');
    const all = await again.$$eval('.sequence .seg', (gs) =>
      gs.map((g) => `${g.getAttribute('data-segment')}:${g.getAttribute('data-fate')}`),
    );
    expect(all).toEqual(segmentsOf(story));
    await again.close();
    await p.close();
  }, 60_000);

  it('drops a segment inside a folded burst with “Drop this segment” while stepping', async () => {
    const probe = await web.open('?view=sim&scenario=bulk&seed=7');
    const burst = probe.locator('.sequence .burst[data-kind="data"]').nth(2);
    const first = Number(await burst.getAttribute('data-burst-first'));
    await probe.close();
    // Just after the burst's first segment plus one: the second segment of the burst.
    const p = await web.open(`?view=sim&scenario=bulk&seed=7&step=${first + 2}`);
    const last = await p.evaluate(
      (i) =>
        document
          .querySelector(`.sequence [data-burst-first="${i}"]`)
          ?.classList.contains('current'),
      first,
    );
    expect(last).toBe(true);
    const drop = p.locator('[data-action="drop"]');
    expect(await drop.textContent()).toBe('Drop this segment');
    await drop.click();
    await p.waitForFunction(() => location.search.includes('drop=a'));
    const name = search(p).get('drop') ?? '';
    const seen = await retransmission(p, name);
    expect(seen).toMatchObject({ dropped: true, fate: 'lost' });
    expect(seen.again[0]).toBe('delivered');
    expect(await p.textContent('[data-action="drop"]')).toBe('Deliver it again');
    await p.close();
  }, 60_000);

  it('writes screenshots of a bulk transfer, a burst listed: desktop and phone, light and dark', async () => {
    await screenshots('sim-bulk', async (size) => {
      const p = await web.open(`${LOSSY}&step=140`, size);
      await p.locator('.sequence .burst[data-kind="data"]').first().focus();
      await p.keyboard.press('Enter');
      return p;
    });
  }, 120_000);
});
