import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS, findBuiltin } from '../../src/scenario/builtin.js';
import { parseScenarioFile, ScenarioFileError } from '../../src/scenario/file.js';
import { applyOverrides } from '../../src/scenario/script.js';

const fixture = (name: string) => readFileSync(`test/fixtures/scenario/${name}`, 'utf8');

describe('scenario files', () => {
  it('reads a YAML scenario', () => {
    const s = parseScenarioFile(fixture('reset-after-data.yaml'), 'reset-after-data.yaml');
    expect(s.name).toBe('reset-after-data');
    expect(s.network).toEqual({ latency: 20 });
    expect(s.steps).toEqual([
      { side: 'b', call: 'listen', port: undefined },
      { side: 'a', call: 'connect' },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { side: 'a', call: 'send', bytes: 5000 },
      { wait: 25 },
      { side: 'b', call: 'abort' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
    ]);
  });

  it('reads a JSON scenario with every kind of step, names from the file name', () => {
    const s = parseScenarioFile(fixture('hello.json'), 'dir/hello.json');
    expect(s.name).toBe('hello');
    expect(s.port).toBe(8080);
    expect(s.steps).toEqual([
      { side: 'b', call: 'listen', port: 8080 },
      { side: 'a', call: 'connect', port: 8080, localPort: 40000 },
      { waitFor: { side: 'b', state: 'ESTABLISHED' } },
      { side: 'a', call: 'send', bytes: 5, text: 'hello' },
      { wait: 100 },
      { side: 'a', call: 'close' },
      { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
      { side: 'b', call: 'close' },
      { drop: { from: 'a', flags: ['ACK'], count: 1 } },
      { faults: { loss: 0.5, latency: 7 }, direction: 'a->b' },
      { partition: 'b->a' },
      { heal: 'both' },
    ]);
  });

  it('keeps the old spelling dup for duplicate, in the network and in fault steps', () => {
    const old = parseScenarioFile(
      'network: { dup: 0.25 }\nsteps:\n  - faults: { direction: b->a, dup: 0.5 }',
      'old.yaml',
    );
    const current = parseScenarioFile(
      'network: { duplicate: 0.25 }\nsteps:\n  - faults: { direction: b->a, duplicate: 0.5 }',
      'new.yaml',
    );
    expect(old.network).toEqual({ latency: 10, duplicate: 0.25 });
    expect(old.steps).toEqual([{ faults: { duplicate: 0.5 }, direction: 'b->a' }]);
    expect(old.network).toEqual(current.network);
    expect(old.steps).toEqual(current.steps);
  });

  it('reads attack steps (flood, blind) and the SYN-cookie mode', () => {
    const s = parseScenarioFile(
      [
        'synCookies: off',
        'steps:',
        '  - b: listen',
        '  - flood: { rate: 500, duration: 2000 }',
        '  - blind: { target: a, kinds: rst, count: 10, duration: 100 }',
        '  - blind: { target: b, count: 3, duration: 50 }',
      ].join('\n'),
      'attack.yaml',
    );
    expect(s.synCookies).toBe('off');
    expect(s.steps.slice(1)).toEqual([
      { flood: { rate: 500, duration: 2000 } },
      { blind: { target: 'a', kinds: ['RST'], count: 10, duration: 100 } },
      { blind: { target: 'b', kinds: ['RST', 'SYN'], count: 3, duration: 50 } },
    ]);
  });

  it('takes every fault of the simulator, by its name', () => {
    const s = parseScenarioFile(
      'network: { latency: 5, jitter: 2, loss: 0.1, duplicate: 0.1, reorder: 0.1, reorderDelay: 30, corrupt: 0.01, bandwidth: 125, queueLimit: 20 }\nsteps:\n  - a: close',
      'all.yaml',
    );
    expect(s.network).toEqual({
      latency: 5,
      jitter: 2,
      loss: 0.1,
      duplicate: 0.1,
      reorder: 0.1,
      reorderDelay: 30,
      corrupt: 0.01,
      bandwidth: 125,
      queueLimit: 20,
    });
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'x.yaml',
      'network: { dup: 3 }\nsteps:\n  - a: close',
      /network\.dup: expected a number from 0 to 1/,
    ],
    [
      'x.yaml',
      'network: { queueLimit: 2.5 }\nsteps:\n  - a: close',
      /network\.queueLimit: expected an integer/,
    ],
    ['x.yaml', 'steps: [', /x\.yaml: not valid YAML/],
    ['x.json', '{"steps": ', /x\.json: not valid JSON/],
    ['x.yaml', 'name: x', /steps: must be a non-empty list/],
    ['x.yaml', 'steps:\n  - a: jump', /step 1\.a: unknown call 'jump'/],
    ['x.yaml', 'steps:\n  - a: send', /send needs a byte count/],
    ['x.yaml', 'steps:\n  - wait: { a: SOMETIMES }', /step 1\.wait\.a: unknown TCP state/],
    ['x.yaml', 'steps:\n  - wait: -5', /step 1\.wait: expected a number from 0/],
    ['x.yaml', 'steps:\n  - c: close', /step 1: unknown step 'c'/],
    [
      'x.yaml',
      'network: { loss: 2 }\nsteps:\n  - a: close',
      /network\.loss: expected a number from 0 to 1/,
    ],
    ['x.yaml', 'network: { speed: 2 }\nsteps:\n  - a: close', /unknown network setting 'speed'/],
    ['x.yaml', 'steps:\n  - b: { listen: 70000 }', /listen: expected an integer from 1 to 65535/],
    ['x.yaml', 'steps:\n  - drop: { from: c, flags: FIN }', /drop\.from: expected a or b/],
    ['x.yaml', 'steps:\n  - drop: { from: a, flags: XYZ }', /drop\.flags/],
    ['x.yaml', 'steps:\n  - partition: sideways', /partition: expected a->b, b->a or both/],
    ['x.yaml', 'colour: red\nsteps:\n  - a: close', /unknown key 'colour'/],
    ['x.yaml', '42', /expected a mapping/],
    [
      'x.yaml',
      'steps:\n  - flood: { rate: 0, duration: 10 }',
      /flood\.rate: expected an integer from 1/,
    ],
    ['x.yaml', 'steps:\n  - flood: fast', /step 1\.flood: expected \{ rate/],
    [
      'x.yaml',
      'steps:\n  - blind: { target: a, kinds: FIN, count: 5, duration: 10 }',
      /blind\.kinds: expected RST, SYN or RST,SYN/,
    ],
    [
      'x.yaml',
      'steps:\n  - blind: { target: c, count: 5, duration: 10 }',
      /blind\.target: expected a or b/,
    ],
    [
      'x.yaml',
      'synCookies: sometimes\nsteps:\n  - a: close',
      /synCookies: expected off, overflow or always/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${JSON.stringify(text).slice(0, 40)} with one clear line`, () => {
      expect(() => parseScenarioFile(text, name)).toThrow(ScenarioFileError);
      try {
        parseScenarioFile(text, name);
      } catch (err) {
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).not.toContain('\n');
      }
    });
  }
});

describe('built-in scenarios', () => {
  it('has the scenarios the issue asks for, each described', () => {
    const names = BUILTIN_SCRIPTS.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'handshake',
        'normal-close',
        'simultaneous-close',
        'simultaneous-open',
        'refused',
        'reset',
        'half-close',
        'lost-syn',
        'lost-fin',
        'lost-last-ack',
        'syn-timeout',
        'close-wait-leak',
        'keepalive-dead-peer',
        'time-wait-reuse',
        'bulk',
        'syn-flood',
        'blind-reset',
      ]),
    );
    for (const s of BUILTIN_SCRIPTS) expect(s.description.length).toBeGreaterThan(20);
  });

  it('applies command-line overrides to the network and to sends', () => {
    const bulk = findBuiltin('bulk');
    if (!bulk) throw new Error('bulk exists');
    const s = applyOverrides(bulk, { latency: 50, loss: 0.1, bytes: 1234, mss: 536 });
    expect(s.network).toMatchObject({ latency: 50, loss: 0.1, jitter: 0 });
    expect(s.mss).toBe(536);
    expect(s.steps).toContainEqual({ side: 'a', call: 'send', bytes: 1234 });
    expect(bulk.steps).toContainEqual({ side: 'a', call: 'send', bytes: 100_000 });
  });

  it('applies --rate, --count and --syn-cookies to the attack scenarios', () => {
    const flood = findBuiltin('syn-flood');
    const blind = findBuiltin('blind-reset');
    if (!flood || !blind) throw new Error('attack scenarios exist');
    const f = applyOverrides(flood, { rate: 300, synCookies: 'off' });
    expect(f.steps).toContainEqual({ flood: { rate: 300, duration: 5000 } });
    expect(f.synCookies).toBe('off');
    const b = applyOverrides(blind, { count: 7 });
    expect(b.steps).toContainEqual({
      blind: { target: 'a', kinds: ['RST', 'SYN'], count: 7, duration: 2000 },
    });
  });
});
