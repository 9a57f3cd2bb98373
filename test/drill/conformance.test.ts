/**
 * FreeBSD's TCP state-event-engine suite (../shared/conformance, 307 packetdrill scripts) run
 * against tcpstate's stack by the drill runner, for the scripts' STANDARD branches. Prints the
 * pass count; requires every script to run (none unsupported), at least 95% to pass, and the
 * failures to be exactly the documented ones (known-failures.ts).
 */
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import { findTransition } from '../../src/state/transitions.js';
import { countLine, playSuite } from './freebsd-suite.js';
import { KNOWN_FAILURES } from './known-failures.js';

const { suite: SUITE, present, files, read, reports, summary } = playSuite('state-event-engine');

describe.skipIf(!present)(`FreeBSD state-event-engine suite (${SUITE})`, () => {
  console.log(
    `conformance (FreeBSD state-event-engine, STANDARD branches): ${countLine(summary, files.length)}; relaxed: ${Object.entries(
      summary.relaxations,
    )
      .map(([check, { count }]) => `${check} (${count})`)
      .join(', ')}`,
  );

  it('has its 307 IPv4 scripts', () => {
    expect(files).toHaveLength(307);
  });

  it('runs every script: nothing unsupported', () => {
    const unsupported = reports.filter((r) => r.result.outcome.status === 'unsupported');
    expect(unsupported.map((r) => `${r.file}: ${JSON.stringify(r.result.outcome)}`)).toEqual([]);
  });

  it('passes at least 95% of them', () => {
    expect(summary.passed / files.length).toBeGreaterThanOrEqual(0.95);
  });

  it('fails exactly the scripts whose FreeBSD-specific expectation departs from RFC 9293', () => {
    const failed = reports
      .filter((r) => r.result.outcome.status === 'fail')
      .map((r) => `${r.file}: ${JSON.stringify(r.result.outcome)}`);
    const known = Object.keys(KNOWN_FAILURES).sort();
    expect(failed.map((f) => f.slice(0, f.indexOf(': ')))).toEqual(known);
  });

  it('uses no relaxation beyond the FIN repeated on an ACK, each in CLOSING scripts', () => {
    expect(Object.keys(summary.relaxations)).toEqual(['FIN repeated on an ACK']);
    for (const r of reports) {
      if (r.result.relaxations.length > 0) expect(r.file).toMatch(/-closing\//);
    }
  });

  it('makes only transitions of the RFC 9293 table (src/state/transitions.ts)', () => {
    const strays: string[] = [];
    for (const { file, result } of reports) {
      for (const t of result.transitions) {
        if (findTransition(t.from, t.to, t.cause) === undefined) {
          strays.push(`${file}: ${t.from} -> ${t.to} (${t.cause})`);
        }
      }
    }
    expect(strays).toEqual([]);
  });

  it('played for its FreeBSD branches (-D FreeBSD, FreeBSD extensions on) fails only where RFC 9293 wants an RST', () => {
    const freebsd = new Set(['FreeBSD']);
    const failed = files.filter(
      (f) => runScriptText(read(f), { defines: freebsd }).outcome.status !== 'pass',
    );
    expect(failed).toEqual(
      Object.keys(KNOWN_FAILURES).filter((f) => f.startsWith('rcv-syn-ack-listen/')),
    );
  });

  it('gives the same results run again (deterministic, virtual time)', () => {
    const again = files.slice(0, 40).map((f) => runScriptText(read(f)));
    expect(again).toEqual(reports.slice(0, 40).map((r) => r.result));
  });
});
