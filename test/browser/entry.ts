/**
 * Runs inside headless Chromium (bundled by esbuild in browser.test.ts): proves the pure layers
 * load and work in a browser, with no Node built-ins.
 */
import { parseState } from '../../src/state/aliases.js';
import { SeededRng } from '../../src/util/rng.js';
import { seqAdd, seqLt } from '../../src/wire/seq.js';

export function run(): Record<string, unknown> {
  const rng = new SeededRng(42);
  return {
    seqWrap: seqLt(0xffff_fff0, seqAdd(0xffff_fff0, 0x20)),
    rng: [rng.nextU32(), rng.nextU32()],
    state: parseState('fin-wait-1') ?? null,
  };
}
