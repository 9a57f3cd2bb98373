/**
 * A small seeded pseudo-random generator (sfc32), so every run with the same seed is the same
 * byte for byte. Pure: the only source of randomness in wire/, tcp/, stack/ and link/sim.
 *
 * Layer util/ (the bottom, beside state/): small pure helpers (this generator, time text).
 * May import: state/. Must not: import any other layer, or do I/O, read a clock or use Math.random.
 */
export interface Rng {
  /** A uniformly distributed integer in [0, 2^32). */
  nextU32(): number;
  /** A uniformly distributed number in [0, 1). */
  next(): number;
}

export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** An independent generator derived from this one (for a sub-component). */
  fork(): SeededRng {
    return new SeededRng(this.nextU32());
  }
}
