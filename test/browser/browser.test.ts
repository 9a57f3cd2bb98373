import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../src/util/rng.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./entry.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'tcpstateBrowserTest',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

describe('the pure layers in a browser', () => {
  it('bundle for the browser without any Node built-in', async () => {
    // platform "browser" makes esbuild fail on node: imports, so a successful build is the check
    const code = await bundle();
    expect(code).not.toMatch(/require\(["']node:/);
  });

  it.skipIf(!hasChromium)(
    `run in headless Chromium and agree with Node${hasChromium ? '' : ' (skipped: /usr/bin/chromium is not installed)'}`,
    async () => {
      const code = await bundle();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage();
        await page.setContent('<!doctype html><title>tcpstate</title>');
        await page.addScriptTag({ content: code });
        const result = await page.evaluate(() =>
          (
            globalThis as unknown as { tcpstateBrowserTest: { run(): unknown } }
          ).tcpstateBrowserTest.run(),
        );
        const rng = new SeededRng(42);
        expect(result).toEqual({
          seqWrap: true,
          rng: [rng.nextU32(), rng.nextU32()],
          state: 'FIN_WAIT1',
        });
      } finally {
        await browser.close();
      }
    },
  );
});
