/**
 * The simulator view's `bytes=` input (model/query.ts): a link can ask for a bulk transfer of a
 * given size, as `tcpstate sim bulk --bytes N` does, and the page passes it to the runner.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BYTES, overridesOf, simQueryOf, simQueryParams } from '../../src/web/model/query.js';

describe('?bytes= in the simulator view', () => {
  it('reads, writes back and passes the byte count to the run', () => {
    const q = simQueryOf(new URLSearchParams('view=sim&scenario=bulk&bytes=10000000&loss=0.02'));
    expect(q.bytes).toBe(10_000_000);
    expect(overridesOf(q)).toEqual({ loss: 0.02, bytes: 10_000_000 });
    expect(simQueryOf(simQueryParams(q))).toEqual(q);
  });

  it('ignores a count that is not a positive number, and caps a huge one', () => {
    for (const bad of ['0', '-5', 'lots', '']) {
      expect(simQueryOf(new URLSearchParams(`bytes=${bad}`)).bytes).toBeUndefined();
    }
    expect(simQueryOf(new URLSearchParams('bytes=1e12')).bytes).toBe(MAX_BYTES);
    expect(overridesOf(simQueryOf(new URLSearchParams('loss=0.1')))).toEqual({ loss: 0.1 });
  });
});
