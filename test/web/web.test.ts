/**
 * The web page against `tcpstate web`, in headless Chromium: the test contract of README "Web
 * page" (data-status, data-state/data-active, the log's data-side/from/to/cause, the socket
 * rows' data-state/local/remote).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import { Stack } from '../../src/stack/stack.js';
import { hasChromium, launchChromium, skipReason } from '../support/chromium.js';
import { built, startWeb, type WebServer } from './server.js';

const runnable = hasChromium && built;
const why = skipReason || (built ? '' : ' (skipped: run `npm run build` first)');
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** What `tcpstate sim normal-close --seed 7` says each side goes through (README, Web page). */
const A_NORMAL_CLOSE = ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSED'];
const B_NORMAL_CLOSE = ['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'];

interface Watched {
  page: Page;
  errors: string[];
  foreign: string[];
}

describe.skipIf(!runnable)(`the web page${why}`, () => {
  let server: WebServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startWeb();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A page that records console errors and every request to another host. */
  async function open(path: string, options: { width?: number; dark?: boolean } = {}) {
    const page = await browser.newPage({
      viewport: { width: options.width ?? 1280, height: 900 },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    const watched: Watched = { page, errors: [], foreign: [] };
    const origin = new URL(server.url).origin;
    page.on('console', (m) => {
      if (m.type() === 'error') watched.errors.push(m.text());
    });
    page.on('pageerror', (e) => watched.errors.push(e.message));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith('data:') && new URL(url).origin !== origin) watched.foreign.push(url);
    });
    await page.goto(new URL(path, server.url).href);
    await page.waitForSelector('html[data-status="ready"]');
    return watched;
  }

  /** The paste view with this text read. */
  async function pasted(text: string, options: { width?: number; dark?: boolean } = {}) {
    const w = await open('?view=paste', options);
    await w.page.fill('textarea', text);
    await w.page.click('button[type="submit"]');
    await w.page.waitForSelector('html[data-status="done"]');
    return w;
  }

  const logOf = (page: Page) =>
    page.$$eval('.log li', (items) =>
      items.map((li) => ({
        side: li.getAttribute('data-side'),
        from: li.getAttribute('data-from'),
        to: li.getAttribute('data-to'),
        cause: li.getAttribute('data-cause'),
      })),
    );
  const active = (page: Page, side: string) =>
    page.getAttribute(`[data-diagram="${side}"] [data-state][data-active="${side}"]`, 'data-state');

  /** The transitions `tcpstate sim` gives (the same runner, in Node). */
  function nodeTransitions(scenario: string, seed: number, overrides = {}) {
    const script = findBuiltin(scenario);
    if (!script) throw new Error(`no scenario ${scenario}`);
    const { story } = runScenario(script, { seed, overrides, makeStack: (o) => new Stack(o) });
    return story.events.flatMap((e) =>
      e.type === 'state' ? [{ side: e.side, from: e.from, to: e.to, cause: e.cause ?? '' }] : [],
    );
  }

  for (const view of ['sim', 'paste']) {
    it(`loads the ${view} view with no console error and no request to another host`, async () => {
      const w = await open(`?view=${view}`);
      expect(await w.page.locator('main#app > section').count()).toBe(1);
      expect(w.errors).toEqual([]);
      expect(w.foreign).toEqual([]);
      await w.page.close();
    });
  }

  it('plays normal-close (seed 7) to the end: the log is the story of tcpstate sim', async () => {
    const w = await open('?view=sim&scenario=normal-close&seed=7');
    await w.page.selectOption('select[name="speed"]', '10');
    await w.page.click('[data-action="play"]');
    await w.page.waitForSelector('html[data-status="done"]');
    const log = await logOf(w.page);
    const states = (side: string) => log.filter((e) => e.side === side).map((e) => e.to);
    expect(states('a')).toEqual(A_NORMAL_CLOSE);
    // b's LISTEN is a listener, not a connection: the story starts it at LISTEN -> SYN_RECV.
    expect(states('b')).toEqual(B_NORMAL_CLOSE);
    expect(log).toEqual(nodeTransitions('normal-close', 7));
    expect(w.errors).toEqual([]);
    await w.page.close();
  });

  it('stepping forward lights each side’s states in order, and back un-lights them', async () => {
    const w = await open('?view=sim&scenario=normal-close&seed=7');
    const lit: Record<string, string[]> = { a: [], b: [] };
    const record = async () => {
      for (const side of ['a', 'b']) {
        const s = await active(w.page, side);
        if (s && lit[side].at(-1) !== s) lit[side].push(s);
      }
    };
    await record();
    while ((await w.page.getAttribute('html', 'data-status')) !== 'done') {
      await w.page.click('[data-action="forward"]');
      await record();
    }
    expect(lit.a).toEqual(['CLOSED', ...A_NORMAL_CLOSE]);
    expect(lit.b).toEqual(['LISTEN', ...B_NORMAL_CLOSE]);
    // Only one node per diagram is lit.
    expect(await w.page.locator('[data-diagram="a"] [data-active]').count()).toBe(1);
    // Back to the start: a is CLOSED again, b LISTEN, the log empty, the run no longer done.
    await w.page.fill('input[name="scrubber"]', '0');
    expect(await active(w.page, 'a')).toBe('CLOSED');
    expect(await active(w.page, 'b')).toBe('LISTEN');
    expect(await logOf(w.page)).toEqual([]);
    expect(await w.page.getAttribute('html', 'data-status')).toBe('ready');
    await w.page.click('[data-action="forward"]');
    await w.page.click('[data-action="back"]');
    expect(await logOf(w.page)).toEqual([]);
    await w.page.close();
  });

  it('puts the run in the URL, and the link replays the same run', async () => {
    const w = await open('?view=sim');
    await w.page.selectOption('select[name="scenario"]', 'normal-close');
    await w.page.fill('input[name="seed"]', '3');
    await w.page.fill('input[name="loss"]', '0.2');
    await w.page.click('button[type="submit"]');
    const url = new URL(w.page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      view: 'sim',
      scenario: 'normal-close',
      seed: '3',
      loss: '0.2',
    });
    const again = await open(`${url.search}`);
    await again.page.fill(
      'input[name="scrubber"]',
      String(await again.page.getAttribute('input[name="scrubber"]', 'max')),
    );
    await again.page.waitForSelector('html[data-status="done"]');
    expect(await logOf(again.page)).toEqual(nodeTransitions('normal-close', 3, { loss: 0.2 }));
    await w.page.close();
    await again.page.close();
  });

  it('counts a pasted netstat sample per state and lists each socket', async () => {
    const sample = readFileSync(
      fileURLToPath(new URL('../fixtures/paste/linux-netstat-tanp.txt', import.meta.url)),
      'utf8',
    );
    const w = await pasted(sample);
    const counts = await w.page.$$eval('[data-count-state]', (dts) =>
      Object.fromEntries(
        dts.map((dt) => [dt.getAttribute('data-count-state'), dt.querySelector('.n')?.textContent]),
      ),
    );
    // The fixture's rows, counted by hand.
    expect(counts).toEqual({
      LISTEN: '3',
      SYN_RECV: '1',
      ESTABLISHED: '2',
      CLOSE_WAIT: '1',
      TIME_WAIT: '1',
    });
    const row = w.page.locator('tr[data-state="CLOSE_WAIT"]');
    expect(await row.getAttribute('data-local')).toBe('10.0.0.5:8080');
    expect(await row.getAttribute('data-remote')).toBe('10.0.0.7:60122');
    expect(await w.page.locator('tbody tr').count()).toBe(8);
    expect(w.errors).toEqual([]);
    await w.page.close();
  });

  it('says in one line that garbage has no socket rows', async () => {
    const w = await pasted('bash: netstat: command not found\nhello');
    expect(await w.page.textContent('.message')).toMatch(/^No socket rows recognised/);
    expect(await w.page.locator('tbody tr').count()).toBe(0);
    await w.page.close();
  });

  it('writes screenshots: desktop and phone width, light and dark', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const dark of [false, true]) {
      for (const width of [1280, 390]) {
        const name = `${width}-${dark ? 'dark' : 'light'}`;
        const sim = await open('?view=sim&scenario=normal-close&seed=7', { width, dark });
        for (let i = 0; i < 6; i++) await sim.page.click('[data-action="forward"]');
        await sim.page.screenshot({ path: `${SHOTS}sim-${name}.png`, fullPage: true });
        // Nothing is wider than the window (the page's own globals, typed here without the DOM lib).
        const overflow = await sim.page.evaluate(() => {
          const g = globalThis as unknown as {
            innerWidth: number;
            document: { documentElement: { scrollWidth: number } };
          };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect(overflow).toBeLessThanOrEqual(0);
        await sim.page.close();
        const paste = await pasted(
          readFileSync(
            fileURLToPath(new URL('../fixtures/paste/ss-tanp.txt', import.meta.url)),
            'utf8',
          ),
          { width, dark },
        );
        await paste.page.screenshot({ path: `${SHOTS}paste-${name}.png`, fullPage: true });
        await paste.page.close();
      }
    }
  });
});
