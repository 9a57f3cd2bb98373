import { beforeAll, describe, expect, it } from 'vitest';
import { findBuiltin } from '../../src/scenario/builtin.js';
import {
  challengeAckBound,
  FLOOD_CONNECT_TARGET_MS,
  storyReport,
} from '../../src/scenario/report.js';
import type { RunResult } from '../../src/scenario/runner.js';
import type { Script } from '../../src/scenario/script.js';
import { type Story, stateSequence } from '../../src/scenario/story.js';
import { haveStack, run } from './helpers.js';

function builtin(name: string): Script {
  const s = findBuiltin(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

function notes(story: Story, pattern: RegExp): number {
  return story.events.filter((e) => e.type === 'note' && pattern.test(e.text)).length;
}

function intact(story: Story): boolean {
  const s = story.streams['a->b'];
  return s.sent > 0 && s.received === s.sent && s.sha256Received === s.sha256Sent;
}

function waitToEstablish(story: Story): number | undefined {
  const c = story.attack?.client;
  return c?.establishedAt === undefined ? undefined : c.establishedAt - c.connectAt;
}

describe.skipIf(!haveStack)('syn-flood (skipped: no Stack in this build)', () => {
  let cookies: RunResult | undefined;
  let off: RunResult | undefined;
  beforeAll(() => {
    cookies = run(builtin('syn-flood'));
    off = run(builtin('syn-flood'), 1, { synCookies: 'off' });
  });

  it('with SYN cookies, a connects within 1 s of connect() under 10,000 SYN/s, bytes intact', () => {
    if (!cookies) throw new Error('no run');
    const { story, ended } = cookies;
    expect(ended).toBe('settled');
    const flood = story.attack?.flood;
    expect(flood?.rate).toBe(10_000);
    expect(flood?.spoofedSyns).toBe(50_000);
    // the queue filled, then b answered with cookies and kept no state for them
    expect(flood?.synQueuePeak).toBe(flood?.backlog);
    expect(flood?.cookieSynAcks).toBeGreaterThan(40_000);
    expect(flood?.cookieConnections).toBe(1);
    expect(flood?.drops['syn-queue-full'] ?? 0).toBe(0);
    // memory: b never holds more than the backlog plus a's connection
    expect(flood?.connectionsPeak).toBeLessThanOrEqual((flood?.backlog ?? 0) + 1);
    expect(waitToEstablish(story)).toBeLessThanOrEqual(FLOOD_CONNECT_TARGET_MS);
    expect(notes(story, /SYN,ACK with a SYN cookie/)).toBe(1);
    expect(intact(story)).toBe(true);
    expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
  });

  it('tells a and b only: no spoofed half-open in b’s lane, no backscatter segment', () => {
    if (!cookies) throw new Error('no run');
    const { story } = cookies;
    expect(stateSequence(story, 'b')).toEqual([
      'LISTEN',
      'SYN_RECV',
      'ESTABLISHED',
      'CLOSE_WAIT',
      'LAST_ACK',
      'CLOSED',
    ]);
    const segments = story.events.filter((e) => e.type === 'segment');
    expect(segments.length).toBeLessThan(100);
    expect(story.attack?.flood?.backscatter).toBeGreaterThan(40_000);
  });

  it('with SYN cookies off, a’s SYNs are dropped until the half-opens expire (~63 s)', () => {
    if (!off) throw new Error('no run');
    const { story } = off;
    const flood = story.attack?.flood;
    expect(flood?.cookieSynAcks).toBe(0);
    expect(flood?.drops['syn-queue-full']).toBeGreaterThan(40_000);
    expect(waitToEstablish(story)).toBeGreaterThan(30_000);
    expect(notes(story, /a’s SYN dropped/)).toBeGreaterThan(0);
    expect(intact(story)).toBe(true);
    expect(storyReport(story).join('\n')).toMatch(/target within 1000 ms: NOT met/);
  });

  it('--rate: a flood below what fills the queue draws no cookie', () => {
    const { story } = run(builtin('syn-flood'), 1, { rate: 200 });
    expect(story.attack?.flood?.spoofedSyns).toBe(1000);
    expect(story.attack?.flood?.synQueuePeak).toBeLessThan(story.attack?.flood?.backlog ?? 0);
    expect(story.attack?.flood?.cookieSynAcks).toBe(0);
    expect(waitToEstablish(story)).toBe(20);
  });
});

describe.skipIf(!haveStack)('blind-reset (skipped: no Stack in this build)', () => {
  it('0 resets, challenge ACKs within the limit and each shown, data intact', () => {
    const { story, ended } = run(builtin('blind-reset'));
    expect(ended).toBe('settled');
    const blind = story.attack?.blind;
    expect(blind?.sent).toEqual({ RST: 1000, SYN: 1000 });
    expect(blind?.inWindow).toBe(10);
    expect(blind?.resets).toBe(0);
    expect(blind?.challengeAcks).toBeGreaterThan(0);
    expect(blind?.challengeAcks).toBeLessThanOrEqual(
      challengeAckBound(blind?.challengeAckLimit ?? 0, blind?.duration ?? 0),
    );
    expect(notes(story, /^challenge ACK/)).toBe(blind?.challengeAcks);
    expect(notes(story, /out-of-window guess/)).toBe(blind?.outOfWindowAcks);
    // thousands of guesses, a handful of answers
    expect((blind?.outOfWindowAcks ?? 0) + (blind?.challengeAcks ?? 0)).toBeLessThan(40);
    expect(intact(story)).toBe(true);
    expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
    expect(stateSequence(story, 'a')).not.toContain('SYN_RECV');
    expect(storyReport(story).join('\n')).toMatch(/resets: 0 \(target 0: met\)/);
  });

  it('survives with its bytes intact when the path between a and b is lossy too', () => {
    const { story, ended } = run(builtin('blind-reset'), 9, {
      loss: 0.3,
      duplicate: 0.2,
      reorder: 0.2,
      jitter: 20,
    });
    expect(ended).toBe('settled');
    expect(story.attack?.blind?.resets).toBe(0);
    expect(intact(story)).toBe(true);
    expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
  });

  it('--count changes how many guesses are sent', () => {
    const { story } = run(builtin('blind-reset'), 1, { count: 100 });
    expect(story.attack?.blind?.sent).toEqual({ RST: 100, SYN: 100 });
    expect(story.attack?.blind?.resets).toBe(0);
  });
});

describe.skipIf(!haveStack)('a run is never reported final with a retransmission pending', () => {
  // Found by searching seeds: a's last ACK and its repeats are lost, b's FIN retransmissions
  // back off past a's TIME_WAIT, so b was still in LAST_ACK when the settling time ran out.
  // (seed 61 until CUBIC became the default controller; 182 found the same way since)
  const seed = 182;
  const lossy = { loss: 0.2 };

  it('runs on past the settling time until b’s FIN retransmission is answered', () => {
    const { story, ended } = run(builtin('normal-close'), seed, lossy);
    expect(ended).toBe('settled');
    expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
    expect(story.end?.pending).toEqual([]);
    // b's LAST_ACK lasted past a's TIME_WAIT (the case the settling time used to cut)
    const aClosed = story.events.find(
      (e) => e.type === 'state' && e.side === 'a' && e.to === 'CLOSED',
    );
    const bClosed = story.events.find(
      (e) => e.type === 'state' && e.side === 'b' && e.to === 'CLOSED',
    );
    expect(bClosed?.time).toBeGreaterThan((aClosed?.time ?? 0) + 1000);
  });

  it('says so, with what was pending, when a bound cuts it', () => {
    const { story, ended } = run(builtin('normal-close'), seed, lossy, { maxTime: 62_000 });
    expect(ended).toBe('time-limit');
    expect(story.final.b).toBe('LAST_ACK');
    expect(story.end?.pending).toEqual([
      expect.objectContaining({ side: 'b', state: 'LAST_ACK', timer: 'retransmit' }),
    ]);
    expect(notes(story, /^run cut \(time-limit\): b in LAST_ACK, retransmit timer/)).toBe(1);
    expect(storyReport(story).join('\n')).toMatch(/run cut at \d+ ms \(time-limit\)/);
  });
});
