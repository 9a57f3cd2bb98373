/**
 * `tcpstate/testing`: a network with faults for testing a Node application's networking code
 * against real TCP. Two hosts, `client` and `server`, each a tcpstate Stack with Node's `net`
 * API, joined by the simulator's link model (link/sim/link.ts) run on the real clock: latency,
 * jitter, loss, duplication, reordering, corruption and bandwidth per direction, partitions,
 * scripted drops ("the next FIN from the server"), resets, a pcap tap, and every connection's
 * state history.
 *
 *     const net = createTestNetwork({ latency: 50, loss: 0.02 });
 *     const server = net.createServer((s) => s.end('hi')).listen(80);
 *     const socket = net.connect(80, net.serverAddress);
 *
 * Layer testing/ (beside net/): may import net/, link/, stack/, tcp/, wire/, state/, util/.
 */
import { Agent, type AgentOptions } from 'node:http';
import type { Socket as NodeSocket } from 'node:net';
import type { Fault, LinkFaults, TcpFlagName } from '../link/sim/faults.js';
import { SimLink } from '../link/sim/link.js';
import { StackDriver } from '../net/driver.js';
import { NetStack } from '../net/net-stack.js';
import { PcapFile } from '../net/pcap-file.js';
import type { Socket } from '../net/socket.js';
import { Stack } from '../stack/stack.js';
import type { TransitionEvent } from '../state/events.js';
import type { TcpState } from '../state/states.js';
import type { ConnectionConfig } from '../tcp/types.js';
import { SeededRng } from '../util/rng.js';

export type HostName = 'client' | 'server';

export interface TestNetworkOptions extends Partial<LinkFaults> {
  /** Seeds the link's random choices and both stacks (default 1): the same seed, the same faults. */
  seed?: number;
  clientAddress?: string;
  serverAddress?: string;
  /** TCP settings for both stacks (RTO bounds, buffers, Nagle, …). */
  config?: Partial<ConnectionConfig>;
  /** Host names each side can resolve (`connect({ host: 'db' })`); both servers' addresses by default. */
  hosts?: Record<string, string>;
}

/** A connection seen on the network, with each endpoint's state history. */
export interface TestConnection {
  /** `addr:port` of the side that connected. */
  readonly client: string;
  readonly server: string;
  /** Every transition of both ends, in order, with `side` 'client' or 'server'. */
  readonly states: ReadonlyArray<TransitionEvent & { host: HostName }>;
  /** Each end's current state. */
  readonly clientState: TcpState;
  readonly serverState: TcpState;
}

export interface PacketRecord {
  time: number;
  from: HostName;
  bytes: Uint8Array;
  fate: string;
}

/** What `drop()` matches: the next `count` packets from `from` carrying all of `flags`. */
export interface DropRule {
  from: HostName;
  flags: readonly TcpFlagName[];
  count?: number;
}

const other = (h: HostName): HostName => (h === 'client' ? 'server' : 'client');

export class TestNetwork {
  readonly clientAddress: string;
  readonly serverAddress: string;
  /** The client host's `net` (connect, createServer, Socket). */
  readonly client: NetStack;
  /** The server host's `net`. */
  readonly server: NetStack;
  /** Packets dropped, lost, duplicated… by the links, per fate. */
  readonly counts: Record<string, number> = {};
  private readonly links: Record<HostName, SimLink>;
  private readonly drivers: Record<HostName, StackDriver>;
  private readonly stacks: Record<HostName, Stack>;
  private readonly conns = new Map<string, TestConnectionImpl>();
  private readonly taps = new Set<(p: PacketRecord) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly epoch = Date.now();
  private closed = false;

  constructor(opts: TestNetworkOptions = {}) {
    const seed = opts.seed ?? 1;
    this.clientAddress = opts.clientAddress ?? '10.0.0.1';
    this.serverAddress = opts.serverAddress ?? '10.0.0.2';
    const { seed: _s, clientAddress: _c, serverAddress: _v, config, hosts, ...faults } = opts;
    const rng = new SeededRng(seed);
    this.links = {
      client: new SimLink(new SeededRng(rng.nextU32()), faults),
      server: new SimLink(new SeededRng(rng.nextU32()), faults),
    };
    this.stacks = {
      client: new Stack({ address: this.clientAddress, rng: new SeededRng(rng.nextU32()), config }),
      server: new Stack({ address: this.serverAddress, rng: new SeededRng(rng.nextU32()), config }),
    };
    const start = performance.now();
    const clock = () => performance.now() - start;
    this.drivers = {
      client: new StackDriver(this.stacks.client, {
        clock,
        transmit: (p) => this.carry('client', p),
      }),
      server: new StackDriver(this.stacks.server, {
        clock,
        transmit: (p) => this.carry('server', p),
      }),
    };
    const table: Record<string, string> = {
      client: this.clientAddress,
      server: this.serverAddress,
      ...hosts,
    };
    const lookup = (
      host: string,
      options: unknown,
      cb: (
        e: NodeJS.ErrnoException | null,
        a: string | { address: string; family: number }[],
        f?: number,
      ) => void,
    ) => {
      const address = table[host];
      if (address === undefined) {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
          code: 'ENOTFOUND',
          syscall: 'getaddrinfo',
          hostname: host,
        });
        cb(err, '', 4);
      } else if ((options as { all?: boolean } | undefined)?.all)
        cb(null, [{ address, family: 4 }]);
      else cb(null, address, 4);
    };
    this.client = new NetStack(this.drivers.client, { lookup: lookup as never });
    this.server = new NetStack(this.drivers.server, { lookup: lookup as never });
    for (const host of ['client', 'server'] as const) {
      this[host].on('transition', (t: TransitionEvent) => this.record(host, t));
    }
    this.connect = this.client.connect.bind(this.client);
    this.createServer = this.server.createServer.bind(this.server);
  }

  // --- Node's net, from the client host (what an application under test calls) -------------

  /** `net.connect` from the client host (NetStack's, with all its forms). */
  readonly connect: NetStack['connect'];
  /** `net.createServer` on the server host. */
  readonly createServer: NetStack['createServer'];

  /** An http.Agent whose connections go from the client host over this network. */
  httpAgent(options: AgentOptions = {}): Agent {
    const agent = new Agent(options);
    (agent as unknown as { createConnection: unknown }).createConnection = (
      opts: { port?: number | string; host?: string },
      cb?: (err: Error | null, s: NodeSocket) => void,
    ) => {
      const socket = this.connect({
        port: Number(opts.port ?? 80),
        host: opts.host ?? this.serverAddress,
      });
      if (cb) socket.once('connect', () => cb(null, socket as unknown as NodeSocket));
      return socket;
    };
    return agent;
  }

  /**
   * A `connect` function for undici's Client/Agent (`new Agent({ connect: net.undiciConnect })`):
   * opens a tcpstate socket from the client host to the request's host and port.
   */
  readonly undiciConnect = (
    opts: { hostname: string; port: string | number; protocol?: string },
    cb: (err: Error | null, socket: NodeSocket | null) => void,
  ): NodeSocket => {
    const port = Number(opts.port || (opts.protocol === 'https:' ? 443 : 80));
    const socket = this.connect({ port, host: opts.hostname });
    socket.once('connect', () => cb(null, socket as unknown as NodeSocket));
    socket.once('error', (e) => cb(e, null));
    return socket as unknown as NodeSocket;
  };

  // --- faults -----------------------------------------------------------------------------

  /** Changes the standing faults of one direction (`from` a host) or of both. */
  setFaults(faults: Partial<LinkFaults>, from?: HostName): void {
    this.apply({ kind: 'set', faults }, from);
  }

  /** Cuts both directions (or one) until heal(). */
  partition(from?: HostName): void {
    this.apply({ kind: 'cut' }, from);
  }

  heal(from?: HostName): void {
    this.apply({ kind: 'heal' }, from);
  }

  /** Drops the next `count` (1) packets from a host whose TCP flags include all of `flags`. */
  drop(rule: DropRule): void {
    this.apply({ kind: 'drop', flags: rule.flags, count: rule.count ?? 1 }, rule.from);
  }

  /**
   * Resets a connection from the given side, as a crashed peer or a middlebox would: that
   * end's stack aborts it and sends RST (default: the server's end).
   */
  reset(socket: Socket, by: HostName = 'server'): void {
    const conn = socket.connection;
    if (!conn) throw new Error('reset(): the socket has no connection');
    const mine = this.stacks.client.find(conn.local.port, conn.remote) ? 'client' : 'server';
    const stack = this.stacks[by];
    const target =
      by === mine
        ? conn
        : stack.find(conn.remote.port, { address: conn.local.address, port: conn.local.port });
    if (!target) throw new Error('reset(): that end of the connection is gone');
    target.abort(this.drivers[by].now());
    this.drivers[by].schedule();
  }

  // --- observation ------------------------------------------------------------------------

  /** Calls `listener` for every packet put on the wire (with its fate); returns an unsubscribe. */
  tap(listener: (p: PacketRecord) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Writes every packet from now on to a pcap file (Wireshark); stop() closes it. */
  async capture(path: string): Promise<{ stop(): Promise<void> }> {
    const file = await PcapFile.create(path);
    const untap = this.tap((p) => {
      if (p.fate !== 'dropped' && p.fate !== 'partitioned') file.add(this.epoch + p.time, p.bytes);
    });
    return {
      stop: async () => {
        untap();
        await file.close();
      },
    };
  }

  /** Every connection seen so far, oldest first. */
  get connections(): ReadonlyArray<TestConnection> {
    return [...this.conns.values()];
  }

  /** Stops both hosts and every packet in flight. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.client.close();
    this.server.close();
  }

  // --- internals --------------------------------------------------------------------------

  private apply(fault: Fault, from?: HostName): void {
    const now = this.drivers.client.now();
    for (const host of from ? [from] : (['client', 'server'] as const))
      this.links[host].apply(now, fault);
  }

  private carry(from: HostName, packets: Uint8Array[]): void {
    if (this.closed) return;
    const to = this.drivers[other(from)];
    const now = this.drivers[from].now();
    for (const packet of packets) {
      // Copies: a stack may reuse its output buffers once transmit returns.
      const bytes = packet.slice();
      const verdict = this.links[from].send(now, bytes);
      this.counts[verdict.fate] = (this.counts[verdict.fate] ?? 0) + 1;
      for (const tap of this.taps) tap({ time: now, from, bytes, fate: verdict.fate });
      for (const arrival of verdict.arrivals) {
        // Timers of equal delay fire in the order they were set, so a plain link stays FIFO.
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            if (!this.closed) to.receive([arrival.bytes]);
          },
          Math.max(0, arrival.at - now),
        );
        this.timers.add(timer);
      }
    }
  }

  private record(host: HostName, t: TransitionEvent): void {
    const { local, remote } = t.connection;
    const clientEnd = host === 'client' ? local : remote;
    const serverEnd = host === 'client' ? remote : local;
    const key = `${clientEnd.address}:${clientEnd.port}>${serverEnd.address}:${serverEnd.port}`;
    let conn = this.conns.get(key);
    // A new connection on a 4-tuple whose previous one ended (both ends CLOSED) starts afresh.
    if (
      conn &&
      conn.clientState === 'CLOSED' &&
      conn.serverState === 'CLOSED' &&
      t.from === 'CLOSED'
    )
      conn = undefined;
    if (!conn) {
      conn = new TestConnectionImpl(
        `${clientEnd.address}:${clientEnd.port}`,
        `${serverEnd.address}:${serverEnd.port}`,
      );
      this.conns.delete(key);
      this.conns.set(key, conn);
    }
    conn.push(host, t);
  }
}

class TestConnectionImpl implements TestConnection {
  readonly states: Array<TransitionEvent & { host: HostName }> = [];
  clientState: TcpState = 'CLOSED';
  serverState: TcpState = 'CLOSED';

  constructor(
    readonly client: string,
    readonly server: string,
  ) {}

  push(host: HostName, t: TransitionEvent): void {
    this.states.push({ ...t, host });
    if (host === 'client') this.clientState = t.to;
    else this.serverState = t.to;
  }
}

/** A client and a server host joined by a link with the given faults (see TestNetwork). */
export function createTestNetwork(options: TestNetworkOptions = {}): TestNetwork {
  return new TestNetwork(options);
}
