/**
 * A bulk transfer from a to b over two Connections back to back (pair.ts), with chosen
 * transmissions of chosen segments dropped: the recovery tests' common exchange.
 */
import { expect } from 'vitest';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import type { TcpSegment } from '../../src/wire/types.js';
import { pattern } from './helpers.js';
import { Pair } from './pair.js';

export const MSS = 1448; // 1460 less the timestamps option
export const ISS_A = 1_000_000;

/** a sends `n` segments to b; `drop(seq, copy)` drops the copy-th transmission of a segment. */
export function transfer(
  n: number,
  drop: (index: number, copy: number) => boolean,
  config: Partial<ConnectionConfig> = {},
) {
  const p = new Pair({ config: { minRto: 200, ...config } });
  const copies = new Map<number, number>();
  p.filter = (from, seg: TcpSegment) => {
    if (from !== 'a' || seg.payload.byteLength === 0) return true;
    const index = Math.round((seg.seq - ISS_A - 1) / MSS);
    const copy = (copies.get(seg.seq) ?? 0) + 1;
    copies.set(seg.seq, copy);
    return !drop(index, copy);
  };
  p.connect().run(100);
  const data = pattern(n * MSS);
  p.conn('a').send(data);
  p.flush();
  p.run(p.now + 60_000);
  expect(p.bytes('b')).toEqual(data);
  return { p, a: p.conn('a'), copies };
}
