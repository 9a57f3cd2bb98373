/**
 * What every browser test of the page shares: `useWebBrowser()` (a server of the page,
 * Chromium, and the check after each test that its pages made no console error and no request
 * to another host), the test contract's readers (README "Web page"), the screenshots at each
 * width and colour scheme, axe-core, and a plain static file server of dist/web/ (no API, no
 * tcpstate headers) for the static copy.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startWeb } from './server.js';

export const DIST_WEB = fileURLToPath(new URL('../../dist/web/', import.meta.url));
export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** What the pages a test opened did that no page of tcpstate may do. */
export interface Watch {
  errors: string[];
  foreign: string[];
  /** The paths of every request to the page's own origin, in order. */
  asked: string[];
}

export interface OpenOptions {
  width?: number;
  dark?: boolean;
}

/**
 * Opens `path` of the page at `origin` (no trailing slash) and waits for its view to be
 * mounted (`data-status` past `loading`). Its console errors and every request go to `watch`;
 * a request to another origin is aborted, so the test fails on what was asked, not on a
 * network timeout.
 */
export async function openPage(
  browser: Browser,
  origin: string,
  path: string,
  watch: Watch,
  options: OpenOptions = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:')) return route.continue();
    if (new URL(url).origin === origin) {
      watch.asked.push(new URL(url).pathname);
      return route.continue();
    }
    watch.foreign.push(url);
    return route.abort();
  });
  await page.goto(new URL(path, `${origin}/`).href);
  await page.waitForSelector('html[data-status="ready"], html[data-status="done"]');
  return page;
}

/** A server of the page: `tcpstate web`, or a plain static one. */
export interface PageServer {
  url: string;
  stop(): Promise<void>;
}

export interface WebBrowser {
  readonly browser: Browser;
  /** The server's origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** What the pages of the current test did: checked empty (errors, foreign) after it. */
  readonly watch: Watch;
  /** Opens a page of the server (a path such as `?view=sim`), watched. */
  open(path: string, options?: OpenOptions): Promise<Page>;
}

/**
 * The hooks every browser test of the page needs, once: before the file's tests a server of
 * the page (`tcpstate web` unless `start` says otherwise) and headless Chromium; after each
 * test, no console error and no request to another host from the pages it opened, and those
 * pages closed; after all, both stopped. Call it inside the `describe`.
 */
export function useWebBrowser(start: () => Promise<PageServer> = startWeb): WebBrowser {
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  const watch: Watch = { errors: [], foreign: [], asked: [] };
  const pages: Page[] = [];
  beforeAll(async () => {
    server = await start();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) if (!page.isClosed()) await page.close();
    watch.asked.splice(0);
    expect({ errors: watch.errors.splice(0), foreign: watch.foreign.splice(0) }).toEqual({
      errors: [],
      foreign: [],
    });
  });
  const ready = () => {
    if (server === undefined || browser === undefined) throw new Error('the browser is not up');
    return { server, browser };
  };
  return {
    get browser() {
      return ready().browser;
    },
    get origin() {
      return new URL(ready().server.url).origin;
    },
    watch,
    async open(path, options = {}) {
      const { server: s, browser: b } = ready();
      const page = await openPage(b, new URL(s.url).origin, path, watch, options);
      pages.push(page);
      return page;
    },
  };
}

/** The event log: one entry per transition played (README "Web page", the test contract). */
export function logOf(page: Page) {
  return page.$$eval('.log li', (items) =>
    items.map((li) => ({
      side: li.getAttribute('data-side'),
      from: li.getAttribute('data-from'),
      to: li.getAttribute('data-to'),
      cause: li.getAttribute('data-cause'),
    })),
  );
}

/** How far the page is wider than its window (0 or less: nothing sticks out). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate(
    'document.documentElement.scrollWidth - window.innerWidth',
  ) as Promise<number>;
}

/** Makes the screenshots' folder. */
export function mkShots(): void {
  mkdirSync(SHOTS, { recursive: true });
}

/** Each width and colour scheme the screenshots are taken at, with the files' suffix. */
export const SHOT_SIZES = [false, true].flatMap((dark) =>
  [1280, 390].map((width) => ({ width, dark, name: `${width}-${dark ? 'dark' : 'light'}` })),
);

/**
 * Screenshots of a view at each of SHOT_SIZES: `prepare` opens it and brings it to what is
 * shown; the whole page is written to screenshots/VIEW-WIDTH-SCHEME.png, and must be no wider
 * than the window.
 */
export async function screenshots(
  view: string,
  prepare: (options: OpenOptions) => Promise<Page>,
): Promise<void> {
  mkShots();
  for (const size of SHOT_SIZES) {
    const page = await prepare(size);
    await page.screenshot({ path: `${SHOTS}${view}-${size.name}.png`, fullPage: true });
    expect(await overflow(page), `${view} at ${size.name}`).toBeLessThanOrEqual(0);
    await page.close();
  }
}

const AXE = readFileSync(
  fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy allows it.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: unknown[];
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** dist/web/ from a plain static server, as `python3 -m http.server` would serve it. */
export async function startStatic(): Promise<PageServer> {
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(DIST_WEB, path.endsWith('/') ? `${path}index.html` : path));
    try {
      if (!file.startsWith(DIST_WEB)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
