/**
 * Two of our stacks joined in memory on the real clock, each with its `net` facade: the
 * fixture of the net/ tests (no root needed).
 */

import { createMemoryPair } from '../../src/net/memory-link.js';
import { NetStack } from '../../src/net/net-stack.js';
import * as stackModule from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { ConnStack } from './conn-stack.js';

const realStack = typeof (stackModule as Record<string, unknown>).Stack === 'function';

/**
 * Which stack the net/ tests run on: stack/'s own once it is implemented, until then a test
 * double over the real Connection and wire code (conn-stack.ts), so net/ is still tested.
 */
export const stackUnderTest = realStack
  ? 'stack/ Stack'
  : 'test double of Stack over real Connections';

/** Kept for the interop suites, which need the real Stack inside `tcpstate tun`. */
export const whyNoStack: string | undefined = realStack
  ? undefined
  : 'the Stack implementation (src/stack/stack.ts) has not landed';

export interface Pair {
  client: NetStack;
  server: NetStack;
  close(): void;
}

export const CLIENT_ADDRESS = '10.0.0.1';
export const SERVER_ADDRESS = '10.0.0.2';

export function makePair(seed = 1, delayMs = 0): Pair {
  const Stack = realStack ? stackModule.Stack : (ConnStack as unknown as typeof stackModule.Stack);
  const a = new Stack({ address: CLIENT_ADDRESS, rng: new SeededRng(seed) });
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
