/**
 * The simulator view's pure model (src/web/model/): the drop list and its hook on the
 * simulated network, the editor's text (a script written out and read back, mistakes at their
 * line) and the URL.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS, findBuiltin } from '../../src/scenario/builtin.js';
import { runScenario } from '../../src/scenario/runner.js';
import type { Script } from '../../src/scenario/script.js';
import type { SegmentEvent, Side, Story } from '../../src/scenario/story.js';
import { Stack } from '../../src/stack/stack.js';
import type { TcpState } from '../../src/state/states.js';
import {
  dropHook,
  formatDrops,
  indexOfRef,
  parseDrops,
  refAt,
  type SegmentRef,
  toggleDrop,
} from '../../src/web/model/drops.js';
import { simQueryOf, simQueryParams } from '../../src/web/model/query.js';
import { parseScenarioText, scriptToYaml } from '../../src/web/model/scenario-text.js';

function run(script: Script, seed: number, drops: SegmentRef[] = []): Story {
  return runScenario(script, { seed, makeStack: (o) => new Stack(o), onNetwork: dropHook(drops) })
    .story;
}

function normalClose(): Script {
  const s = findBuiltin('normal-close');
  if (!s) throw new Error('no normal-close');
  return s;
}

/** The state `side` was in at `time`, after every transition up to and including that instant. */
function stateAt(story: Story, side: Side, time: number): TcpState {
  let state: TcpState | undefined;
  for (const e of story.events) {
    if (e.type !== 'state' || e.side !== side) continue;
    if (state === undefined) state = e.from;
    if (e.time <= time) state = e.to;
  }
  return state ?? 'CLOSED';
}

const segments = (story: Story, side: Side) =>
  story.events.filter((e): e is SegmentEvent => e.type === 'segment' && e.from === side);

describe('the drop list', () => {
  it('reads and writes `a7,b3`, sorted, once each, ignoring junk', () => {
    expect(parseDrops('b3, a7,a7,x1,a0,b,a12')).toEqual([
      { side: 'a', n: 7 },
      { side: 'a', n: 12 },
      { side: 'b', n: 3 },
    ]);
    expect(formatDrops(parseDrops('b3,a7'))).toBe('a7,b3');
    expect(parseDrops(null)).toEqual([]);
    const once = toggleDrop([], { side: 'a', n: 2 });
    expect(once).toEqual([{ side: 'a', n: 2 }]);
    expect(toggleDrop(once, { side: 'a', n: 2 })).toEqual([]);
  });

  it('names each segment by its sender and count, and finds it again', () => {
    const story = run(normalClose(), 7);
    story.events.forEach((e, i) => {
      const ref = refAt(story, i);
      if (e.type !== 'segment') expect(ref).toBeUndefined();
      else {
        expect(ref?.side).toBe(e.from);
        expect(ref && indexOfRef(story, ref)).toBe(i);
      }
    });
    expect(
      refAt(
        story,
        story.events.findIndex((e) => e.type === 'segment'),
      ),
    ).toEqual({
      side: 'a',
      n: 1,
    });
  });

  it('loses exactly the segment named, and nothing else changes before it', () => {
    const plain = run(normalClose(), 7);
    const lastAck: SegmentRef = { side: 'a', n: segments(plain, 'a').length };
    const dropped = run(normalClose(), 7, [lastAck]);
    const at = indexOfRef(dropped, lastAck) ?? -1;
    expect(at).toBe(indexOfRef(plain, lastAck));
    expect(dropped.events.slice(0, at)).toEqual(plain.events.slice(0, at));
    const { arrival: _, ...unsent } = plain.events[at] as SegmentEvent;
    expect(dropped.events[at]).toEqual({ ...unsent, fate: 'lost' });
    // The other segments were all delivered, as without the drop.
    const lost = dropped.events.filter((e) => e.type === 'segment' && e.fate !== 'delivered');
    expect(lost).toHaveLength(1);
    // The same seed and list, the same run.
    expect(run(normalClose(), 7, [lastAck])).toEqual(dropped);
  });

  it('a’s last ACK lost: b retransmits its FIN from LAST_ACK, a’s TIME_WAIT acknowledges it again', () => {
    const plain = run(normalClose(), 7);
    const story = run(normalClose(), 7, [{ side: 'a', n: segments(plain, 'a').length }]);
    const fins = segments(story, 'b').filter((s) => s.flags.includes('FIN'));
    expect(fins).toHaveLength(2);
    const [first, again] = fins as [SegmentEvent, SegmentEvent];
    expect(again.seq).toBe(first.seq);
    expect(stateAt(story, 'b', again.time)).toBe('LAST_ACK');
    expect(again.fate).toBe('delivered');
    const answer = segments(story, 'a').find((s) => s.time >= (again.arrival ?? Infinity));
    expect(answer?.flags).toBe('ACK');
    expect(answer?.fate).toBe('delivered');
    expect(stateAt(story, 'a', answer?.time ?? 0)).toBe('TIME_WAIT');
    expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
    const b = story.events.filter((e) => e.type === 'state' && e.side === 'b').at(-1);
    expect(b).toMatchObject({ from: 'LAST_ACK', to: 'CLOSED', cause: 'rcv ACK' });
    expect((b?.time ?? 0) > (again.time ?? 0)).toBe(true);
  });

  it('keeps a script’s own drop rule and a random loss setting as they were', () => {
    const lostFin = findBuiltin('lost-fin');
    if (!lostFin) throw new Error('no lost-fin');
    const plain = run(lostFin, 3);
    // Dropping a's first segment (its SYN) as well: the scripted FIN drop still takes one FIN.
    const story = run(lostFin, 3, [{ side: 'a', n: 1 }]);
    const aFins = segments(story, 'a').filter((s) => s.flags.includes('FIN'));
    expect(aFins.map((s) => s.fate)).toEqual(
      segments(plain, 'a')
        .filter((s) => s.flags.includes('FIN'))
        .map((s) => s.fate),
    );
    expect(segments(story, 'a')[0]?.fate).toBe('lost');
    expect(segments(story, 'a').filter((s) => s.fate === 'lost')).toHaveLength(2);
  });
});

describe('the editor’s text', () => {
  it('writes every built-in scenario so that the file format reads it back the same', () => {
    for (const script of BUILTIN_SCRIPTS) {
      const back = parseScenarioText(scriptToYaml(script));
      expect(back.ok, script.name).toBe(true);
      if (back.ok)
        expect(JSON.parse(JSON.stringify(back.script))).toEqual(JSON.parse(JSON.stringify(script)));
    }
  });

  it.each([
    ['steps:\n  - b: listen\n  - a: jump\n', 3, /^step 2\.a: unknown call 'jump'/],
    ['name: x\nfoo: 1\nsteps:\n  - b: listen\n', 2, /^unknown key 'foo'/],
    [
      'network:\n  latency: 5\n  loss: 3\nsteps:\n  - b: listen\n',
      3,
      /^network\.loss: expected a number from 0 to 1/,
    ],
    [
      'steps:\n  - b: listen\n  - wait: { a: NOPE }\n',
      3,
      /^step 2\.wait\.a: unknown TCP state "NOPE"/,
    ],
    [
      'steps:\n  - b: listen\n  - a: { connect: { port: 99999 } }\n',
      3,
      /^step 2\.a\.connect\.port:/,
    ],
    ['name: x\n', 1, /^steps: must be a non-empty list/],
    // An unclosed list is found where the text ends.
    ['name: x\nsteps: [\n', 3, /^not valid YAML: /],
    ['steps:\n  - b: listen\n   - a: connect\n', 3, /^not valid YAML: /],
  ])('puts the mistake of %j at line %i', (text, line, message) => {
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(line);
    expect(r.message).toMatch(message);
  });
});

describe('the URL', () => {
  it('holds every input and reads back the same', () => {
    const q = simQueryOf(
      new URLSearchParams(
        '?view=sim&scenario=lost-last-ack&seed=7&loss=0.05&latency=30&drop=b2,a5&step=12&lang=pt',
      ),
    );
    expect(q).toEqual({
      scenario: 'lost-last-ack',
      seed: 7,
      faults: { loss: 0.05, latency: 30 },
      drops: [
        { side: 'a', n: 5 },
        { side: 'b', n: 2 },
      ],
      step: 12,
      lang: 'pt',
    });
    const yaml = 'steps:\n  - b: listen # a comment & more\n';
    const edited = { ...q, yaml };
    expect(simQueryOf(new URLSearchParams(simQueryParams(edited).toString()))).toEqual(edited);
  });
});
