/**
 * The simulated network: hosts (each a Stack) joined by links with per-direction faults, a
 * virtual clock that jumps to the next deadline, and a seeded RNG. Nothing here waits: a 60 s
 * TIME_WAIT simulates in microseconds, and the same seed gives the same trace byte for byte.
 *
 * Pure (no node:, no Date, no timers), so it runs in the browser too.
 *
 * Loop: `step()` moves the clock to the earliest of (a packet arriving, a stack deadline, a
 * scheduled action), runs everything due at that instant, then drains every stack's output
 * onto the links. `run()` steps until nothing is left to do or a bound is reached.
 */

import { Stack, type StackOptions } from '../../stack/stack.js';
import type { TransitionEvent } from '../../state/events.js';
import { SeededRng } from '../../util/rng.js';
import { formatFlags } from '../../wire/flags.js';
import { parsePacket } from '../../wire/packet.js';
import { PcapWriter } from '../../wire/pcap.js';

/** Faults of one direction of a link. Probabilities are in [0, 1]; times in ms. */
export interface LinkFaults {
  /** One-way delay. */
  latency: number;
  /** Extra delay, uniform in [0, jitter); packets may overtake each other, as with netem. */
  jitter: number;
  loss: number;
  /** Probability that a packet is delivered twice. */
  duplicate: number;
  /** Probability that a packet is held back by an extra `reorderDelay` so later ones overtake it. */
  reorder: number;
  reorderDelay: number;
  /** Probability that one bit of the packet is flipped (the receiver's checksum catches it). */
  corrupt: number;
  /** Bytes per millisecond (0: unlimited). 125 = 1 Mbit/s. */
  bandwidth: number;
  /** Packets that may wait for the wire when bandwidth is limited; more are tail-dropped. */
  queueLimit: number;
}

export const NO_FAULTS: Readonly<LinkFaults> = {
  latency: 0,
  jitter: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelay: 0,
  corrupt: 0,
  bandwidth: 0,
  queueLimit: 1000,
};

export type PacketFate =
  | 'delivered'
  | 'lost'
  | 'duplicated'
  | 'corrupted'
  | 'queue-drop'
  | 'partitioned'
  | 'unroutable';

/** A TCP summary of a traced packet (absent when the packet is not TCP). */
export interface TcpSummary {
  srcPort: number;
  dstPort: number;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
}

export type SimTraceEvent =
  | {
      type: 'packet';
      /** Sequence number of this trace entry (a duplicate shares `packetId` with its original). */
      packetId: number;
      /** Time it left the sender. */
      t: number;
      /** Time it reached the receiver (absent when it never did). */
      tArrive?: number;
      from: string;
      to: string;
      fate: PacketFate;
      bytes: Uint8Array;
      tcp?: TcpSummary;
    }
  | { type: 'state'; t: number; host: string; event: TransitionEvent }
  | { type: 'drop'; t: number; host: string; reason: string };

export interface SimHost {
  readonly name: string;
  readonly stack: Stack;
}

interface Direction {
  faults: LinkFaults;
  /** When the wire is next free (bandwidth limit). */
  busyUntil: number;
  queued: number;
  /** [from, to) intervals in which the link drops everything. */
  partitions: Array<[number, number]>;
}

interface InFlight {
  at: number;
  order: number;
  to: SimHost;
  bytes: Uint8Array;
  dir: Direction;
  wire: boolean;
}

interface Action {
  at: number;
  order: number;
  run: () => void;
}

export interface RunOptions {
  /** Stop when virtual time would pass this (ms). */
  until?: number;
  /** Stop after this many steps (a guard against livelock). */
  maxSteps?: number;
}

export class SimNetwork {
  readonly rng: SeededRng;
  readonly trace: SimTraceEvent[] = [];
  private readonly hosts: SimHost[] = [];
  private readonly byAddress = new Map<string, SimHost>();
  private readonly links = new Map<string, Direction>();
  private inFlight: InFlight[] = [];
  private actions: Action[] = [];
  private order = 0;
  private packetIds = 0;
  private clock = 0;

  constructor(readonly seed = 1) {
    this.rng = new SeededRng(seed);
  }

  get now(): number {
    return this.clock;
  }

  /** Adds a host with its own stack (its RNG is forked from the network's, so it is seeded too). */
  addHost(
    name: string,
    address: string,
    opts: Partial<Omit<StackOptions, 'address' | 'rng'>> = {},
  ): SimHost {
    if (this.byAddress.has(address)) throw new RangeError(`addHost(): ${address} is taken`);
    const host = { name, stack: new Stack({ ...opts, address, rng: this.rng.fork() }) };
    this.hosts.push(host);
    this.byAddress.set(address, host);
    return host;
  }

  /** Joins two hosts; faults may differ per direction. */
  link(a: SimHost, b: SimHost, ab: Partial<LinkFaults> = {}, ba: Partial<LinkFaults> = ab): void {
    this.links.set(dirKey(a, b), newDirection(ab));
    this.links.set(dirKey(b, a), newDirection(ba));
  }

  /** Changes the faults of one direction from now on. */
  setFaults(from: SimHost, to: SimHost, faults: Partial<LinkFaults>): void {
    const d = this.direction(from, to);
    d.faults = { ...d.faults, ...faults };
  }

  /** Cuts both directions between two hosts during [from, to) (to: Infinity for good). */
  partition(a: SimHost, b: SimHost, from: number, to = Number.POSITIVE_INFINITY): void {
    this.direction(a, b).partitions.push([from, to]);
    this.direction(b, a).partitions.push([from, to]);
  }

  /** Runs `fn` at virtual time `at` (user calls of a scenario, fault changes). */
  at(at: number, fn: () => void): void {
    this.actions.push({ at: Math.max(at, this.clock), order: this.order++, run: fn });
  }

  /** Drains every stack's output and events at the current time (after user calls). */
  flush(): void {
    for (const host of this.hosts) {
      const stack = host.stack;
      for (
        let p = stack.pollTransmit(this.clock);
        p !== undefined;
        p = stack.pollTransmit(this.clock)
      ) {
        this.send(host, p);
      }
      for (let e = stack.pollEvent(); e !== undefined; e = stack.pollEvent()) {
        if (e.type === 'transition')
          this.trace.push({ type: 'state', t: this.clock, host: host.name, event: e.event });
        else if (e.type === 'drop')
          this.trace.push({ type: 'drop', t: this.clock, host: host.name, reason: e.reason });
      }
    }
  }

  /** Puts a raw IP packet on the wire from `from`, as if its stack had sent it (tests, fuzzing). */
  sendRaw(from: SimHost, packet: Uint8Array): void {
    this.send(from, packet);
  }

  /** The next instant something happens, or undefined when the network is idle. */
  nextDeadline(): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.inFlight) next = Math.min(next, p.at);
    for (const a of this.actions) next = Math.min(next, a.at);
    for (const h of this.hosts) next = Math.min(next, h.stack.pollTimeout() ?? next);
    return next === Number.POSITIVE_INFINITY ? undefined : Math.max(next, this.clock);
  }

  /** Advances to the next deadline and runs it. Returns false when idle. */
  step(): boolean {
    this.flush();
    const next = this.nextDeadline();
    if (next === undefined) return false;
    this.clock = next;
    const due = this.actions
      .filter((a) => a.at <= next)
      .sort((x, y) => x.at - y.at || x.order - y.order);
    if (due.length > 0) {
      this.actions = this.actions.filter((a) => a.at > next);
      for (const a of due) {
        a.run();
        this.flush();
      }
    }
    const arriving = this.inFlight
      .filter((p) => p.at <= next)
      .sort((x, y) => x.at - y.at || x.order - y.order);
    if (arriving.length > 0) {
      this.inFlight = this.inFlight.filter((p) => p.at > next);
      for (const p of arriving) {
        if (p.wire) p.dir.queued--;
        p.to.stack.handlePacket(next, p.bytes);
      }
    }
    for (const h of this.hosts) {
      const t = h.stack.pollTimeout();
      if (t !== undefined && t <= next) h.stack.handleTimeout(next);
    }
    this.flush();
    return true;
  }

  /** Steps until idle or a bound; returns the number of steps taken. */
  run(opts: RunOptions = {}): number {
    const until = opts.until ?? Number.POSITIVE_INFINITY;
    const maxSteps = opts.maxSteps ?? 1_000_000;
    let steps = 0;
    while (steps < maxSteps) {
      this.flush();
      const next = this.nextDeadline();
      if (next === undefined || next > until) break;
      this.step();
      steps++;
    }
    if (until !== Number.POSITIVE_INFINITY && this.clock < until && steps < maxSteps) {
      this.clock = until;
    }
    return steps;
  }

  /** Steps until `done()` is true (checked after each step), idle, or a bound. Returns done(). */
  runUntil(done: () => boolean, opts: RunOptions = {}): boolean {
    const until = opts.until ?? Number.POSITIVE_INFINITY;
    const maxSteps = opts.maxSteps ?? 1_000_000;
    for (let steps = 0; steps < maxSteps && !done(); steps++) {
      this.flush();
      const next = this.nextDeadline();
      if (next === undefined || next > until) break;
      this.step();
    }
    return done();
  }

  /** State changes of one host, in order. */
  transitions(host: SimHost): TransitionEvent[] {
    const out: TransitionEvent[] = [];
    for (const e of this.trace) if (e.type === 'state' && e.host === host.name) out.push(e.event);
    return out;
  }

  /**
   * A pcap of the exchange, as a capture on the senders' side would see it: every packet sent,
   * whatever its fate (by default), or only those in `fates`.
   */
  toPcap(fates?: readonly PacketFate[]): Uint8Array {
    const w = new PcapWriter();
    for (const e of this.trace) {
      if (e.type !== 'packet') continue;
      if (e.fate === 'duplicated' && (fates === undefined || !fates.includes('duplicated')))
        continue;
      if (fates !== undefined && !fates.includes(e.fate)) continue;
      w.addPacket(e.t, e.bytes);
    }
    return w.toBytes();
  }

  private direction(from: SimHost, to: SimHost): Direction {
    const d = this.links.get(dirKey(from, to));
    if (d === undefined) throw new RangeError(`no link from ${from.name} to ${to.name}`);
    return d;
  }

  private send(from: SimHost, bytes: Uint8Array): void {
    const packetId = this.packetIds++;
    const dstAddress =
      bytes.length >= 20 ? `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}` : '';
    const to = this.byAddress.get(dstAddress);
    const tcp = summarize(bytes);
    const base = { type: 'packet' as const, packetId, t: this.clock, from: from.name, bytes, tcp };
    const dir = to === undefined ? undefined : this.links.get(dirKey(from, to));
    if (to === undefined || dir === undefined) {
      this.trace.push({ ...base, to: to?.name ?? dstAddress, fate: 'unroutable' });
      return;
    }
    const f = dir.faults;
    const rng = this.rng;
    if (dir.partitions.some(([a, b]) => this.clock >= a && this.clock < b)) {
      this.trace.push({ ...base, to: to.name, fate: 'partitioned' });
      return;
    }
    // The wire: with a bandwidth limit, packets queue behind each other (tail drop when full).
    let leave = this.clock;
    if (f.bandwidth > 0) {
      if (dir.queued >= f.queueLimit) {
        this.trace.push({ ...base, to: to.name, fate: 'queue-drop' });
        return;
      }
      leave = Math.max(this.clock, dir.busyUntil) + bytes.length / f.bandwidth;
      dir.busyUntil = leave;
    }
    // Draw every random number in a fixed order whatever the outcome, so one fault's setting
    // does not shift the others' random streams.
    const rLoss = rng.next();
    const rDup = rng.next();
    const rReorder = rng.next();
    const rCorrupt = rng.next();
    const rJitter = rng.next();
    const rJitterDup = rng.next();
    const rBit = rng.nextU32();
    if (rLoss < f.loss) {
      this.trace.push({ ...base, to: to.name, fate: 'lost' });
      return;
    }
    let arrive = leave + f.latency + rJitter * f.jitter;
    if (rReorder < f.reorder)
      arrive += f.reorderDelay > 0 ? f.reorderDelay : Math.max(1, f.latency);
    let delivered = bytes;
    let fate: PacketFate = 'delivered';
    if (rCorrupt < f.corrupt && bytes.length > 0) {
      delivered = bytes.slice();
      const bit = rBit % (bytes.length * 8);
      delivered[bit >> 3] ^= 1 << (bit & 7);
      fate = 'corrupted';
    }
    this.trace.push({ ...base, to: to.name, fate, tArrive: arrive });
    if (f.bandwidth > 0) dir.queued++;
    this.inFlight.push({
      at: arrive,
      order: this.order++,
      to,
      bytes: delivered,
      dir,
      wire: f.bandwidth > 0,
    });
    if (rDup < f.duplicate) {
      const dupArrive = arrive + rJitterDup * Math.max(f.jitter, 0.001);
      this.trace.push({ ...base, to: to.name, fate: 'duplicated', tArrive: dupArrive });
      this.inFlight.push({ at: dupArrive, order: this.order++, to, bytes, dir, wire: false });
    }
  }
}

function dirKey(from: SimHost, to: SimHost): string {
  return `${from.name}>${to.name}`;
}

function newDirection(faults: Partial<LinkFaults>): Direction {
  return { faults: { ...NO_FAULTS, ...faults }, busyUntil: 0, queued: 0, partitions: [] };
}

function summarize(bytes: Uint8Array): TcpSummary | undefined {
  const p = parsePacket(bytes, { verifyChecksum: false });
  if (!p.ok) return undefined;
  const s = p.value.tcp;
  return {
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    flags: formatFlags(s.flags),
    seq: s.seq,
    ack: s.ack,
    len: s.payload.length,
    win: s.window,
  };
}
