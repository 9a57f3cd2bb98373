/**
 * The page's views against `tcpstate web` and from a plain static server, in headless
 * Chromium: no console error and no request to another host on any view, no serious or
 * critical axe-core violation, the paste view's counts (English and Portuguese), the drill
 * view's pass and its failing line, the paste view's counts of a netstat sample and its one line for
 * garbage, the static copy (every view but host, and host saying why), the page's weight, and
 * screenshots of the host, paste and drill views.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import { renderPcap } from '../../src/render/pcap.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import { Stack } from '../../src/stack/stack.js';
import { shortMeaning } from '../../src/state/meanings.js';
import { hasChromium, skipReason } from '../support/chromium.js';
import {
  DIST_WEB,
  type OpenOptions,
  screenshots,
  seriousViolations,
  startStatic,
  useWebBrowser,
} from './page.js';
import { built } from './server.js';

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

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe.skipIf(!runnable)(`the page's views against tcpstate web${why}`, () => {
  const web = useWebBrowser();

  /** A view opened and settled (its data-status, README "Web page"). */
  const open = async (path: string, options: OpenOptions = {}) => {
    const page = await web.open(path, options);
    const view = new URL(path, 'http://x').searchParams.get('view') ?? 'sim';
    await page.waitForSelector(`html[data-status="${SETTLED[view]}"]`);
    return page;
  };

  const pasted = async (text: string, query = '', options: OpenOptions = {}) => {
    const w = await open(`?view=paste${query}`, options);
    await w.fill('textarea', text);
    await w.click('button[type="submit"]');
    await w.waitForSelector('html[data-status="done"]');
    return w;
  };

  /** The host view once its snapshot and doctor's findings are in. */
  const host = async (options: OpenOptions = {}) => {
    const w = await open('?view=host', options);
    await w.waitForSelector('.findings[data-checked]');
    return w;
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
        expect(await w.locator('main#app > section').count()).toBe(1);
        expect(await seriousViolations(w)).toEqual([]);
        await w.close();
      });
    }
  }

  it('the paste view counts an ss sample per state and finds its CLOSE_WAIT leak', async () => {
    const w = await pasted(fixture('ss-close-wait-leak.txt'));
    // The fixture's rows, counted by hand: one listener, seven connections left in CLOSE_WAIT.
    expect(await countsOf(w)).toEqual({ LISTEN: '1', CLOSE_WAIT: '7' });
    expect(await w.locator('tbody tr[data-state="CLOSE_WAIT"]').count()).toBe(7);
    expect(await w.getAttribute('tbody tr[data-state="LISTEN"]', 'data-local')).toBe(
      '0.0.0.0:8080',
    );
    expect(await w.locator('.findings li[data-kind="close-wait-leak"]').count()).toBe(1);
    await w.close();
  });

  it('the paste view reads Windows netstat in Portuguese and answers in Portuguese', async () => {
    const w = await pasted(fixture('windows-pt.txt'), '&lang=pt');
    // ESCUTANDO ×3, ESTABELECIDA, TIME_WAIT: counted by hand.
    expect(await countsOf(w)).toEqual({ LISTEN: '3', ESTABLISHED: '1', TIME_WAIT: '1' });
    expect(await w.textContent('.counts h2')).toBe('Por estado');
    expect(await w.textContent('[data-count-state="LISTEN"] + dd')).toBe(
      shortMeaning('LISTEN', 'pt'),
    );
    expect(await w.getAttribute('html', 'lang')).toBe('pt');
    // Switching the language redraws the same paste in English, and the URL keeps it.
    await w.selectOption('select[name="lang"]', 'en');
    expect(await w.textContent('.counts h2')).toBe('By state');
    const search = await w.evaluate(
      () => (globalThis as unknown as { location: { search: string } }).location.search,
    );
    expect(new URLSearchParams(search).get('lang')).toBeNull();
    await w.close();
  });

  it('the drill view passes its example and shows the run on the diagram and the sequence diagram', async () => {
    const w = await open('?view=drill');
    expect(await w.getAttribute('.outcome', 'data-outcome')).toBe('pass');
    const script = await w.inputValue('textarea[name="script"]');
    const log = await w.$$eval('.log li', (items) =>
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
    expect(await w.getAttribute('[data-diagram="a"] [data-active="a"]', 'data-state')).toBe(
      'TIME_WAIT',
    );
    // A transition clicked in the log is lit on the diagram.
    await w.click('.log li:nth-child(2) button');
    expect(await w.getAttribute('[data-diagram="a"] [data-active="a"]', 'data-state')).toBe(
      'ESTABLISHED',
    );
    expect(await w.locator('.sequence svg').count()).toBe(1);
    expect(await w.textContent('.sequence svg')).toContain('FIN,ACK');
    await w.close();
  });

  it('the drill view fails a broken script at its line, marks the line, and a link replays it', async () => {
    const w = await open('?view=drill');
    const good = await w.inputValue('textarea[name="script"]');
    const lines = good.split('\n');
    // Expect a FIN where the stack (rightly) sends a bare ACK to the peer's FIN in FIN_WAIT2.
    const bad = lines.findIndex((l) => l.startsWith('+0 > . 102:102(0) ack 2')) + 1;
    expect(bad).toBeGreaterThan(0);
    lines[bad - 1] = '+0 > F. 102:102(0) ack 2 win 65535';
    await w.fill('textarea[name="script"]', lines.join('\n'));
    await w.click('button[type="submit"]');
    expect(await w.getAttribute('.outcome', 'data-outcome')).toBe('fail');
    expect(await w.getAttribute('.outcome', 'data-line')).toBe(String(bad));
    expect(await w.textContent('.outcome')).toContain(`fail at line ${bad}`);
    expect(await w.getAttribute('.listing .mismatch', 'data-line')).toBe(String(bad));
    expect(await w.locator('.listing .mismatch').count()).toBe(1);
    expect(await w.textContent('.mismatch-detail')).toContain('> F. 102:102(0)');
    const again = await open(
      await w.evaluate(
        () => (globalThis as unknown as { location: { search: string } }).location.search,
      ),
    );
    expect(await again.getAttribute('.outcome', 'data-line')).toBe(String(bad));
    await w.close();
    await again.close();
  });

  it('the paste view counts a netstat sample per state and lists each socket', async () => {
    const w = await pasted(fixture('linux-netstat-tanp.txt'));
    // The fixture's rows, counted by hand.
    expect(await countsOf(w)).toEqual({
      LISTEN: '3',
      SYN_RECV: '1',
      ESTABLISHED: '2',
      CLOSE_WAIT: '1',
      TIME_WAIT: '1',
    });
    const row = w.locator('tr[data-state="CLOSE_WAIT"]');
    expect(await row.getAttribute('data-local')).toBe('10.0.0.5:8080');
    expect(await row.getAttribute('data-remote')).toBe('10.0.0.7:60122');
    expect(await w.locator('tbody tr').count()).toBe(8);
  });

  it('the paste view says in one line that garbage has no socket rows', async () => {
    const w = await pasted('bash: netstat: command not found\nhello');
    expect(await w.textContent('.message')).toMatch(/^No socket rows recognised/);
    expect(await w.locator('tbody tr').count()).toBe(0);
  });

  it('writes screenshots of the host, paste and drill views: desktop and phone, light and dark', async () => {
    await screenshots('host', async (size) => {
      const h = await host(size);
      await h.click('tbody tr[data-state="LISTEN"] button');
      return h;
    });
    await screenshots('paste', (size) => pasted(fixture('linux-netstat-tanp.txt'), '', size));
    await screenshots('drill', async (size) => {
      const d = await open('?view=drill', size);
      await d.selectOption('select[name="example"]', 'wrong-fin');
      return d;
    });
  }, 180_000);
});

describe.skipIf(!runnable)(`the static copy of the page (dist/web, no API)${why}`, () => {
  const site = useWebBrowser(startStatic);

  it('runs the simulator, paste, drill and capture views', async () => {
    const sim = await site.open('?view=sim&scenario=normal-close&seed=7');
    await sim.waitForSelector('html[data-status="ready"]');
    await sim.fill(
      'input[name="scrubber"]',
      String(await sim.getAttribute('input[name="scrubber"]', 'max')),
    );
    await sim.waitForSelector('html[data-status="done"]');
    expect(await sim.locator('.log li').count()).toBeGreaterThan(0);

    const paste = await site.open('?view=paste');
    await paste.fill('textarea', fixture('ss-close-wait-leak.txt'));
    await paste.click('button[type="submit"]');
    expect(await countsOf(paste)).toEqual({ LISTEN: '1', CLOSE_WAIT: '7' });

    const drill = await site.open('?view=drill');
    await drill.waitForSelector('html[data-status="done"]');
    expect(await drill.getAttribute('.outcome', 'data-outcome')).toBe('pass');

    // The capture view reads a file in the page: a pcap that `tcpstate sim` would write.
    const capture = await site.open('?view=capture');
    const script = findBuiltin('normal-close');
    if (!script) throw new Error('no normal-close');
    const run = runScenario(script, { seed: 7, makeStack: (o) => new Stack(o) });
    await capture.setInputFiles('input[name="capture"]', {
      name: 'normal-close.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: Buffer.from(renderPcap(run.packets)),
    });
    await capture.waitForSelector('html[data-status="done"]');
    expect(await capture.getAttribute('tr[data-conn="1"]', 'data-final-b')).toBe('CLOSED');
  });

  it('the host view says it needs tcpstate web, and asks for no API', async () => {
    const w = await site.open('?view=host');
    await w.waitForSelector('html[data-status="done"]');
    expect(await w.textContent('[data-needs]')).toMatch(/needs `tcpstate web`/);
    expect(await w.locator('table').count()).toBe(0);
    expect(site.watch.asked.filter((p) => p.startsWith('/api/'))).toEqual([]);
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
