/**
 * The stack's 128-bit secrets (RFC 6528 3: the ISN key; RFC 4987 3.6: the SYN-cookie key). On
 * a real network the caller passes bytes from `crypto.getRandomValues`; the simulator and the
 * tests draw all 128 bits from their seeded generator, so their runs stay reproducible.
 */
import type { Rng } from '../util/rng.js';

export const SECRET_BYTES = 16;

/** A SipHash key: two 64-bit words. */
export interface SipKey {
  k0: bigint;
  k1: bigint;
}

/** 16 bytes from a seeded generator (four full 32-bit draws). */
export function secretFromRng(rng: Rng): Uint8Array {
  const out = new Uint8Array(SECRET_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < SECRET_BYTES; i += 4) view.setUint32(i, rng.nextU32());
  return out;
}

/** The SipHash key of a 16-byte secret; anything else is refused (a short key is a weak key). */
export function sipKey(secret: Uint8Array): SipKey | undefined {
  if (secret.length !== SECRET_BYTES) return undefined;
  const view = new DataView(secret.buffer, secret.byteOffset, secret.byteLength);
  return { k0: view.getBigUint64(0), k1: view.getBigUint64(8) };
}
