/**
 * The sequence view (src/web/seq-view.ts) and the graphs (src/web/graphs.ts) in headless
 * Chromium, on the harness page of test/web/fixtures/ (they are not wired into the page yet):
 * a lossy bulk transfer run in the browser, folded, zoomed and panned by keyboard, buttons and
 * wheel, read as a list by screen readers, and its two graphs drawn for either direction.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/render/fold.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import { Stack } from '../../src/stack/stack.js';
import { hasChromium, launchChromium, skipReason } from '../support/chromium.js';
import { openHarness } from './fixtures/harness-page.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const story = runScenario(findBuiltin('bulk') ?? (undefined as never), {
  seed: 7,
  overrides: { loss: 0.05 },
  makeStack: (o) => new Stack(o),
}).story;

interface Seen {
  zoom: number;
  transform: string;
}

describe.skipIf(!hasChromium)(`the sequence view and graphs in a browser${skipReason}`, () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    ({ page, errors } = await openHarness(browser));
    await page.evaluate(() =>
      (
        globalThis as unknown as {
          tcpstateHarness: { harness: { run(n: string, s: number, o: object): unknown } };
        }
      ).tcpstateHarness.harness.run('bulk', 7, { loss: 0.05 }),
    );
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const seen = (): Promise<Seen> =>
    page.evaluate(() => {
      const h = (
        globalThis as unknown as { tcpstateHarness: { harness: { seq: { zoom: number } } } }
      ).tcpstateHarness.harness;
      const canvas = document.querySelector<HTMLElement>('.seq-canvas');
      return { zoom: h.seq.zoom, transform: canvas?.style.transform ?? '' };
    });

  it('draws the run the browser simulated, folded, with a list for screen readers', async () => {
    expect(await page.locator('.seq-canvas svg').count()).toBe(1);
    // The browser's run is the Node run: the same folded items, one list entry each.
    const items = foldEvents(story);
    expect(await page.locator('.seq-list li').count()).toBe(items.length);
    expect(await page.locator('.seq-canvas [data-burst]').count()).toBe(
      items.filter((i) => i.type === 'burst').length,
    );
    await page.uncheck('input[name="fold"]');
    expect(await page.locator('.seq-list li').count()).toBe(story.events.length);
    expect(await page.locator('.seq-canvas [data-burst]').count()).toBe(0);
    await page.check('input[name="fold"]');
    expect(await page.locator('.seq-list li').count()).toBe(items.length);
    const label = await page.getAttribute('.seq-viewport', 'aria-label');
    expect(label).toMatch(/zoom/);
  });

  it('zooms with + and -, the buttons and a ctrl-wheel, and pans with the arrows', async () => {
    await page.focus('.seq-viewport');
    await page.keyboard.press('0');
    expect((await seen()).zoom).toBe(1);
    await page.keyboard.press('+');
    expect((await seen()).zoom).toBeCloseTo(1.25);
    expect(await page.textContent('.zoom-level')).toBe('125%');
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect((await seen()).zoom).toBeCloseTo(0.8);
    await page.click('button[aria-label="zoom in"]');
    expect((await seen()).zoom).toBeCloseTo(1);
    const box = await page.locator('.seq-viewport').boundingBox();
    if (!box) throw new Error('no viewport');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    await expect.poll(async () => (await seen()).zoom).toBeGreaterThan(1.5);
    const before = (await seen()).transform;
    await page.focus('.seq-viewport');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect((await seen()).transform).not.toBe(before);
    await page.click('button[aria-label="Reset zoom"]');
    expect((await seen()).zoom).toBe(1);
  });

  it('follows a player: a now-line at a virtual time, kept in view', async () => {
    const y = await page.evaluate(() => {
      const h = (
        globalThis as unknown as {
          tcpstateHarness: { harness: { seq: { setTime(t: number | undefined): void } } };
        }
      ).tcpstateHarness.harness;
      h.seq.setTime(300);
      const now = document.querySelector<HTMLElement>('.seq-now');
      const vp = document.querySelector<HTMLElement>('.seq-viewport');
      if (!now || !vp) return undefined;
      const r = now.getBoundingClientRect();
      const v = vp.getBoundingClientRect();
      return { hidden: now.hidden, at: r.top - v.top, height: v.height };
    });
    expect(y?.hidden).toBe(false);
    expect(y?.at).toBeGreaterThanOrEqual(0);
    expect(y?.at).toBeLessThanOrEqual(y?.height ?? 0);
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

  it('displays only the slices of a long diagram that are on screen', async () => {
    await page.evaluate(() =>
      (
        globalThis as unknown as {
          tcpstateHarness: { harness: { run(n: string, s: number, o: object): unknown } };
        }
      ).tcpstateHarness.harness.run('bulk', 3, { loss: 0.02, bytes: 600_000 }),
    );
    const slices = () =>
      page.$$eval('.seq-canvas g.arrows[data-chunk]', (gs) =>
        gs.map((g) => ({
          chunk: Number(g.getAttribute('data-chunk')),
          shown: (g as SVGElement).style.display !== 'none',
        })),
      );
    const top = await slices();
    // Enough slices that some are off screen (the bulk run's length depends on its controller).
    expect(top.length).toBeGreaterThanOrEqual(3);
    expect(top.find((c) => c.chunk === 0)?.shown).toBe(true);
    expect(top.filter((c) => !c.shown).length).toBeGreaterThan(0);
    await page.focus('.seq-viewport');
    await page.keyboard.press('End');
    const bottom = await slices();
    expect(bottom.find((c) => c.chunk === 0)?.shown).toBe(false);
    expect(bottom.at(-1)?.shown).toBe(true);
    await page.keyboard.press('Home');
  }, 60_000);

  it('has no serious accessibility violation and no console error', async () => {
    const require = createRequire(import.meta.url);
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core'), 'utf8') });
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: {
            run(ctx: unknown): Promise<{ violations: Array<{ id: string; impact: string }> }>;
          };
        }
      ).axe;
      const r = await axe.run(document);
      return r.violations.map((v) => `${v.impact} ${v.id}`);
    });
    expect(violations.filter((v) => /^(serious|critical)/.test(v))).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${SHOTS}graphs-harness.png`, fullPage: true });
  });
});
