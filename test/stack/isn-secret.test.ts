import { describe, expect, it } from 'vitest';
import { Stack, type StackError } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { parsePacket } from '../../src/wire/packet.js';

const REMOTE = { address: '198.51.100.7', port: 80 };

function synSeq(seed: number, isnSecret?: Uint8Array): number {
  const s = new Stack({ address: '192.0.2.1', rng: new SeededRng(seed), isnSecret });
  s.connect(0, REMOTE, { localPort: 40000 });
  const p = s.pollTransmit(0);
  const parsed = p === undefined ? undefined : parsePacket(p);
  if (!parsed?.ok) throw new Error('no SYN');
  return parsed.value.tcp.seq;
}

const secret = (fill: number) => new Uint8Array(16).fill(fill);

describe('the ISN secret (RFC 6528 3) comes from the caller', () => {
  it('is the same for the same secret, whatever the seed (deterministic)', () => {
    expect(synSeq(1, secret(7))).toBe(synSeq(2, secret(7)));
  });

  it('differs with the secret', () => {
    expect(synSeq(1, secret(7))).not.toBe(synSeq(1, secret(8)));
  });

  it('without one, all 128 bits come from the seeded generator: same seed, same ISN', () => {
    expect(synSeq(3)).toBe(synSeq(3));
    expect(synSeq(3)).not.toBe(synSeq(4));
  });

  it('refuses a secret that is not 16 bytes', () => {
    let code: string | undefined;
    try {
      synSeq(1, new Uint8Array(4));
    } catch (err) {
      code = (err as StackError).code;
    }
    expect(code).toBe('EINVAL');
  });
});
