/**
 * Garbage in a script never crashes or hangs the runner: tcpstate's own scripts with lines
 * dropped, repeated, swapped and numbers changed always come back as pass, fail or unsupported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';

const DIR = join(import.meta.dirname, 'scripts');
const texts = readdirSync(DIR)
  .filter((f) => f.endsWith('.pkt'))
  .sort()
  .map((f) => readFileSync(join(DIR, f), 'utf8'));

type Edit =
  | { kind: 'drop'; at: number }
  | { kind: 'repeat'; at: number }
  | { kind: 'swap'; at: number }
  | { kind: 'number'; at: number; value: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('number' as const),
    at: fc.nat(),
    value: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constant(0xffffffff)),
  }),
);

function apply(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    const i = e.at % lines.length;
    if (e.kind === 'drop') lines.splice(i, 1);
    else if (e.kind === 'repeat') lines.splice(i, 0, lines[i]);
    else if (e.kind === 'swap' && i + 1 < lines.length) {
      [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
    } else if (e.kind === 'number') {
      let n = 0;
      lines[i] = lines[i].replace(/\d+/g, (d) => (n++ === 1 ? String(e.value) : d));
    }
    if (lines.length === 0) lines.push('');
  }
  return lines.join('\n');
}

describe('the runner on mangled scripts', () => {
  it('always gives an outcome (pass, fail or unsupported), never an exception', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: texts.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (which, edits, seed) => {
          const r = runScriptText(apply(texts[which], edits), { seed });
          expect(['pass', 'fail', 'unsupported']).toContain(r.outcome.status);
          if (r.outcome.status === 'fail') expect(r.outcome.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
