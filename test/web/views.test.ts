/**
 * The page's views against `tcpstate web` and from a plain static server, in headless
 * Chromium: no console error and no request to another host on any view, no serious or
 * critical axe-core violation, the paste view's counts (English and Portuguese), the drill
 * view's pass and its failing line, the static copy (every view but host, and host saying
 * why), the page's weight, and screenshots of the host, paste and drill views.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import { renderPcap } from '../../src/render/pcap.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import { Stack } from '../../src/stack/stack.js';
import { shortMeaning } from '../../src/state/meanings.js';
import { hasChromium, launchChromium, skipReason } from '../support/chromium.js';
import {
  DIST_WEB,
  type OpenOptions,
  openPage,
  SHOTS,
  seriousViolations,
  startStatic,
  type Watched,
} from './page.js';
import { built, startWeb, type WebServer } from './server.js';

const runnable = hasChromium && built;
const why = skipReason || (built ? '' : ' (skipped: run `npm run build` first)');

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/paste/${name}`, import.meta.url)), 'utf8');

/** The budget for the whole page, gzipped. */
const PAGE_WEIGHT_LIMIT = 300 * 1024;

/** What each view shows when it has settled: the page root's data-status (README, Web page). */
const SETTLED: Record<string, string> = {
  sim: 'ready',
  host: 'done',
  paste: 'ready',
  capture: 'ready',
  drill: 'done',
};

const countsOf = (page: Page) =>
  page.$$eval('[data-count-state]', (dts) =>
    Object.fromEntries(
      dts.map((dt) => [dt.getAttribute('data-count-state'), dt.querySelector('.n')?.textContent]),
    ),
  );

const overflow = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number } };
    };
    return g.document.documentElement.scrollWidth - g.innerWidth;
  });

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe.skipIf(!runnable)(`the page's views against tcpstate web${why}`, () => {
  let server: WebServer;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    server = await startWeb();
    origin = new URL(server.url).origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = async (path: string, options: OpenOptions = {}) => {
    const w = await openPage(browser, origin, path, options);
    const view = new URL(path, 'http://x').searchParams.get('view') ?? 'sim';
    await w.page.waitForSelector(`html[data-status="${SETTLED[view]}"]`);
    return w;
  };

  const pasted = async (text: string, query = '', options: OpenOptions = {}) => {
    const w = await open(`?view=paste${query}`, options);
    await w.page.fill('textarea', text);
    await w.page.click('button[type="submit"]');
    await w.page.waitForSelector('html[data-status="done"]');
    return w;
  };

  /** The host view once its snapshot and doctor's findings are in. */
  const host = async (options: OpenOptions = {}) => {
    const w = await open('?view=host', options);
    await w.page.waitForSelector('.findings[data-checked]');
    return w;
  };

  const clean = async (w: Watched) => {
    expect(w.errors).toEqual([]);
    expect(w.foreign).toEqual([]);
    await w.page.close();
  };

  for (const view of ['sim', 'host', 'paste', 'drill', 'capture']) {
    for (const dark of [false, true]) {
      it(`loads the ${view} view (${dark ? 'dark' : 'light'}) with no console error, no request to another host, no serious axe violation`, async () => {
        const w =
          view === 'host'
            ? await host({ dark })
            : view === 'paste'
              ? await pasted(fixture('ss-close-wait-leak.txt'), '', { dark })
              : await open(`?view=${view}`, { dark });
        expect(await w.page.locator('main#app > section').count()).toBe(1);
        expect(await seriousViolations(w.page)).toEqual([]);
        await clean(w);
      });
    }
  }

  it('the paste view counts an ss sample per state and finds its CLOSE_WAIT leak', async () => {
    const w = await pasted(fixture('ss-close-wait-leak.txt'));
    // The fixture's rows, counted by hand: one listener, seven connections left in CLOSE_WAIT.
    expect(await countsOf(w.page)).toEqual({ LISTEN: '1', CLOSE_WAIT: '7' });
    expect(await w.page.locator('tbody tr[data-state="CLOSE_WAIT"]').count()).toBe(7);
    expect(await w.page.getAttribute('tbody tr[data-state="LISTEN"]', 'data-local')).toBe(
      '0.0.0.0:8080',
    );
    expect(await w.page.locator('.findings li[data-kind="close-wait-leak"]').count()).toBe(1);
    await clean(w);
  });

  it('the paste view reads Windows netstat in Portuguese and answers in Portuguese', async () => {
    const w = await pasted(fixture('windows-pt.txt'), '&lang=pt');
    // ESCUTANDO ×3, ESTABELECIDA, TIME_WAIT: counted by hand.
    expect(await countsOf(w.page)).toEqual({ LISTEN: '3', ESTABLISHED: '1', TIME_WAIT: '1' });
    expect(await w.page.textContent('.counts h2')).toBe('Por estado');
    expect(await w.page.textContent('[data-count-state="LISTEN"] + dd')).toBe(
      shortMeaning('LISTEN', 'pt'),
    );
    expect(await w.page.getAttribute('html', 'lang')).toBe('pt');
    // Switching the language redraws the same paste in English, and the URL keeps it.
    await w.page.selectOption('select[name="lang"]', 'en');
    expect(await w.page.textContent('.counts h2')).toBe('By state');
    const search = await w.page.evaluate(
      () => (globalThis as unknown as { location: { search: string } }).location.search,
    );
    expect(new URLSearchParams(search).get('lang')).toBeNull();
    await clean(w);
  });

  it('the drill view passes its example and shows the run on the diagram and the sequence diagram', async () => {
    const w = await open('?view=drill');
    expect(await w.page.getAttribute('.outcome', 'data-outcome')).toBe('pass');
    const script = await w.page.inputValue('textarea[name="script"]');
    const log = await w.page.$$eval('.log li', (items) =>
      items.map((li) => `${li.getAttribute('data-from')}>${li.getAttribute('data-to')}`),
    );
    // The example closes first: the whole active close, as the runner in Node tells it.
    expect(log).toEqual([
      'CLOSED>SYN_SENT',
      'SYN_SENT>ESTABLISHED',
      'ESTABLISHED>FIN_WAIT1',
      'FIN_WAIT1>FIN_WAIT2',
      'FIN_WAIT2>TIME_WAIT',
    ]);
    expect(log).toEqual(runScriptText(script).transitions.map((t) => `${t.from}>${t.to}`));
    expect(await w.page.getAttribute('[data-diagram="a"] [data-active="a"]', 'data-state')).toBe(
      'TIME_WAIT',
    );
    // A transition clicked in the log is lit on the diagram.
    await w.page.click('.log li:nth-child(2) button');
    expect(await w.page.getAttribute('[data-diagram="a"] [data-active="a"]', 'data-state')).toBe(
      'ESTABLISHED',
    );
    expect(await w.page.locator('.sequence svg').count()).toBe(1);
    expect(await w.page.textContent('.sequence svg')).toContain('FIN,ACK');
    await clean(w);
  });

  it('the drill view fails a broken script at its line, marks the line, and a link replays it', async () => {
    const w = await open('?view=drill');
    const good = await w.page.inputValue('textarea[name="script"]');
    const lines = good.split('\n');
    // Expect a FIN where the stack (rightly) sends a bare ACK to the peer's FIN in FIN_WAIT2.
    const bad = lines.findIndex((l) => l.startsWith('+0 > . 102:102(0) ack 2')) + 1;
    expect(bad).toBeGreaterThan(0);
    lines[bad - 1] = '+0 > F. 102:102(0) ack 2 win 65535';
    await w.page.fill('textarea[name="script"]', lines.join('\n'));
    await w.page.click('button[type="submit"]');
    expect(await w.page.getAttribute('.outcome', 'data-outcome')).toBe('fail');
    expect(await w.page.getAttribute('.outcome', 'data-line')).toBe(String(bad));
    expect(await w.page.textContent('.outcome')).toContain(`fail at line ${bad}`);
    expect(await w.page.getAttribute('.listing .mismatch', 'data-line')).toBe(String(bad));
    expect(await w.page.locator('.listing .mismatch').count()).toBe(1);
    expect(await w.page.textContent('.mismatch-detail')).toContain('> F. 102:102(0)');
    const again = await open(
      await w.page.evaluate(
        () => (globalThis as unknown as { location: { search: string } }).location.search,
      ),
    );
    expect(await again.page.getAttribute('.outcome', 'data-line')).toBe(String(bad));
    await clean(w);
    await clean(again);
  });

  it('writes screenshots of the host, paste and drill views: desktop and phone, light and dark', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const dark of [false, true]) {
      for (const width of [1280, 390]) {
        const name = `${width}-${dark ? 'dark' : 'light'}`;
        const shots: Array<[string, Watched]> = [];
        const h = await host({ width, dark });
        await h.page.click('tbody tr[data-state="LISTEN"] button');
        shots.push(['host', h]);
        shots.push(['paste', await pasted(fixture('linux-netstat-tanp.txt'), '', { width, dark })]);
        const d = await open('?view=drill', { width, dark });
        await d.page.selectOption('select[name="example"]', 'wrong-fin');
        shots.push(['drill', d]);
        for (const [view, w] of shots) {
          await w.page.screenshot({ path: `${SHOTS}${view}-${name}.png`, fullPage: true });
          expect(await overflow(w.page), `${view} at ${name}`).toBeLessThanOrEqual(0);
          await clean(w);
        }
      }
    }
  }, 180_000);
});

describe.skipIf(!runnable)(`the static copy of the page (dist/web, no API)${why}`, () => {
  let browser: Browser;
  let site: { origin: string; close(): Promise<void> };

  beforeAll(async () => {
    site = await startStatic();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('runs the simulator, paste, drill and capture views', async () => {
    const sim = await openPage(browser, site.origin, '?view=sim&scenario=normal-close&seed=7');
    await sim.page.waitForSelector('html[data-status="ready"]');
    await sim.page.fill(
      'input[name="scrubber"]',
      String(await sim.page.getAttribute('input[name="scrubber"]', 'max')),
    );
    await sim.page.waitForSelector('html[data-status="done"]');
    expect(await sim.page.locator('.log li').count()).toBeGreaterThan(0);

    const paste = await openPage(browser, site.origin, '?view=paste');
    await paste.page.fill('textarea', fixture('ss-close-wait-leak.txt'));
    await paste.page.click('button[type="submit"]');
    expect(await countsOf(paste.page)).toEqual({ LISTEN: '1', CLOSE_WAIT: '7' });

    const drill = await openPage(browser, site.origin, '?view=drill');
    await drill.page.waitForSelector('html[data-status="done"]');
    expect(await drill.page.getAttribute('.outcome', 'data-outcome')).toBe('pass');

    // The capture view reads a file in the page: a pcap that `tcpstate sim` would write.
    const capture = await openPage(browser, site.origin, '?view=capture');
    const script = findBuiltin('normal-close');
    if (!script) throw new Error('no normal-close');
    const run = runScenario(script, { seed: 7, makeStack: (o) => new Stack(o) });
    await capture.page.setInputFiles('input[name="capture"]', {
      name: 'normal-close.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: Buffer.from(renderPcap(run.packets)),
    });
    await capture.page.waitForSelector('html[data-status="done"]');
    expect(await capture.page.getAttribute('tr[data-conn="1"]', 'data-final-b')).toBe('CLOSED');

    for (const w of [sim, paste, drill, capture]) {
      expect(w.errors).toEqual([]);
      expect(w.foreign).toEqual([]);
      await w.page.close();
    }
  });

  it('the host view says it needs tcpstate web, and asks for no API', async () => {
    const w = await openPage(browser, site.origin, '?view=host');
    await w.page.waitForSelector('html[data-status="done"]');
    expect(await w.page.textContent('[data-needs]')).toMatch(/needs `tcpstate web`/);
    expect(await w.page.locator('table').count()).toBe(0);
    expect(w.asked.filter((p) => p.startsWith('/api/'))).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(w.foreign).toEqual([]);
    await w.page.close();
  });

  it(`weighs at most ${PAGE_WEIGHT_LIMIT / 1024} KB gzipped (dist/web, every file)`, () => {
    const sizes = files(DIST_WEB).map((f) => ({
      file: f.slice(DIST_WEB.length),
      raw: statSync(f).size,
      gzip: gzipSync(readFileSync(f)).length,
    }));
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    for (const s of sizes) {
      console.log(`page weight: ${s.file} ${s.raw} bytes, ${s.gzip} gzipped`);
    }
    console.log(
      `page weight: ${(total / 1024).toFixed(1)} KB gzipped in all (limit ${PAGE_WEIGHT_LIMIT / 1024} KB)`,
    );
    expect(total).toBeLessThanOrEqual(PAGE_WEIGHT_LIMIT);
  });
});
