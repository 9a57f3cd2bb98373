/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The capture view against `tcpstate web`, in headless Chromium: a pcap the test makes from a
 * sim scenario (the packets `tcpstate sim --format pcap` writes), given by the file input
 * (Playwright's setInputFiles) and by a synthetic drop; the connections table, then a
 * connection's inferred states on both state diagrams, its log and sequence diagram, findings;
 * the URL; a damaged file's one line with its byte offset, as the CLI prints it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, problemText } from '../../src/capture/index.js';
import { renderPcap } from '../../src/render/pcap.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import { Stack } from '../../src/stack/stack.js';
import { hasChromium, skipReason } from '../support/chromium.js';
import { logOf, type OpenOptions, screenshots, seriousViolations, useWebBrowser } from './page.js';
import { playerTests } from './player.js';
import { built } from './server.js';

const runnable = hasChromium && built;
const why = skipReason || (built ? '' : ' (skipped: run `npm run build` first)');

function simRun(name: string, seed: number) {
  const script = findBuiltin(name);
  if (!script) throw new Error(`no scenario ${name}`);
  return runScenario(script, { seed, makeStack: (o) => new Stack(o) });
}

/** Two connections in one capture: normal-close's packets, then bulk's a second later. */
function twoConnections(): Uint8Array {
  const first = simRun('normal-close', 7);
  const second = simRun('bulk', 3);
  const end = first.packets.at(-1)?.time ?? 0;
  const packets = [
    ...first.packets,
    ...second.packets.map((p) => ({ ...p, time: p.time + end + 1000 })),
  ];
  return renderPcap(packets);
}

describe.skipIf(!runnable)(`the capture view${why}`, () => {
  const web = useWebBrowser();
  /** The capture view with this pcap chosen in its file input. */
  const withCapture = async (bytes: Uint8Array, options: OpenOptions = {}) => {
    const page = await web.open('?view=capture', options);
    await page.setInputFiles('input[name="capture"]', {
      name: 'two.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: Buffer.from(bytes),
    });
    return page;
  };

  const rows = (page: Page) =>
    page.$$eval('tr[data-conn]', (trs) =>
      trs.map((tr) => ({
        conn: tr.getAttribute('data-conn'),
        a: tr.getAttribute('data-a'),
        b: tr.getAttribute('data-b'),
        finalA: tr.getAttribute('data-final-a'),
        finalB: tr.getAttribute('data-final-b'),
      })),
    );
  const lit = (page: Page, side: string) =>
    page.$$eval(`[data-diagram="${side}"] [data-state][data-active]`, (nodes) =>
      nodes.map((n) => n.getAttribute('data-state')),
    );

  it('reads a capture given by the file input: the table, then a connection’s states, log, diagram and findings', async () => {
    const bytes = twoConnections();
    const expected = analyzeCapture('two.pcap', bytes);
    expect(expected.connections).toHaveLength(2);
    const page = await web.open('?view=capture');
    expect(await page.textContent('.message')).toMatch(/No capture yet/);
    await page.setInputFiles('input[name="capture"]', {
      name: 'two.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: Buffer.from(bytes),
    });
    await page.waitForSelector('tr[data-conn]');
    expect(await page.textContent('.message')).toBe(
      'two.pcap: pcap, ' +
        `${expected.counts.frames} frames, ${expected.counts.tcp} TCP packets, 2 TCP connections`,
    );
    // The browser reads what Node reads: the same connections, ends and final states.
    expect(await rows(page)).toEqual(
      expected.connections.map((c) => ({
        conn: String(c.id),
        a: c.a,
        b: c.b,
        finalA: c.final.a,
        finalB: c.final.b,
      })),
    );
    // Nothing is picked among several; the first one, picked, is shown at its end.
    expect(await page.isHidden('.capture-conn')).toBe(true);
    await page.click('tr[data-conn="1"] button');
    await page.waitForSelector('html[data-status="done"]');
    expect(new URL(page.url()).searchParams.get('conn')).toBe('1');
    const c1 = expected.connections[0];
    const log = await logOf(page);
    const transitions = c1?.events.flatMap((e) =>
      e.type === 'state' ? [{ side: e.side, from: e.from, to: e.to, cause: e.cause ?? '' }] : [],
    );
    expect(log).toEqual(transitions);
    // normal-close as the wire shows it: a closed first and ends in TIME_WAIT (the capture
    // ends before its 60 s), b went CLOSE_WAIT, LAST_ACK, CLOSED.
    expect(log.filter((t) => t.side === 'b').map((t) => t.to)).toEqual([
      'SYN_RECV',
      'ESTABLISHED',
      'CLOSE_WAIT',
      'LAST_ACK',
      'CLOSED',
    ]);
    expect(await lit(page, 'a')).toEqual([c1?.final.a]);
    expect(await lit(page, 'b')).toEqual([c1?.final.b]);
    expect(await page.textContent('[data-diagram="a"] figcaption')).toContain(c1?.a);
    // The sequence diagram draws each packet of it; findings in operators' words.
    expect(await page.locator('.capture-conn .sequence .seg').count()).toBe(
      c1?.events.filter((e) => e.type === 'segment').length,
    );
    const findings = await page.$$eval('.capture-findings li', (lis) =>
      lis.map((li) => li.getAttribute('data-code')),
    );
    expect(findings).toEqual(c1?.summary.findings.map((f) => f.code));
    expect(findings).toContain('closed-first');
    // The bulk connection: folded into bursts.
    await page.click('tr[data-conn="2"] button');
    await page.waitForSelector('html[data-status="done"]');
    expect(await page.locator('.capture-conn .sequence .burst').count()).toBeGreaterThan(0);
    expect(await page.textContent('#capture-conn-title')).toContain(
      expected.connections[1]?.a ?? '?',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('takes a dropped file, and picks the connection the URL names', async () => {
    const bytes = twoConnections();
    const page = await web.open('?view=capture&conn=2');
    await page.evaluate(
      ([data]) => {
        const file = new File([new Uint8Array(data)], 'dropped.pcap');
        const dt = new DataTransfer();
        dt.items.add(file);
        const zone = document.querySelector('[data-dropzone]');
        zone?.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: dt }));
        zone?.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: dt }));
      },
      [[...bytes]] as const,
    );
    await page.waitForSelector('tr[data-conn="2"].chosen');
    await page.waitForSelector('html[data-status="done"]');
    expect(await page.textContent('.message')).toMatch(/^dropped\.pcap: pcap, /);
    expect(await page.textContent('#capture-conn-title')).toMatch(/^Connection 2: /);
    await page.close();
  }, 60_000);

  it('says where a damaged file stops, in one line with its byte offset, and shows what it read', async () => {
    const whole = renderPcap(simRun('normal-close', 7).packets);
    // Cut in the middle of a record: the reader stops there.
    const cut = whole.slice(0, whole.length - 30);
    const expected = analyzeCapture('cut.pcap', cut);
    expect(expected.problem).toBeDefined();
    const page = await web.open('?view=capture');
    await page.setInputFiles('input[name="capture"]', {
      name: 'cut.pcap',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(cut),
    });
    await page.waitForSelector('.error:not([hidden])');
    const line = await page.textContent('.error');
    expect(line).toBe(
      `cut.pcap: ${problemText(expected.problem ?? (undefined as never))} (the ${expected.counts.frames} frames before it are reported)`,
    );
    expect(line).toMatch(/at byte \d+/);
    // One connection read before the cut: shown.
    expect(await page.locator('tr[data-conn]').count()).toBe(1);
    await page.waitForSelector('html[data-status="done"]');
    // Not a capture at all.
    await page.setInputFiles('input[name="capture"]', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello, this is not a capture\n'),
    });
    await page.waitForFunction(() =>
      document.querySelector('.error')?.textContent?.startsWith('notes.txt: at byte 0'),
    );
    expect(await page.locator('tr[data-conn]').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('writes screenshots: desktop and phone width, light and dark, none wider than the window', async () => {
    const bytes = twoConnections();
    await screenshots('capture', async (size) => {
      const page = await withCapture(bytes, size);
      await page.click('tr[data-conn="1"] button');
      await page.waitForSelector('html[data-status="done"]');
      return page;
    });
  }, 120_000);

  // The first connection of the capture is normal-close (seed 7) as the wire tells it: a's
  // TIME_WAIT is its last state, since the capture ends before its 60 s.
  describe('its player, on normal-close read back from the wire', () => {
    playerTests({
      open: async () => {
        const page = await withCapture(twoConnections());
        await page.click('tr[data-conn="1"] button');
        await page.waitForSelector('html[data-status="done"]');
        return page;
      },
      start: { a: 'CLOSED', b: 'LISTEN' },
      a: ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT'],
      b: ['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    });
  });
});
