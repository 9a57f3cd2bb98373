/**
 * The simulated network and its stepper: hosts (each a Stack) joined by links (link.ts) with
 * per-direction faults (faults.ts), a virtual clock that jumps to the next deadline, and a
 * seeded RNG. Nothing here waits: a 60 s TIME_WAIT simulates in microseconds, and the same seed
 * gives the same trace byte for byte. Every virtual-time user drives its stacks through it: tests,
 * `tcpstate sim`, the drill runner (one stack, the script its peer), benchmarks, the browser.
 *
 * Pure (no node:, no Date, no timers), so it runs in the browser too.
 *
 * Loop: `step()` moves the clock to the earliest of (a packet arriving, a stack deadline, a
 * scheduled action), hands the due packets to their stacks (earliest first, ties in sending
 * order), fires the due stack timers, drains every stack, then runs the due actions (each
 * followed by a drain). A drain moves each stack's packets onto the links and forwards its
 * events, host by host, and repeats while a hook found work. `run()` steps until idle or a bound.
 *
 * Stack events are forwarded as they are, tagged with the host; only `transitions()` looks
 * inside them. A stack whose timer stays due after it fired would hold the clock forever: the
 * stepper throws StuckTimerError instead of spinning.
 */

import { Stack, type StackEvent, type StackOptions } from '../../stack/stack.js';
import type { TransitionEvent } from '../../state/events.js';
import { formatIpv6 } from '../../util/address-text.js';
import { SeededRng } from '../../util/rng.js';
import { parseIpv4Address } from '../../wire/address.js';
import { parseIpv6Address } from '../../wire/address6.js';
import { formatFlags } from '../../wire/flags.js';
import { parseAnyTcpPacket } from '../../wire/packet6.js';
import { PcapWriter } from '../../wire/pcap.js';
import type { Fault, LinkFaults, PacketFate } from './faults.js';
import { FlightQueue } from './flight.js';
import { SimLink } from './link.js';
import { ROUTER_NAME, tooBigAnswer } from './router.js';
import { earliest, fireDueTimers } from './schedule.js';

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

/** One packet a stack sent, with what the network did with it. */
export interface PacketRecord {
  type: 'packet';
  /** Sequence number of the packet, from 0. */
  packetId: number;
  /** Time it left the sender. */
  t: number;
  /** Time its first copy reached the receiver (absent when none did). */
  tArrive?: number;
  from: string;
  /** The receiving host, or the destination address when unroutable. */
  to: string;
  fate: PacketFate;
  /** The packet as sent (a corrupted copy differs from it by one bit). */
  bytes: Uint8Array;
  /** Filled in the recorded trace only. */
  tcp?: TcpSummary;
}

/** A stack's event as it came out of `pollEvent()`, tagged with its host and the time. */
export interface HostEvent {
  type: 'event';
  t: number;
  host: string;
  event: StackEvent;
}

export type SimTraceEvent = PacketRecord | HostEvent;

export interface SimHost {
  readonly name: string;
  readonly stack: Stack;
}

export interface SimNetworkOptions {
  /** Seeds the network's RNG (default 1), unless `rng` is given. */
  seed?: number;
  /** The RNG that hosts fork from and links draw from. */
  rng?: SeededRng;
  /** Keep every packet and event in `trace` (default true; benchmarks turn it off). */
  record?: boolean;
}

export interface RunOptions {
  /** Stop when virtual time would pass this (ms). */
  until?: number;
  /** Stop after this many steps (a guard against livelock). */
  maxSteps?: number;
}

/** Called after a host's stack was drained; returns true when it gave the stack more to do. */
export type DrainHook = (host: SimHost) => boolean;

/** Firings of one host's timers at one deadline that no timer needs (a stuck timer beyond). */
export const MAX_SAME_DEADLINE = 10_000;

/** A stack's timer that is still due at the same deadline after firing MAX_SAME_DEADLINE times. */
export class StuckTimerError extends Error {
  constructor(
    readonly host: string,
    /** The deadline (ms) that stays due. */
    readonly at: number,
  ) {
    super(`${host}: the stack's timer at ${at} ms fires without end`);
    this.name = 'StuckTimerError';
  }
}

interface Node {
  host: SimHost;
  links: Map<Node, SimLink>;
  /** The deadline this host's timers last fired at (NaN before any), and its repeats in a row. */
  firedAt: number;
  firedAgain: number;
}

interface Delivery {
  to: Node;
  bytes: Uint8Array;
  /**
   * The bytes are those a stack emitted, unchanged (not a corrupted copy, not sendRaw's): their
   * checksums are right by construction and the receiving stack need not verify them again.
   */
  verified: boolean;
}

export class SimNetwork {
  readonly rng: SeededRng;
  readonly seed: number | undefined;
  readonly trace: SimTraceEvent[] = [];
  private readonly record: boolean;
  private readonly nodes: Node[] = [];
  private readonly byHost = new Map<SimHost, Node>();
  /** Hosts by address: IPv4 as a u32, IPv6 as its RFC 5952 text. */
  private readonly byAddress = new Map<number | string, Node>();
  private readonly flight = new FlightQueue<Delivery>();
  private readonly actions = new FlightQueue<() => void>();
  private readonly packetListeners: Array<(p: PacketRecord) => void> = [];
  private readonly eventListeners: Array<(e: HostEvent) => void> = [];
  private readonly hooks: DrainHook[] = [];
  private packetIds = 0;
  private clock = 0;

  constructor(options: number | SimNetworkOptions = {}) {
    const o = typeof options === 'number' ? { seed: options } : options;
    this.seed = o.rng === undefined ? (o.seed ?? 1) : o.seed;
    this.rng = o.rng ?? new SeededRng(o.seed ?? 1);
    this.record = o.record ?? true;
  }

  get now(): number {
    return this.clock;
  }

  /**
   * Adds a host with its own stack (its RNG is forked from the network's, so it is seeded too).
   * `address` is IPv4 or IPv6; `opts.address6` gives an IPv4 host an IPv6 address too.
   */
  addHost(
    name: string,
    address: string,
    opts: Partial<Omit<StackOptions, 'address' | 'rng'>> = {},
  ): SimHost {
    this.checkAddress(address);
    if (opts.address6 !== undefined) this.checkAddress(opts.address6);
    return this.addStack(name, new Stack({ ...opts, address, rng: this.rng.fork() }));
  }

  /** Adds a host whose stack the caller made (and seeded). */
  addStack(name: string, stack: Stack): SimHost {
    const addresses = [stack.address4, stack.address6].flatMap((a) =>
      a === undefined ? [] : [this.checkAddress(a)],
    );
    const host = { name, stack };
    const node: Node = {
      host,
      links: new Map<Node, SimLink>(),
      firedAt: Number.NaN,
      firedAgain: 0,
    };
    this.nodes.push(node);
    this.byHost.set(host, node);
    for (const a of addresses) this.byAddress.set(a, node);
    return host;
  }

  /** Joins two hosts; faults may differ per direction. Both directions draw from `rng`. */
  link(a: SimHost, b: SimHost, ab: Partial<LinkFaults> = {}, ba: Partial<LinkFaults> = ab): void {
    this.node(a).links.set(this.node(b), new SimLink(this.rng, ab));
    this.node(b).links.set(this.node(a), new SimLink(this.rng, ba));
  }

  /** Applies a fault to the direction from → to, now. */
  fault(from: SimHost, to: SimHost, fault: Fault): void {
    this.direction(from, to).apply(this.clock, fault);
  }

  /** The standing settings of the direction from → to. */
  faults(from: SimHost, to: SimHost): Readonly<LinkFaults> {
    return this.direction(from, to).faults;
  }

  /** Changes the faults of one direction from now on. */
  setFaults(from: SimHost, to: SimHost, faults: Partial<LinkFaults>): void {
    this.fault(from, to, { kind: 'set', faults });
  }

  /** Cuts both directions between two hosts during [from, to) (to: Infinity for good). */
  partition(a: SimHost, b: SimHost, from: number, to = Number.POSITIVE_INFINITY): void {
    this.fault(a, b, { kind: 'partition', from, to });
    this.fault(b, a, { kind: 'partition', from, to });
  }

  /** Runs `fn` at virtual time `at` (user calls of a scenario, fault changes). */
  at(at: number, fn: () => void): void {
    this.actions.push(Math.max(at, this.clock), fn);
  }

  /** Every packet sent, with its fate, as it is sent. */
  onPacket(listener: (p: PacketRecord) => void): void {
    this.packetListeners.push(listener);
  }

  /** Every stack event, tagged with its host, as it comes out. */
  onEvent(listener: (e: HostEvent) => void): void {
    this.eventListeners.push(listener);
  }

  /** Runs after each host is drained (an application reading and writing, say). */
  addHook(hook: DrainHook): void {
    this.hooks.push(hook);
  }

  /** Drains every stack's output and events at the current time (after user calls). */
  flush(): void {
    // Draining a stack cannot give another stack work (packets go into flight), so one pass is
    // enough unless a hook or a listener may have called the stacks.
    const again = this.hooks.length > 0 || this.eventListeners.length > 0;
    for (let busy = true; busy; ) {
      busy = false;
      for (const node of this.nodes) if (this.drain(node)) busy = again;
    }
  }

  /** Puts a raw IP packet on the wire from `from`, as if its stack had sent it (tests, fuzzing). */
  sendRaw(from: SimHost, packet: Uint8Array): void {
    this.send(this.node(from), packet, false);
  }

  /** The next instant something happens, or undefined when the network is idle. */
  nextDeadline(): number | undefined {
    let next = earliest(this.flight.peek(), this.actions.peek());
    for (const n of this.nodes) next = earliest(next, n.host.stack.pollTimeout());
    return next === undefined ? undefined : Math.max(next, this.clock);
  }

  /** Advances to the next deadline and runs what is due. Returns false when idle. */
  step(): boolean {
    this.flush();
    const next = this.nextDeadline();
    if (next === undefined) return false;
    this.advance(next);
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
      this.advance(next);
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
      this.advance(next);
    }
    return done();
  }

  /** State changes of one host, in order (from the recorded trace). */
  transitions(host: SimHost): TransitionEvent[] {
    const out: TransitionEvent[] = [];
    for (const e of this.trace) {
      if (e.type === 'event' && e.host === host.name && e.event.type === 'transition')
        out.push(e.event.event);
    }
    return out;
  }

  /** A pcap of every packet sent (whatever its fate, by default) or of those in `fates`. */
  toPcap(fates?: readonly PacketFate[]): Uint8Array {
    const w = new PcapWriter();
    for (const e of this.trace) {
      if (e.type !== 'packet') continue;
      if (fates !== undefined && !fates.includes(e.fate)) continue;
      w.addPacket(e.t, e.bytes);
    }
    return w.toBytes();
  }

  /** Moves the clock to `next` (the next deadline, stacks drained) and runs what is due then. */
  private advance(next: number): void {
    this.clock = next;
    for (let d = this.flight.popDue(next); d !== undefined; d = this.flight.popDue(next)) {
      d.to.host.stack.handlePacket(next, d.bytes, d.verified);
    }
    for (const n of this.nodes) this.fireTimers(n, next);
    this.flush();
    for (let a = this.actions.popDue(next); a !== undefined; a = this.actions.popDue(next)) {
      a();
      this.flush();
    }
  }

  /** Fires a host's due timers, unless the same deadline keeps coming back (a stack bug). */
  private fireTimers(node: Node, now: number): void {
    const due = node.host.stack.pollTimeout();
    if (due === undefined || due > now) return;
    node.firedAgain = due === node.firedAt ? node.firedAgain + 1 : 0;
    node.firedAt = due;
    if (node.firedAgain > MAX_SAME_DEADLINE) throw new StuckTimerError(node.host.name, due);
    fireDueTimers(node.host.stack, now);
  }

  private checkAddress(address: string): number | string {
    const v6 = parseIpv4Address(address) === undefined ? parseIpv6Address(address) : undefined;
    const n = v6 === undefined ? parseIpv4Address(address) : formatIpv6(v6);
    if (n === undefined) throw new RangeError(`addHost(): ${address} is not an IP address`);
    if (this.byAddress.has(n)) throw new RangeError(`addHost(): ${address} is taken`);
    return n;
  }

  private node(host: SimHost): Node {
    const n = this.byHost.get(host);
    if (n === undefined) throw new RangeError(`${host.name} is not a host of this network`);
    return n;
  }

  private direction(from: SimHost, to: SimHost): SimLink {
    const l = this.node(from).links.get(this.node(to));
    if (l === undefined) throw new RangeError(`no link from ${from.name} to ${to.name}`);
    return l;
  }

  /** One pass over one host; true when anything moved. */
  private drain(node: Node): boolean {
    const stack = node.host.stack;
    let busy = false;
    for (
      let p = stack.pollTransmit(this.clock);
      p !== undefined;
      p = stack.pollTransmit(this.clock)
    ) {
      this.send(node, p, true);
      busy = true;
    }
    for (let e = stack.pollEvent(); e !== undefined; e = stack.pollEvent()) {
      busy = true;
      if (!this.record && this.eventListeners.length === 0) continue;
      const tagged: HostEvent = { type: 'event', t: this.clock, host: node.host.name, event: e };
      if (this.record) this.trace.push(tagged);
      for (const l of this.eventListeners) l(tagged);
    }
    for (const hook of this.hooks) if (hook(node.host)) busy = true;
    return busy;
  }

  /**
   * The narrow link's router answers a packet too big for it (router.ts): its ICMP error
   * reaches the sender one link latency later, recorded as a packet from `router`.
   */
  private routerAnswer(sender: Node, bytes: Uint8Array, faults: Readonly<LinkFaults>): void {
    const icmp = tooBigAnswer(bytes, faults.mtu);
    if (icmp === undefined) return;
    const at = this.clock + faults.latency;
    this.flight.push(at, { to: sender, bytes: icmp, verified: false });
    const packetId = this.packetIds++;
    if (!this.record && this.packetListeners.length === 0) return;
    const record: PacketRecord = {
      type: 'packet',
      packetId,
      t: this.clock,
      tArrive: at,
      from: ROUTER_NAME,
      to: sender.host.name,
      fate: 'delivered',
      bytes: icmp,
    };
    for (const l of this.packetListeners) l(record);
    if (this.record) this.trace.push(record);
  }

  /** `emitted`: the packet came from a stack's pollTransmit (so its checksums are right). */
  private send(from: Node, bytes: Uint8Array, emitted: boolean): void {
    const packetId = this.packetIds++;
    const dst = destination(bytes);
    const to = dst === undefined ? undefined : this.byAddress.get(dst);
    const link = to === undefined ? undefined : from.links.get(to);
    let fate: PacketFate = 'unroutable';
    let tArrive: number | undefined;
    if (to !== undefined && link !== undefined) {
      const verdict = link.send(this.clock, bytes);
      fate = verdict.fate;
      if (fate === 'too-big') this.routerAnswer(from, bytes, link.faults);
      for (const a of verdict.arrivals) {
        // A corrupted arrival is a copy with a bit flipped: only the very bytes sent are vouched for.
        this.flight.push(a.at, { to, bytes: a.bytes, verified: emitted && a.bytes === bytes });
      }
      tArrive = verdict.arrivals[0]?.at;
    }
    if (!this.record && this.packetListeners.length === 0) return;
    const record: PacketRecord = {
      type: 'packet',
      packetId,
      t: this.clock,
      from: from.host.name,
      to: to?.host.name ?? destinationText(bytes),
      fate,
      bytes,
      ...(tArrive === undefined ? {} : { tArrive }),
    };
    for (const l of this.packetListeners) l(record);
    if (this.record) this.trace.push({ ...record, tcp: summarize(bytes) });
  }
}

function isIpv6(bytes: Uint8Array): boolean {
  return bytes.length >= 40 && bytes[0] >> 4 === 6;
}

/** The destination's key in `byAddress`: IPv4 as a u32, IPv6 as text. */
function destination(bytes: Uint8Array): number | string | undefined {
  if (isIpv6(bytes)) return formatIpv6(bytes, 24);
  return bytes.length >= 20
    ? ((bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]) >>> 0
    : undefined;
}

function destinationText(bytes: Uint8Array): string {
  if (isIpv6(bytes)) return formatIpv6(bytes, 24);
  return bytes.length >= 20 ? `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}` : '';
}

function summarize(bytes: Uint8Array): TcpSummary | undefined {
  const p = parseAnyTcpPacket(bytes, false);
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
