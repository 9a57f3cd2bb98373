/** Two endpoints, a and b, over the simulated network: helpers shared by the integration tests. */
import type { LinkFaults } from '../../src/link/sim/faults.js';
import { type SimHost, SimNetwork } from '../../src/link/sim/network.js';
import type { StackConnection as Connection } from '../../src/stack/stack.js';
import type { TcpState } from '../../src/state/states.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';

export const A = '10.0.0.1';
export const B = '10.0.0.2';
export const A6 = 'fd00::1';
export const B6 = 'fd00::2';

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export interface Pair {
  net: SimNetwork;
  a: SimHost;
  b: SimHost;
  /** b's address, which a connects to (B when absent). */
  bAddress?: string;
}

export function pair(
  seed = 1,
  faults: Partial<LinkFaults> = { latency: 10 },
  config: Partial<ConnectionConfig> = {},
  family: Family = 'ipv4',
): Pair {
  const net = new SimNetwork(seed);
  const v6 = family === 'ipv6';
  const a = net.addHost('a', v6 ? A6 : A, { config });
  const b = net.addHost('b', v6 ? B6 : B, { config });
  net.link(a, b, faults);
  return { net, a, b, bAddress: v6 ? B6 : B };
}

/** "FROM>TO (cause)" for each transition of a host, in order. */
export function story(net: SimNetwork, host: SimHost): string[] {
  return net.transitions(host).map((t) => `${t.from}>${t.to} (${t.cause})`);
}

/** The states a host's connections entered, in order. */
export function states(net: SimNetwork, host: SimHost): TcpState[] {
  return net.transitions(host).map((t) => t.to);
}

/** Opens a connection from a to b:80 and returns both ends once established. */
export function establish(p: Pair, port = 80): { client: Connection; server: Connection } {
  const listener = p.b.stack.listen(port);
  const client = p.a.stack.connect(p.net.now, { address: p.bAddress ?? B, port });
  let server: Connection | undefined;
  p.net.runUntil(
    () => {
      server ??= listener.accept();
      return server !== undefined && client.state === 'ESTABLISHED';
    },
    { maxSteps: 10_000 },
  );
  if (server === undefined) throw new Error('handshake did not complete');
  return { client, server };
}

/** Reads everything the connection has, as text. */
export function readAll(conn: Connection): string {
  return new TextDecoder().decode(conn.read());
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
