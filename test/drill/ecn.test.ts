/**
 * ECN (RFC 3168, src/tcp/ecn.ts) through the runner: the own scripts ecn-passive.pkt and
 * ecn-active.pkt pass (own-scripts.test.ts); here each ECN expectation in them is changed and
 * must fail at its line, and tcp_ecn=0 turns negotiation off.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';

const read = (name: string) =>
  readFileSync(join(import.meta.dirname, 'scripts', 'linux', name), 'utf8');
const lineOf = (text: string, part: string) =>
  text.split('\n').findIndex((l) => l.includes(part)) + 1;

/** The script with `from` replaced by `to` on its line: it must fail at that line. */
function changed(text: string, from: string, to: string) {
  const line = lineOf(text, from);
  expect(line).toBeGreaterThan(0);
  return { line, outcome: runScriptText(text.replace(from, to)).outcome };
}

describe('ECN in the runner and the stack', () => {
  const passive = read('ecn-passive.pkt');
  const active = read('ecn-active.pkt');

  it.each([
    ['the SYN,ACK agrees', '> SE. 0:0(0)', '> S. 0:0(0)'],
    ['a CE mark is echoed', '> E. 1:1(0) ack 1001', '> . 1:1(0) ack 1001'],
    ['the echo lasts until CWR', '> E. 1:1(0) ack 2001', '> . 1:1(0) ack 2001'],
    ['new data is ECT(0)', '> [ect0] P. 1:10001', '> [noecn] P. 1:10001'],
    ['the segment after a reduction carries CWR', '> [ect0] PW.', '> [ect0] P.'],
  ])('%s (passive)', (_what, from, to) => {
    const { line, outcome } = changed(passive, from, to);
    expect(outcome).toMatchObject({ status: 'fail', line });
  });

  it('echoes nothing for data that was not CE-marked', () => {
    const text = passive.replace('< [ce] P. 1:1001', '< [ect0] P. 1:1001');
    expect(runScriptText(text).outcome).toMatchObject({
      status: 'fail',
      line: lineOf(passive, '> E. 1:1(0) ack 1001'),
    });
  });

  it.each([
    ['the SYN asks', '> SEW 0:0(0)', '> S 0:0(0)'],
    ['data after agreeing is ECT(0)', '> [ect0] P. 1:1001', '> [noecn] P. 1:1001'],
    ['no fallback SYN asks again', '+1 > S 0:0(0)', '+1 > SEW 0:0(0)'],
  ])('%s (active)', (_what, from, to) => {
    const { line, outcome } = changed(active, from, to);
    expect(outcome).toMatchObject({ status: 'fail', line });
  });

  it('agrees to nothing with tcp_ecn=0', () => {
    const off = passive.replace(
      '--tolerance_usecs=4000',
      '--tolerance_usecs=4000\n0 `sysctl -q net.ipv4.tcp_ecn=0`',
    );
    expect(runScriptText(off).outcome).toMatchObject({
      status: 'fail',
      line: lineOf(off, '> SE. 0:0(0)'),
      message: expect.stringMatching(/flags S\., expected S\.E/),
    });
  });
});
