/**
 * The transitions table (src/state/transitions.ts) against the engine: every (from, to, cause)
 * the engine emits in any scenario must be a row of the table, and every row must be reached by
 * some scenario or say why the simulation cannot show it.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS } from '../../src/scenario/builtin.js';
import type { Script, Step } from '../../src/scenario/script.js';
import { findTransition, TRANSITIONS } from '../../src/state/transitions.js';
import { haveStack, run } from './helpers.js';

const NET = { latency: 10, jitter: 0, loss: 0, duplicate: 0, reorder: 0 };
const OPEN: Step[] = [
  { side: 'b', call: 'listen' },
  { side: 'a', call: 'connect' },
  { waitFor: { side: 'a', state: 'ESTABLISHED' } },
  { waitFor: { side: 'b', state: 'ESTABLISHED' } },
  { wait: 100 },
];
const A_CLOSED: Step = { waitFor: { side: 'a', state: 'CLOSED' } };
const B_CLOSED: Step = { waitFor: { side: 'b', state: 'CLOSED' } };

function s(name: string, steps: Step[], extra: Partial<Script> = {}): Script {
  return { name, description: name, port: 80, network: NET, settle: 1000, steps, ...extra };
}

// Short scripts for the transitions the built-in stories do not go through.
const EXTRA: Script[] = [
  s('close in SYN_SENT', [
    { partition: 'both' },
    { side: 'a', call: 'connect' },
    { wait: 10 },
    { side: 'a', call: 'close' },
  ]),
  s('abort in SYN_SENT', [
    { partition: 'both' },
    { side: 'a', call: 'connect' },
    { wait: 10 },
    { side: 'a', call: 'abort' },
  ]),
  s('user timeout in SYN_SENT', [{ partition: 'both' }, { side: 'a', call: 'connect' }, A_CLOSED], {
    userTimeout: 5000,
  }),
  s('RST in SYN_RECV', [
    { side: 'b', call: 'listen' },
    { side: 'a', call: 'connect' },
    { wait: 5 },
    { side: 'a', call: 'abort' },
    { wait: 100 },
  ]),
  s('SYN,ACK retries in SYN_RECV', [
    { side: 'b', call: 'listen' },
    { side: 'a', call: 'connect' },
    { wait: 1 },
    { partition: 'a->b' },
    B_CLOSED,
  ]),
  s('data retries in ESTABLISHED', [
    ...OPEN,
    { partition: 'both' },
    { side: 'a', call: 'send', bytes: 100 },
    A_CLOSED,
  ]),
  s(
    'user timeout in ESTABLISHED',
    [...OPEN, { partition: 'both' }, { side: 'a', call: 'send', bytes: 100 }, A_CLOSED],
    {
      userTimeout: 5000,
    },
  ),
  s('RST in FIN_WAIT1', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { side: 'b', call: 'abort' },
    A_CLOSED,
  ]),
  s('abort in FIN_WAIT1', [
    ...OPEN,
    { partition: 'both' },
    { side: 'a', call: 'close' },
    { side: 'a', call: 'abort' },
  ]),
  s('FIN retries in FIN_WAIT1', [
    ...OPEN,
    { partition: 'both' },
    { side: 'a', call: 'close' },
    A_CLOSED,
  ]),
  s(
    'user timeout in FIN_WAIT1',
    [...OPEN, { partition: 'both' }, { side: 'a', call: 'close' }, A_CLOSED],
    {
      userTimeout: 5000,
    },
  ),
  s('data after close() in FIN_WAIT1', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { side: 'b', call: 'send', bytes: 100 },
    A_CLOSED,
  ]),
  s('FIN and ACK together in FIN_WAIT1', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { wait: 1 },
    { drop: { from: 'b', flags: ['ACK'], count: 1 } },
    { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
    { side: 'b', call: 'close' },
    A_CLOSED,
  ]),
  s('RST and abort in FIN_WAIT2, CLOSE_WAIT, LAST_ACK', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { waitFor: { side: 'a', state: 'FIN_WAIT2' } },
    { side: 'b', call: 'close' },
    { wait: 1 },
    { side: 'a', call: 'abort' },
    B_CLOSED,
  ]),
  s('RST in FIN_WAIT2 and CLOSE_WAIT abort', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { waitFor: { side: 'a', state: 'FIN_WAIT2' } },
    { side: 'b', call: 'abort' },
    A_CLOSED,
  ]),
  s('data after close() in FIN_WAIT2', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { waitFor: { side: 'a', state: 'FIN_WAIT2' } },
    { side: 'b', call: 'send', bytes: 100 },
    A_CLOSED,
  ]),
  s(
    'keepalive in FIN_WAIT2 and CLOSE_WAIT',
    [
      ...OPEN,
      { side: 'a', call: 'shutdown' },
      { waitFor: { side: 'a', state: 'FIN_WAIT2' } },
      { partition: 'both' },
      A_CLOSED,
    ],
    { keepalive: { idle: 5000, interval: 1000, count: 3 } },
  ),
  s(
    'keepalive in CLOSE_WAIT',
    [
      ...OPEN,
      { side: 'b', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSE_WAIT' } },
      { partition: 'both' },
      A_CLOSED,
    ],
    { keepalive: { idle: 5000, interval: 1000, count: 3 } },
  ),
  s('data retries in CLOSE_WAIT', [
    ...OPEN,
    { side: 'b', call: 'close' },
    { waitFor: { side: 'a', state: 'CLOSE_WAIT' } },
    { partition: 'both' },
    { side: 'a', call: 'send', bytes: 100 },
    A_CLOSED,
  ]),
  s(
    'user timeout in CLOSE_WAIT',
    [
      ...OPEN,
      { side: 'b', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSE_WAIT' } },
      { partition: 'both' },
      { side: 'a', call: 'send', bytes: 100 },
      A_CLOSED,
    ],
    { userTimeout: 5000 },
  ),
  s('shutdown in CLOSE_WAIT', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
    { side: 'b', call: 'shutdown' },
    B_CLOSED,
  ]),
  s('FIN retries in LAST_ACK', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
    { partition: 'both' },
    { side: 'b', call: 'close' },
    B_CLOSED,
  ]),
  s('FIN retries in CLOSING', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { side: 'b', call: 'close' },
    { wait: 5 },
    { partition: 'both' },
    A_CLOSED,
  ]),
  s('RST in CLOSING', [
    ...OPEN,
    { side: 'a', call: 'close' },
    { side: 'b', call: 'close' },
    { wait: 1 },
    { drop: { from: 'b', flags: ['ACK'], count: 1 } },
    { wait: 14 },
    { side: 'b', call: 'abort' },
    A_CLOSED,
  ]),
];

describe.skipIf(!haveStack)(
  'transitions table vs the engine (skipped: no Stack in this build)',
  () => {
    const seen = new Map<string, string>();
    const stories = haveStack
      ? [...BUILTIN_SCRIPTS, ...EXTRA].map((script) => ({ script, story: run(script).story }))
      : [];

    it('every transition the engine emitted is a row of the table', () => {
      for (const { script, story } of stories) {
        for (const e of story.events) {
          if (e.type !== 'state') continue;
          const row = findTransition(e.from, e.to, e.cause);
          expect(row, `${script.name}: ${e.side} ${e.from} -> ${e.to} (${e.cause})`).toBeDefined();
          seen.set(`${e.from} ${e.to} ${e.cause}`, script.name);
        }
      }
    });

    it('every row of the table is reached by some scenario, or says why it cannot be', () => {
      const missing = TRANSITIONS.filter(
        (t) => t.notInSimulation === undefined && !seen.has(`${t.from} ${t.to} ${t.cause}`),
      ).map((t) => `${t.from} -> ${t.to} (${t.cause})`);
      expect(missing).toEqual([]);
    });
  },
);
