/** The Python subset of %{ }% blocks (src/drill/python.ts). */
import { describe, expect, it } from 'vitest';
import { runPython } from '../../src/drill/python.js';

const names: Record<string, number> = {
  tcpi_options: 0x23,
  TCPI_OPT_SYN_DATA: 32,
  tcpi_snd_cwnd: 10,
};
const lookup = (n: string) => names[n];

describe('runPython', () => {
  it('passes true asserts: masks, chained comparisons, and/or/not, assignments', () => {
    expect(
      runPython('assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options', lookup),
    ).toEqual({
      kind: 'ok',
    });
    expect(runPython('assert 8 <= tcpi_snd_cwnd <= 12', lookup)).toEqual({ kind: 'ok' });
    expect(runPython('X = 0x10 | 4\nassert X == 20 and not tcpi_snd_cwnd == 9', lookup)).toEqual({
      kind: 'ok',
    });
    expect(
      runPython('assert tcpi_snd_cwnd // 3 == 3 and tcpi_snd_cwnd % 3 == 1 # note', lookup),
    ).toEqual({ kind: 'ok' });
  });

  it('fails a false assert, showing the fields it read', () => {
    expect(runPython('assert tcpi_snd_cwnd == 11, tcpi_snd_cwnd', lookup)).toEqual({
      kind: 'failed',
      assertion: 'tcpi_snd_cwnd == 11',
      detail: 'tcpi_snd_cwnd = 10',
    });
  });

  it('runs print() as a statement that checks nothing', () => {
    expect(runPython('print(tcpi_snd_cwnd)\nassert tcpi_snd_cwnd == 11', lookup)).toMatchObject({
      kind: 'failed',
    });
  });

  it('names what it cannot evaluate as unsupported', () => {
    expect(runPython('import os', lookup)).toEqual({
      kind: 'unsupported',
      construct: 'Python: import os',
    });
    expect(runPython('assert tcpi_lost == 0', lookup)).toMatchObject({
      kind: 'unsupported',
      construct: expect.stringMatching(/the name tcpi_lost/),
    });
    expect(runPython('assert len(x) == 1', lookup)).toMatchObject({
      construct: expect.stringMatching(/the function len\(\)/),
    });
  });
});
