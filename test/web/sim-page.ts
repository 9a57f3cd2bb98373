/**
 * Pages of the web page for the Playwright tests: each one records its console errors and every
 * request to another host (the page must make none), and reads the test contract of README
 * "Web page".
 */
import type { Browser, Page } from 'playwright-core';

export interface PageOptions {
  width?: number;
  dark?: boolean;
}

/** Where a page's console errors and requests to other hosts are written. */
export interface Watch {
  errors: string[];
  foreign: string[];
}

/** Opens `path` of the server at `base`, waits for the page to be ready, and watches it. */
export async function openPage(
  browser: Browser,
  base: string,
  path: string,
  watch: Watch,
  options: PageOptions = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const origin = new URL(base).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) watch.foreign.push(url);
  });
  await page.goto(new URL(path, base).href);
  await page.waitForSelector('html[data-status="ready"], html[data-status="done"]');
  return page;
}

/** The event log: one entry per transition played. */
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
