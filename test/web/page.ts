/**
 * Pages for the web tests that check the page's own behaviour: each records its console
 * errors and, by request interception, every request to another origin (aborted, so the test
 * fails on what was asked, not on a network timeout). Also a plain static file server of
 * dist/web/ (no API, no tcpstate headers), for the static copy, and axe-core.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const DIST_WEB = fileURLToPath(new URL('../../dist/web/', import.meta.url));
export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export interface Watched {
  page: Page;
  errors: string[];
  foreign: string[];
  /** The paths of every request to the page's own origin, in order. */
  asked: string[];
}

export interface OpenOptions {
  width?: number;
  dark?: boolean;
}

export async function openPage(
  browser: Browser,
  origin: string,
  path: string,
  options: OpenOptions = {},
): Promise<Watched> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const watched: Watched = { page, errors: [], foreign: [], asked: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watched.errors.push(m.text());
  });
  page.on('pageerror', (e) => watched.errors.push(e.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:')) return route.continue();
    if (new URL(url).origin === origin) {
      watched.asked.push(new URL(url).pathname);
      return route.continue();
    }
    watched.foreign.push(url);
    return route.abort();
  });
  await page.goto(new URL(path, `${origin}/`).href);
  return watched;
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
export async function startStatic(): Promise<{ origin: string; close(): Promise<void> }> {
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
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
