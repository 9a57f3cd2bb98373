/**
 * The simulator view against `tcpstate web`, in headless Chromium: playing and stepping a run,
 * dropping a segment by clicking it, the YAML editor's mistakes at their line, the network
 * sliders and the URL, the keyboard; and screenshots (desktop and phone, light and dark).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import type { ScriptOverrides } from '../../src/scenario/script.js';
import type { Story } from '../../src/scenario/story.js';
import { Stack } from '../../src/stack/stack.js';
import { dropHook, parseDrops } from '../../src/web/model/drops.js';
import { hasChromium, skipReason } from '../support/chromium.js';
import {
  logOf,
  mkShots,
  type OpenOptions,
  SHOT_SIZES,
  SHOTS,
  screenshots,
  seriousViolations,
  useWebBrowser,
} from './page.js';
import { playerTests } from './player.js';
import { built } from './server.js';

const runnable = hasChromium && built;
const why = skipReason || (built ? '' : ' (skipped: run `npm run build` first)');

/** What `tcpstate sim normal-close --seed 7` says each side goes through (README, Web page). */
const A_NORMAL_CLOSE = ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSED'];
const B_NORMAL_CLOSE = ['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'];

/** The same run in Node: the story `tcpstate sim` tells, with the page's drop list applied. */
function nodeStory(scenario: string, seed: number, overrides: ScriptOverrides = {}, drop = '') {
  const script = findBuiltin(scenario);
  if (!script) throw new Error(`no scenario ${scenario}`);
  return runScenario(script, {
    seed,
    overrides,
    makeStack: (o) => new Stack(o),
    onNetwork: dropHook(parseDrops(drop)),
  }).story;
}

const transitionsOf = (story: Story) =>
  story.events.flatMap((e) =>
    e.type === 'state' ? [{ side: e.side, from: e.from, to: e.to, cause: e.cause ?? '' }] : [],
  );

const segmentsOf = (story: Story) => {
  const count = { a: 0, b: 0 };
  return story.events.flatMap((e) =>
    e.type === 'segment'
      ? [{ segment: `${e.from}${++count[e.from]}`, flags: e.flags, fate: e.fate }]
      : [],
  );
};

describe.skipIf(!runnable)(`the simulator view${why}`, () => {
  const web = useWebBrowser();
  const open = (path: string, options: OpenOptions = {}) => web.open(path, options);
  /** Opens the page's own link again and plays it to the end. */
  const replayed = async (page: Page) => {
    const again = await open(new URL(page.url()).search);
    await toEnd(again);
    return again;
  };

  const segmentsOn = (page: Page) =>
    page.$$eval('.sequence [data-segment]', (gs) =>
      gs.map((g) => ({
        segment: g.getAttribute('data-segment'),
        flags: g.getAttribute('data-flags'),
        fate: g.getAttribute('data-fate'),
      })),
    );
  const status = (page: Page) => page.getAttribute('html', 'data-status');
  const search = async (page: Page) =>
    Object.fromEntries(new URL(page.url()).searchParams) as Record<string, string>;
  const toEnd = async (page: Page) => {
    if ((await status(page)) !== 'done') await page.click('[data-action="end"]');
    await page.waitForSelector('html[data-status="done"]');
  };
  /** Waits until the page's URL has (or, with `has` false, lacks) this text. */
  const urlHas = (page: Page, text: string, has = true) =>
    page.waitForFunction(
      ([t, want]) =>
        (globalThis as unknown as { location: { search: string } }).location.search.includes(t) ===
        want,
      [text, has] as const,
    );

  describe('its player, on normal-close (seed 7)', () => {
    playerTests({
      open: () => open('?view=sim&scenario=normal-close&seed=7'),
      start: { a: 'CLOSED', b: 'LISTEN' },
      a: A_NORMAL_CLOSE,
      b: B_NORMAL_CLOSE,
      transitions: transitionsOf(nodeStory('normal-close', 7)),
    });
  });

  it('marks the transition just taken with its cause, and explains the state', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    // Up to a's first transition: CLOSED -> SYN_SENT on connect().
    while ((await logOf(page)).length === 0) await page.click('[data-action="forward"]');
    const edge = page.locator('[data-diagram="a"] .edge-lit');
    expect(await edge.getAttribute('data-from')).toBe('CLOSED');
    expect(await edge.getAttribute('data-to')).toBe('SYN_SENT');
    expect(await page.textContent('[data-diagram="a"] text.cause')).toBe('connect()');
    expect(await page.textContent('[data-explain="a"] h3')).toBe('a: SYN_SENT');
    expect(await page.textContent('[data-explain="a"] .why')).toMatch(/connect\(\)/);
    await page.selectOption('select[name="lang"]', 'pt');
    expect(await page.textContent('[data-explain="a"] .why')).toMatch(/^Por quê: a aplicação/);
    expect((await search(page)).lang).toBe('pt');
    await page.close();
  });

  it('drops a’s last ACK when it is clicked: b retransmits its FIN, a’s TIME_WAIT acknowledges it', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    const before = await segmentsOn(page);
    expect(before).toEqual(segmentsOf(nodeStory('normal-close', 7)));
    const lastAck = before.filter((s) => s.segment?.startsWith('a')).at(-1);
    expect(lastAck?.flags).toBe('ACK');
    await page.click(`.sequence [data-segment="${lastAck?.segment}"] .hit`, { force: true });
    await urlHas(page, `drop=${lastAck?.segment}`);
    const drop = (await search(page)).drop ?? '';
    expect(drop).toBe(lastAck?.segment);
    // Shown just after the dropped segment, which is now lost.
    expect(await page.getAttribute(`.sequence [data-segment="${drop}"]`, 'data-fate')).toBe('lost');
    expect(await page.textContent('.now')).toMatch(/ACK .*\[lost\]/);
    await toEnd(page);
    const story = nodeStory('normal-close', 7, {}, drop);
    expect(await segmentsOn(page)).toEqual(segmentsOf(story));
    expect(await logOf(page)).toEqual(transitionsOf(story));
    const after = await segmentsOn(page);
    const bFins = after.filter((s) => s.segment?.startsWith('b') && s.flags?.includes('FIN'));
    expect(bFins).toHaveLength(2);
    // a answers the second FIN: one more ACK than before, after the lost one.
    const aAfter = after.filter((s) => s.segment?.startsWith('a'));
    expect(aAfter.at(-1)).toMatchObject({ flags: 'ACK', fate: 'delivered' });
    const log = await logOf(page);
    expect(log.filter((e) => e.side === 'b').map((e) => e.to)).toEqual(B_NORMAL_CLOSE);
    expect(log.filter((e) => e.side === 'a').map((e) => e.to)).toEqual(A_NORMAL_CLOSE);
    // The link replays the same run; clicking the dropped segment again delivers it.
    const again = await replayed(page);
    expect(await segmentsOn(again)).toEqual(after);
    await again.click(`.sequence [data-segment="${drop}"] .hit`, { force: true });
    await urlHas(again, 'drop=', false);
    await toEnd(again);
    expect(await segmentsOn(again)).toEqual(before);
    await again.close();
    await page.close();
  });

  it('zooms and pans the sequence diagram (buttons, keys), and a click on a zoomed segment still drops it', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    const width = () =>
      page.$eval('.sequence svg', (svg) => (svg as SVGSVGElement).getBoundingClientRect().width);
    const natural = await width();
    await page.click('button[aria-label="zoom in"]');
    expect(await page.getAttribute('.sequence-panel', 'data-zoom')).toBe('1.25');
    expect(await width()).toBeCloseTo(natural * 1.25, 0);
    await page.focus('.sequence');
    await page.keyboard.press('+');
    expect(await page.getAttribute('.sequence-panel', 'data-zoom')).toBe('1.563');
    expect(await page.textContent('.seq-zoom .zoom-level')).toBe('156%');
    await page.keyboard.press('0');
    expect(await page.getAttribute('.sequence-panel', 'data-zoom')).toBe('1');
    await page.click('button[aria-label="zoom out"]');
    expect(await width()).toBeCloseTo(natural / 1.25, 0);
    // Zoomed out, the first segment is still a click target for a drop.
    const first = (await segmentsOn(page))[0]?.segment;
    await page.click(`.sequence [data-segment="${first}"] .hit`, { force: true });
    await urlHas(page, `drop=${first}`);
    await page.close();
  });

  it('drops the segment just played with the keyboard', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    // The first event with a segment: a's SYN.
    while (await page.isHidden('[data-action="drop"]')) await page.keyboard.press('ArrowRight');
    await page.focus('[data-action="drop"]');
    await page.keyboard.press('Enter');
    await urlHas(page, `drop=a1`);
    await toEnd(page);
    expect(await segmentsOn(page)).toEqual(segmentsOf(nodeStory('normal-close', 7, {}, 'a1')));
    await page.close();
  });

  it('shows a YAML mistake at its line, and runs the edited text', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    await page.click('.editor summary');
    const bad = 'name: mine\nsteps:\n  - b: listen\n  - a: connect\n  - a: jump\n';
    await page.fill('textarea[name="yaml"]', bad);
    await page.click('button[type="submit"]');
    await page.waitForSelector('.editor-error:not([hidden])');
    expect(await page.textContent('.editor-error')).toMatch(
      /^Line 5: step 3\.a: unknown call 'jump'/,
    );
    expect(await page.textContent('.gutter .bad')).toBe('5\n');
    expect(await page.getAttribute('textarea[name="yaml"]', 'aria-invalid')).toBe('true');
    expect(await page.isVisible('.line-mark')).toBe(true);
    await page.fill('textarea[name="yaml"]', 'steps:\n  - b: listen\n  - a: [connect\n');
    await page.keyboard.press('Control+Enter');
    expect(await page.textContent('.editor-error')).toMatch(/^Line 4: not valid YAML/);
    // Fixed: b never closes, so it stays in CLOSE_WAIT (the edited text is what runs).
    const mine = [
      'name: mine',
      'steps:',
      '  - b: listen',
      '  - a: connect',
      '  - wait: { b: ESTABLISHED }',
      '  - a: close',
      '  - wait: 500',
    ].join('\n');
    await page.fill('textarea[name="yaml"]', mine);
    await page.click('button[type="submit"]');
    await page.waitForSelector('.editor-error', { state: 'hidden' });
    expect(await page.getAttribute('textarea[name="yaml"]', 'aria-invalid')).toBeNull();
    await toEnd(page);
    const log = await logOf(page);
    expect(log.filter((e) => e.side === 'b').map((e) => e.to)).toEqual([
      'SYN_RECV',
      'ESTABLISHED',
      'CLOSE_WAIT',
    ]);
    expect((await search(page)).yaml).toBe(mine);
    // The link opens the editor with that text and replays it.
    const again = await replayed(page);
    expect(await again.inputValue('textarea[name="yaml"]')).toBe(mine);
    expect(await logOf(again)).toEqual(log);
    await again.close();
    await page.close();
  });

  it('plays a family: ipv6 scenario: the IPv4 run’s transitions, sides captioned fd00::1 and fd00::2', async () => {
    const yaml = [
      'name: six',
      'family: ipv6',
      'steps:',
      '  - b: listen',
      '  - a: connect',
      '  - wait: { b: ESTABLISHED }',
      '  - a: close',
      '  - wait: { b: CLOSE_WAIT }',
      '  - b: close',
      '  - wait: 61000',
    ].join('\n');
    const page = await open(`?view=sim&seed=7&yaml=${encodeURIComponent(yaml)}`);
    await toEnd(page);
    const log = await logOf(page);
    expect(log.filter((e) => e.side === 'a').map((e) => e.to)).toEqual(A_NORMAL_CLOSE);
    expect(log.filter((e) => e.side === 'b').map((e) => e.to)).toEqual(B_NORMAL_CLOSE);
    expect(await page.textContent('[data-diagram="a"] figcaption')).toContain('a (fd00::1)');
    expect(await page.textContent('[data-diagram="b"] figcaption')).toContain('b (fd00::2)');
    expect((await segmentsOn(page)).length).toBeGreaterThanOrEqual(7);
    await page.close();
  });

  it('says when a run stopped before its script ended', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    expect(await page.isHidden('.ended')).toBe(true);
    await page.click('.editor summary');
    // Nothing ever closes a: the wait can never end.
    const stuck =
      'steps:\n  - b: listen\n  - a: connect\n  - wait: { a: FIN_WAIT2 }\n  - a: close\n';
    await page.fill('textarea[name="yaml"]', stuck);
    await page.click('button[type="submit"]');
    expect(await page.textContent('.ended')).toMatch(/^The run stopped early: a wait step/);
    await toEnd(page);
    expect((await logOf(page)).map((e) => e.to)).toEqual([
      'SYN_SENT',
      'SYN_RECV',
      'ESTABLISHED',
      'ESTABLISHED',
    ]);
    await page.close();
  });

  it('re-runs when a slider or the seed changes, and keeps them in the URL', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    expect(await page.inputValue('input[name="latency"]')).toBe('10');
    await page.fill('input[name="latency"]', '100');
    await urlHas(page, `latency=100`);
    await toEnd(page);
    const slow = nodeStory('normal-close', 7, { latency: 100 });
    expect(await logOf(page)).toEqual(transitionsOf(slow));
    // a's connection is established after one round trip of 2 × 100 ms.
    expect(await page.textContent('.log li[data-side="a"][data-to="ESTABLISHED"] .t')).toBe(
      '200 ms',
    );
    await page.fill('input[name="loss"]', '0.3');
    await urlHas(page, `loss=0.3`);
    await page.fill('input[name="seed"]', '11');
    await urlHas(page, `seed=11`);
    await toEnd(page);
    const lossy = nodeStory('normal-close', 11, { latency: 100, loss: 0.3 });
    expect(await segmentsOn(page)).toEqual(segmentsOf(lossy));
    expect(await logOf(page)).toEqual(transitionsOf(lossy));
    expect(await search(page)).toMatchObject({ latency: '100', loss: '0.3', seed: '11' });
    // A segment the network lost already cannot be dropped: the page says so and runs nothing.
    const lost = segmentsOf(lossy).find((x) => x.fate === 'lost');
    expect(lost).toBeDefined();
    await page.click(`.sequence [data-segment="${lost?.segment}"] .hit`, { force: true });
    expect(await page.textContent('.now')).toMatch(/was lost on the wire already/);
    expect((await search(page)).drop).toBeUndefined();
    // Another seed: a new one in the field and the URL, and the run is that seed's.
    await page.click('text=Another seed');
    await urlHas(page, 'seed=11&', false);
    const drawn = Number(await page.inputValue('input[name="seed"]'));
    expect((await search(page)).seed).toBe(String(drawn));
    await toEnd(page);
    expect(await logOf(page)).toEqual(
      transitionsOf(nodeStory('normal-close', drawn, { latency: 100, loss: 0.3 })),
    );
    // Back to the scenario's own network: the overrides leave the URL.
    await page.click('text=Scenario’s network');
    await urlHas(page, 'loss=', false);
    expect(await page.inputValue('input[name="loss"]')).toBe('0');
    await page.close();
  });

  it('is operated by keyboard: Space plays and pauses, arrows step, End and Home jump', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    const step = async () => Number(await page.inputValue('input[name="scrubber"]'));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(2);
    await page.keyboard.press('ArrowLeft');
    expect(await step()).toBe(1);
    await page.keyboard.press('End');
    expect(await status(page)).toBe('done');
    await page.keyboard.press('Home');
    expect(await step()).toBe(0);
    await page.keyboard.press(' ');
    expect(await status(page)).toBe('playing');
    await page.keyboard.press(' ');
    expect(await status(page)).toBe('ready');
    // In the editor's disclosure, Space opens it and plays nothing.
    await page.focus('.editor summary');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('.editor', 'open')).toBe('');
    expect(await status(page)).toBe('ready');
    // In the editor, keys are text.
    const at = await step();
    await page.focus('textarea[name="yaml"]');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    expect(await step()).toBe(at);
    // Every control of the player has a name, and focus is drawn.
    for (const action of ['first', 'back', 'play', 'forward', 'end']) {
      expect(await page.getAttribute(`[data-action="${action}"]`, 'aria-label')).toBeTruthy();
    }
    await page.focus('[data-action="forward"]');
    const outline = await page.$eval('[data-action="forward"]', (el) => {
      const style = (
        globalThis as unknown as {
          getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string };
        }
      ).getComputedStyle(el);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).not.toMatch(/^none/);
    await page.close();
  });

  it('tells other panels of each run and each event, and holds a place for the graphs', async () => {
    const page = await open('?view=sim&scenario=normal-close&seed=7');
    expect(await page.getAttribute('#sim-graphs', 'aria-label')).toBeTruthy();
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        seen: string[];
        document: { addEventListener(t: string, f: (e: { detail: never }) => void): void };
      };
      g.seen = [];
      g.document.addEventListener('sim:run', (e: { detail: { story: Story } }) =>
        g.seen.push(`run ${e.detail.story.events.length}`),
      );
      g.document.addEventListener('sim:frame', (e: { detail: { step: number; time: number } }) =>
        g.seen.push(`frame ${e.detail.step} ${e.detail.time}`),
      );
    });
    await page.click('[data-action="forward"]');
    await page.fill('input[name="seed"]', '8');
    // The seed's field waits a moment before it re-runs (a typed number comes digit by digit).
    await page.waitForFunction(
      () => (globalThis as unknown as { seen: string[] }).seen.length >= 3,
    );
    const seen = await page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
    const story = nodeStory('normal-close', 8);
    expect(seen).toEqual([
      'frame 1 0',
      `run ${story.events.length}`,
      // The new run is shown at the same event.
      'frame 1 0',
    ]);
    await page.close();
  });

  it('has no serious accessibility violation, editor open with a mistake, light and dark', async () => {
    for (const dark of [false, true]) {
      const page = await open('?view=sim&scenario=lost-last-ack&seed=7&step=12', { dark });
      await page.click('.editor summary');
      await page.fill('textarea[name="yaml"]', 'steps:\n  - b: listen\n  - a: jump\n');
      await page.click('button[type="submit"]');
      expect(await seriousViolations(page)).toEqual([]);
    }
  });

  it('writes screenshots: desktop and phone width, light and dark, none wider than the window', async () => {
    await screenshots('sim', (size) =>
      open('?view=sim&scenario=lost-last-ack&seed=7&step=25', size),
    );
    // The editor with a mistake marked at its line.
    mkShots();
    for (const size of SHOT_SIZES) {
      const page = await open('?view=sim&scenario=lost-last-ack&seed=7&step=25', size);
      await page.click('.editor summary');
      await page.fill('textarea[name="yaml"]', 'steps:\n  - b: listen\n  - a: jump\n');
      await page.click('button[type="submit"]');
      await page.locator('.inputs').screenshot({ path: `${SHOTS}sim-editor-${size.name}.png` });
      await page.close();
    }
  });
});
