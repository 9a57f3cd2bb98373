/**
 * `npm run bench:web-fps`: the web page's figures for issue 12, printed with whether each
 * target is met, never asserted.
 * 1. Page weight: the gzipped bytes of dist/web/ (target <= 300 KB), and of the sequence view
 *    and graphs not yet wired into the page (test/web/fixtures/graphs-harness.ts, minified).
 * 2. First render: from navigation to the simulator view's first sequence diagram on the built
 *    page, served from a local static server (target < 1 s), and first contentful paint.
 * 3. Playing `bulk --bytes 10000000 --loss 0.02` in headless Chromium: the time to simulate it
 *    in the page, to draw its folded sequence diagram, and the frames per second while a player
 *    moves the sequence view's now-line through the run, counted with requestAnimationFrame
 *    (target >= 30): once as the simulator view plays at its fastest (an event every 60 ms),
 *    once sweeping the whole transfer in a few seconds (a stress figure). The frames are counted on the harness page of
 *    test/web/fixtures/ with src/web/seq-view.ts (the zoomable view, not yet mounted in the
 *    page); the page's own simulator view is timed too, from a link with `?bytes=`.
 * Options: --bytes N (default 10000000), --loss P (default 0.02), --seconds S of playing
 * (default 5). Needs /usr/bin/chromium; builds dist/web/ with Vite when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { hasChromium, launchChromium } from '../test/support/chromium.js';
import { openHarness } from '../test/web/fixtures/harness-page.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WEB = join(ROOT, 'dist/web');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const BYTES = arg('--bytes', 10_000_000);
const LOSS = arg('--loss', 0.02);
const SECONDS = arg('--seconds', 5);

function verdict(ok: boolean): string {
  return ok ? 'target met' : 'TARGET MISSED';
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
  const views = await build({
    entryPoints: [join(ROOT, 'test/web/fixtures/graphs-harness.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const viewsGz = gzipSync(views.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
  console.log(
    `page weight: ${(gz / 1024).toFixed(1)} KB gzipped (dist/web/, target <= 300 KB: ${verdict(gz <= 300 * 1024)})`,
  );
  console.log(
    `  the sequence view and graphs with the simulator, bundled alone: ${(viewsGz / 1024).toFixed(1)} KB gzipped (mostly shared with the page)`,
  );

  const browser = await launchChromium();
  const server = await serve(WEB);
  try {
    // 2. First render of the built page.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?view=sim&scenario=bulk&seed=1`;
    await page.goto(url);
    await page.waitForSelector('.sequence svg, .seq-canvas svg', { timeout: 30_000 });
    const first = await page.evaluate(() => ({
      now: performance.now(),
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    }));
    console.log(
      `first render: ${first.now.toFixed(0)} ms to the simulator's first sequence diagram (bulk, 100 kB), first contentful paint ${first.fcp?.toFixed(0) ?? '?'} ms (target < 1000 ms: ${verdict(first.now < 1000)})`,
    );
    await page.close();

    // 3a. The real page, asked for the big transfer by its URL: the time until the simulator
    // view has run it and drawn it (data-status ready), which is what a link's reader waits.
    {
      const real = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const started = Date.now();
      await real.goto(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/?view=sim&scenario=bulk&seed=1&bytes=${BYTES}&loss=${LOSS}`,
      );
      await real.waitForSelector('[data-status="ready"] .sequence svg', { timeout: 600_000 });
      console.log(
        `the page's simulator view with ?bytes=${BYTES}&loss=${LOSS}: ready after ${((Date.now() - started) / 1000).toFixed(2)} s (simulated and drawn in the page)`,
      );
      await real.close();
    }

    // 3. Simulate, draw and play the big transfer on the harness page.
    const { page: harnessPage, errors } = await openHarness(browser, { width: 1280, height: 900 });
    const run = await harnessPage.evaluate(
      ({ bytes, loss }) => {
        const h = (
          globalThis as unknown as {
            tcpstateHarness: {
              harness: {
                run(
                  n: string,
                  s: number,
                  o: object,
                ): { events: number; items: number; end: number; ms: number };
              };
            };
          }
        ).tcpstateHarness.harness;
        const t0 = performance.now();
        const r = h.run('bulk', 1, { bytes, loss });
        return { ...r, total: performance.now() - t0 };
      },
      { bytes: BYTES, loss: LOSS },
    );
    console.log(
      `simulate bulk --bytes ${BYTES} --loss ${LOSS} in Chromium: ${(run.ms / 1000).toFixed(2)} s (${run.events} story events, ${(run.end / 1000).toFixed(1)} s of virtual time)`,
    );
    console.log(
      `  then drawing its folded sequence diagram (${run.items} items) and both graphs: ${((run.total - run.ms) / 1000).toFixed(2)} s`,
    );
    // Strings, not functions: tsx would wrap a function's inner closures in a helper that does
    // not exist in the page. Two ways of playing: as the simulator view plays at its fastest
    // (10x: one story event every 60 ms, the sequence view's now-line on that event), and a
    // sweep of the whole transfer (not the 60 s of TIME_WAIT after it) in the given seconds.
    const measure = (advance: string) => `new Promise((resolve) => {
      const h = globalThis.tcpstateHarness.harness;
      const seq = h.seq;
      const events = h.result.story.events;
      const seconds = ${SECONDS};
      const span = ${run.end > 60_000 ? run.end - 60_000 : run.end};
      let frames = 0, worst = 0, last = 0, start = 0, step = 0;
      const timer = setInterval(() => { ${advance.includes('events') ? 'step++; seq.setTime(events[Math.min(step, events.length - 1)].time);' : ''} }, 60);
      function tick(now) {
        if (start === 0) { start = now; last = now; }
        worst = Math.max(worst, now - last);
        last = now;
        const elapsed = now - start;
        ${advance.includes('sweep') ? 'seq.setTime((elapsed / (seconds * 1000)) * span);' : ''}
        frames++;
        if (elapsed >= seconds * 1000) { clearInterval(timer); resolve({ frames, ms: elapsed, worst, step }); }
        else requestAnimationFrame(tick);
      }
      requestAnimationFrame(tick);
    })`;
    for (const mode of ['events', 'sweep'] as const) {
      const fps = (await harnessPage.evaluate(measure(mode))) as {
        frames: number;
        ms: number;
        worst: number;
        step: number;
      };
      const rate = (fps.frames * 1000) / fps.ms;
      const what =
        mode === 'events'
          ? `playing at the simulator view's 10x (one event per 60 ms, ${fps.step} events)`
          : `sweeping the whole transfer in ${SECONDS} s`;
      console.log(
        `${what}: ${rate.toFixed(1)} frames per second over ${(fps.ms / 1000).toFixed(1)} s, longest frame ${fps.worst.toFixed(0)} ms (target >= 30: ${verdict(rate >= 30)})`,
      );
    }
    if (errors.length > 0) console.log(`console errors on the harness page: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
