/**
 * `npm run bench:web-fps`: the web page's figures for issue 12, printed with whether each
 * target is met, never asserted. Everything is measured on the built page (dist/web/) served
 * from a local static server, in headless Chromium.
 * 1. Page weight: the gzipped bytes of dist/web/ (target <= 300 KB).
 * 2. First render: from navigation to the simulator view's first sequence diagram (bulk,
 *    100 kB; target < 1 s), and first contentful paint; three times, the median judged.
 * The reference, measured in the same run: the frames per second of a blank page, which is what
 * Chromium can deliver at all on this machine under its present load (printed with the load);
 * each frame rate is also given as a share of it.
 * 3. The simulator view opened on `?view=sim&scenario=bulk&bytes=10000000&loss=0.02`: the time
 *    until it is ready (simulated and drawn), the time to simulate and the time to draw, as the
 *    page marks them (performance.measure `tcpstate:simulate` and `tcpstate:draw`); then the
 *    frames per second, counted with requestAnimationFrame (target >= 30), while the view plays
 *    at its fastest speed (100x, one story event per 6 ms: state diagrams, log, sequence
 *    diagram's now-line and fading, scrubber) and while the scrubber is swept over the whole
 *    run in a few seconds (an input event each frame, as a dragged scrubber sends them).
 * Options: --bytes N (default 10000000), --loss P (default 0.02), --seconds S of playing and of
 * sweeping (default 5), --dir D to measure another build of the page than dist/web/,
 * --slowdown N to throttle the pages' CPU N times (DevTools), standing for a busier machine. Needs /usr/bin/chromium; builds dist/web/ with Vite when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../test/support/chromium.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--dir D`: another build of the page (an older one, to compare), instead of dist/web/. */
const WEB = option('--dir') ?? join(ROOT, 'dist/web');

function arg(name: string, fallback: number): number {
  const value = option(name);
  return value === undefined ? fallback : Number(value);
}

const BYTES = arg('--bytes', 10_000_000);
const LOSS = arg('--loss', 0.02);
const SECONDS = arg('--seconds', 5);
/** `--slowdown N`: Chromium's CPU throttling (DevTools), to stand for a slower or busier machine. */
const SLOWDOWN = arg('--slowdown', 1);

/** Throttles the page's CPU by SLOWDOWN (nothing at 1). */
async function slowed(page: Page): Promise<Page> {
  if (SLOWDOWN > 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  }
  return page;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main(): Promise<void> {
  if (!hasChromium) {
    console.log('bench:web-fps: /usr/bin/chromium is not installed; nothing measured');
    return;
  }
  if (!existsSync(join(WEB, 'index.html'))) {
    console.log('dist/web/ is missing: building it (vite build)');
    const r = spawnSync('npx', ['vite', 'build', '-c', 'vite.web.config.ts'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('vite build failed');
  }

  // 1. Page weight.
  let gz = 0;
  for (const f of files(WEB)) gz += gzipSync(readFileSync(f), { level: 9 }).length;
  console.log(
    `page weight: ${(gz / 1024).toFixed(1)} KB gzipped (dist/web/, target <= 300 KB: ${verdict(gz <= 300 * 1024)})`,
  );

  const browser = await launchChromium();
  const server = await serve(WEB);
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(
      `machine: ${cpus().length} CPUs${SLOWDOWN > 1 ? `, the pages' CPU throttled ${SLOWDOWN}x` : ''}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1, 5, 15 min)`,
    );
    // 2. First render of the built page, three times (a fresh context each: nothing cached); the
    // first is also the browser's first page, as a user's first visit after starting it.
    const renders: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await slowed(await context.newPage());
      await page.goto(`${origin}/?view=sim&scenario=bulk&seed=1`);
      await page.waitForSelector('.sequence svg', { timeout: 30_000 });
      const first = (await page.evaluate(`({
        now: performance.now(),
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      })`)) as { now: number; fcp?: number };
      renders.push(first.now);
      console.log(
        `  first render ${i + 1}: ${first.now.toFixed(0)} ms to the simulator's first sequence diagram (bulk, 100 kB), first contentful paint ${first.fcp?.toFixed(0) ?? '?'} ms`,
      );
      await context.close();
    }
    console.log(
      `first render: median ${median(renders).toFixed(0)} ms of ${renders.length} (target < 1000 ms: ${verdict(median(renders) < 1000)})`,
    );

    // The reference, in the same run: frames per second of a page that draws nothing, which is
    // what this machine's Chromium can deliver at all under its present load.
    const idle = await slowed(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
    await idle.setContent('<!doctype html><title>blank</title>');
    const reference = (await idle.evaluate(
      `new Promise((resolve) => { let n = 0, t0 = 0; const f = (t) => { if (!t0) t0 = t; n++; if (t - t0 >= 2000) resolve((n * 1000) / (t - t0)); else requestAnimationFrame(f); }; requestAnimationFrame(f); })`,
    )) as number;
    await idle.close();
    console.log(`reference: ${reference.toFixed(1)} frames per second on a blank page`);

    // 3. The real page, asked for the big transfer by its URL.
    const real = await slowed(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
    const errors: string[] = [];
    real.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    real.on('pageerror', (e) => errors.push(e.message));
    const started = Date.now();
    await real.goto(`${origin}/?view=sim&scenario=bulk&seed=1&bytes=${BYTES}&loss=${LOSS}`);
    await real.waitForSelector('[data-status="ready"] .sequence svg', { timeout: 600_000 });
    const ready = (Date.now() - started) / 1000;
    const run = (await real.evaluate(`(() => {
      const ms = (name) => performance.getEntriesByName(name).at(-1)?.duration ?? NaN;
      const range = document.querySelector('input[name="scrubber"]');
      return {
        simulate: ms('tcpstate:simulate'),
        draw: ms('tcpstate:draw'),
        events: Number(range.max),
        bursts: document.querySelectorAll('.sequence .burst').length,
        segments: document.querySelectorAll('.sequence .seg').length,
      };
    })()`)) as { simulate: number; draw: number; events: number; bursts: number; segments: number };
    console.log(
      `simulator view, ?scenario=bulk&bytes=${BYTES}&loss=${LOSS}: ready after ${ready.toFixed(2)} s (${run.events} story events; the diagram folded into ${run.bursts} bursts and ${run.segments} single segments)`,
    );
    console.log(
      `  simulate in the page: ${(run.simulate / 1000).toFixed(2)} s; draw the sequence diagram and both graphs: ${(run.draw / 1000).toFixed(2)} s`,
    );
    // Strings, not functions: tsx would wrap a function's inner closures in a helper that does
    // not exist in the page.
    const count = (perFrame: string) => `new Promise((resolve) => {
      const range = document.querySelector('input[name="scrubber"]');
      const max = Number(range.max);
      const from = Number(range.value);
      const seconds = ${SECONDS};
      let frames = 0, worst = 0, last = 0, start = 0;
      function tick(now) {
        if (start === 0) { start = now; last = now; }
        worst = Math.max(worst, now - last);
        last = now;
        const elapsed = now - start;
        ${perFrame}
        frames++;
        if (elapsed >= seconds * 1000) resolve({ frames, ms: elapsed, worst, steps: Number(range.value) - from, max });
        else requestAnimationFrame(tick);
      }
      requestAnimationFrame(tick);
    })`;
    type Counted = { frames: number; ms: number; worst: number; steps: number; max: number };
    const report = (what: string, c: Counted) => {
      const rate = (c.frames * 1000) / c.ms;
      console.log(
        `${what}: ${rate.toFixed(1)} frames per second over ${(c.ms / 1000).toFixed(1)} s (${((100 * rate) / reference).toFixed(0)}% of the blank page's ${reference.toFixed(1)}), longest frame ${c.worst.toFixed(0)} ms (target >= 30: ${verdict(rate >= 30)})`,
      );
    };
    // Playing at the fastest speed, from the start.
    // (The run opens at its start: « Start is disabled there.)
    await real.selectOption('select[name="speed"]', '100');
    await real.click('[data-action="play"]');
    const playing = (await real.evaluate(count(''))) as Counted;
    await real.click('[data-action="play"]');
    report(`playing at 100x (${playing.steps} events shown of ${playing.max})`, playing);
    // Sweeping the scrubber from the start to the end of the run.
    const sweeping = (await real.evaluate(
      count(`range.value = String(Math.round(Math.min(1, elapsed / (seconds * 1000)) * max));
        range.dispatchEvent(new Event('input', { bubbles: true }));`),
    )) as Counted;
    report(`sweeping the scrubber over all ${sweeping.max} events in ${SECONDS} s`, sweeping);
    if (errors.length > 0) console.log(`console errors on the page: ${errors.join('; ')}`);
    await real.close();
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
