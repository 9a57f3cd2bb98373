import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, skipReason } from '../support/chromium.js';
import { drill, transfer } from './entry.js';

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

  it.skipIf(!hasChromium)(`run in headless Chromium and agree with Node${skipReason}`, async () => {
    const code = await bundle();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><title>tcpstate</title>');
      await page.addScriptTag({ content: code });
      const inBrowser = await page.evaluate(() =>
        (
          globalThis as unknown as {
            tcpstateBrowserTest: { transfer(seed: number, bytes: number): unknown };
          }
        ).tcpstateBrowserTest.transfer(7, 100_000),
      );
      const script = readFileSync(
        fileURLToPath(new URL('../drill/scripts/time-wait.pkt', import.meta.url)),
        'utf8',
      );
      const drillInBrowser = await page.evaluate(
        (text) =>
          (
            globalThis as unknown as {
              tcpstateBrowserTest: { drill(text: string): unknown };
            }
          ).tcpstateBrowserTest.drill(text),
        script,
      );
      // The packetdrill runner too: the same outcome, transitions and log as in Node.
      expect(drillInBrowser).toEqual(drill(script));
      expect(drill(script)).toMatchObject({ outcome: { status: 'pass' } });
      const inNode = transfer(7, 100_000);
      // Deterministic: the browser run is the Node run, byte for byte and state for state.
      expect(inBrowser).toEqual(inNode);
      expect(inNode).toMatchObject({
        received: 100_000,
        seqWrap: true,
        alias: 'FIN_WAIT1',
        serverStates: ['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
      });
      // a closes first: FIN_WAIT1, then FIN_WAIT2 unless b's FIN comes with the ACK of a's
      const client = inNode.clientStates as string[];
      expect(client.slice(0, 3)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1']);
      expect(client.slice(-2)).toEqual(['TIME_WAIT', 'CLOSED']);
    } finally {
      await browser.close();
    }
  });
});
