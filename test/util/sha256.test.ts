import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../src/util/sha256.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('Sha256 (pure, FIPS 180-4)', () => {
  it('gives the FIPS 180-2 appendix B digests', () => {
    expect(new Sha256().update(text('abc')).digestHex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      new Sha256()
        .update(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))
        .digestHex(),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(new Sha256().digestHex()).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('agrees with node:crypto on any bytes, fed in any chunks (padding at every block edge)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(70), { maxLength: 8 }),
        (bytes, cuts) => {
          const h = new Sha256();
          let at = 0;
          for (const c of cuts) {
            h.update(bytes.subarray(at, at + c));
            at = Math.min(bytes.length, at + c);
          }
          h.update(bytes.subarray(at));
          expect(h.digestHex()).toBe(createHash('sha256').update(bytes).digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses data after the digest, and repeats the digest', () => {
    const h = new Sha256().update(text('x'));
    const d = h.digestHex();
    expect(h.digestHex()).toBe(d);
    expect(() => h.update(text('y'))).toThrow(/after digest/);
  });
});
