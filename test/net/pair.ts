/**
 * Two of our stacks joined in memory on the real clock, each with its `net` facade: the
 * fixture of the net/ tests (no root needed).
 */
import { createMemoryPair } from '../../src/net/memory-link.js';
import { NetStack } from '../../src/net/net-stack.js';
import { Stack } from '../../src/stack/stack.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import { SeededRng } from '../../src/util/rng.js';

export interface Pair {
  client: NetStack;
  server: NetStack;
  close(): void;
}

export const CLIENT_ADDRESS = '10.0.0.1';
export const SERVER_ADDRESS = '10.0.0.2';

export function makePair(seed = 1, delayMs = 0, config?: Partial<ConnectionConfig>): Pair {
  const a = new Stack({ address: CLIENT_ADDRESS, rng: new SeededRng(seed), config });
  const b = new Stack({ address: SERVER_ADDRESS, rng: new SeededRng(seed + 1) });
  const [da, db] = createMemoryPair(a, b, { delayMs });
  const client = new NetStack(da);
  const server = new NetStack(db);
  return {
    client,
    server,
    close() {
      client.close();
      server.close();
    },
  };
}

export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (v: T) => resolve(v)));
}
