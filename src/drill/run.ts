/**
 * Plays a packetdrill script against a fresh tcpstate Stack in virtual time: system calls go
 * to a socket table over the stack, `<` segments are injected, `>` segments must come out of
 * the stack within the script's tolerance, and timers fire as virtual time passes (a 60 s
 * TIME_WAIT takes no real time). The outcome is pass, fail (the first mismatch, with its line)
 * or unsupported (the construct this runner cannot play).
 *
 * Timing follows packetdrill: `+t` counts from the previous event, and after an outbound
 * segment from the moment it was actually sent, so one late segment does not shift the rest.
 *
 * The stack is the one host of a SimNetwork, the stepper every virtual-time user shares: it
 * fires the timers, drains the stack (its packets, addressed to no host of that network, come
 * out through `onPacket`) and retries a blocked call after each drain. The script is the peer:
 * its segments are handed to the stack at their time. The script clock is in µs; the stack's
 * and the stepper's are in ms (µs / 1000).
 *
 * Layer drill/ (beside scenario/ and capture/): may import scenario/, capture/, link/sim/,
 * stack/, tcp/, wire/, state/, util/. Must not: import net/, link/tun/, host/, render/ or the user
 * interfaces, or read a clock or use Math.random: the runner also runs in a browser
 * (lint/layers.cjs, biome.json).
 */

import {
  type HostEvent,
  type PacketRecord,
  SimNetwork,
  StuckTimerError,
} from '../link/sim/network.js';
import type { CapturedPacket } from '../scenario/story.js';
import { icmpErrorPacket, icmpv6ErrorPacket, icmpv6ForIcmp } from '../stack/icmp.js';
import { Stack } from '../stack/stack.js';
import { type TransitionEvent, transitionText } from '../state/events.js';
import type { TcpState } from '../state/states.js';
import type { ConnectionInfo } from '../tcp/connection.js';
import { type ConnectionConfig, DEFAULT_CONFIG } from '../tcp/types.js';
import { SeededRng } from '../util/rng.js';
import { parseIpv4Address } from '../wire/address.js';
import { isIpv4Mapped, parseIpv6Address } from '../wire/address6.js';
import { emitPacket } from '../wire/packet.js';
import { emitPacket6, parseAnyTcpPacket } from '../wire/packet6.js';
import type { TcpSegment } from '../wire/types.js';
import type {
  CodeEvent,
  CommandEvent,
  Expr,
  PacketEvent,
  Script,
  ScriptEvent,
  SyscallEvent,
} from './ast.js';
import {
  compareOutbound,
  formatRelative,
  formatSpec,
  inboundSegment,
  type SeqMap,
  specFlags,
} from './packets.js';
import { parseScript } from './parse.js';
import { PROFILES, type Profile, type ProfileName, sysctlEffect } from './profile.js';
import { runPython } from './python.js';
import {
  type CallResult,
  CallUnsupported,
  type Socket,
  SocketTable,
  WOULD_BLOCK,
} from './sockets.js';

export interface DrillOptions {
  /** The system the script was written for (default: the script's --tcpstate_profile, else freebsd). */
  profile?: ProfileName;
  /** Names defined for `#ifdef` (default STANDARD: the RFC's behaviour, not FreeBSD's own). */
  defines?: ReadonlySet<string>;
  /** Seeds the stack's ISNs and ports, and the remote ISN (default 1). */
  seed?: number;
  /** packetdrill's `-D NAME=VALUE` (ParseOptions.macros). */
  macros?: ReadonlyMap<string, string>;
  /**
   * Reads a file a command names, relative to the script (`../common/defaults.sh`, which
   * every gtest runs first): its sysctl lines are read as if the script had them. Without it,
   * or when it answers undefined, such a command is listed as skipped.
   */
  readFile?: (path: string) => string | undefined;
}

/** A check the runner loosened for this script, and why. */
export interface Relaxation {
  line: number;
  check: string;
  why: string;
}

export type DrillOutcome =
  | { status: 'pass' }
  | {
      status: 'fail';
      line: number;
      message: string;
      expected?: string;
      actual?: string;
    }
  | { status: 'unsupported'; line: number; construct: string };

export interface DrillResult {
  outcome: DrillOutcome;
  /** Checks loosened (empty when the script ran exactly). */
  relaxations: Relaxation[];
  /** Shell commands read but not run, with what was done instead. */
  commands: Array<{ line: number; command: string; handled: string }>;
  /** Events played before the outcome. */
  eventsRun: number;
  /** Segments the stack sent after the last one the script expected (not checked). */
  unchecked: string[];
  /**
   * What happened, in order: `< …` injected, `> …` sent, system calls with what they returned,
   * state changes. Times in µs of virtual time; `line` is the script line being played.
   */
  log: Array<{ t: number; line: number; text: string }>;
  /** Every IPv4 packet both ways, with its time in ms, for a pcap file. */
  packets: CapturedPacket[];
  /** The stack's transitions (times in ms of virtual time), for a report that wants the story. */
  transitions: TransitionEvent[];
}

const DEFAULT_DEFINES: ReadonlySet<string> = new Set(['STANDARD']);

/** packetdrill's defaults: the kernel under test at 192.168.0.1, the remote at 192.0.2.1. */
export const LOCAL_ADDRESS = '192.168.0.1';
export const REMOTE_ADDRESS = '192.0.2.1';
/**
 * packetdrill's IPv6 defaults (config.c): the local end in its ULA prefix fd3d:fa7b:d17d::/48,
 * the remote in the documentation prefix (RFC 3849).
 */
export const LOCAL_ADDRESS6 = 'fd3d:fa7b:d17d::1';
export const REMOTE_ADDRESS6 = '2001:db8::1';

/**
 * `--ip_version`: IPv4 packets and sockets, IPv6 ones, or IPv4 packets to an IPv6 socket
 * (a dual-stack socket talking to an IPv4 peer, named ::ffff:a.b.c.d).
 */
export type IpVersion = 'ipv4' | 'ipv6' | 'ipv4-mapped-ipv6';
const IP_VERSIONS: readonly string[] = ['ipv4', 'ipv6', 'ipv4-mapped-ipv6'];
/** packetdrill's --bind_port and --connect_port default. */
const DEFAULT_PORT = 8080;
/** The remote port of connections the script's remote side opens. */
const REMOTE_PORT = 49152;
/** packetdrill's default --tolerance_usecs. */
const DEFAULT_TOLERANCE_US = 4000;

class Failure extends Error {
  constructor(readonly outcome: Exclude<DrillOutcome, { status: 'pass' }>) {
    super(outcome.status === 'fail' ? outcome.message : outcome.construct);
  }
}

function fail(line: number, message: string, expected?: string, actual?: string): never {
  throw new Failure({ status: 'fail', line, message, expected, actual });
}

function unsupported(line: number, construct: string): never {
  throw new Failure({ status: 'unsupported', line, construct });
}

interface Sent {
  /** Microseconds of virtual time. */
  t: number;
  seg: TcpSegment;
  /** The IP header's ECN field (RFC 3168 5), the rest of its TOS byte, and its TTL. */
  ecn: number;
  dscp: number;
  ttl: number;
}

/** packetdrill's ECN marks as the IP header's ECN field (`[ect01]` is played as ECT(1)). */
const ECN_FIELD: Readonly<Record<NonNullable<PacketEvent['ecn']>, number>> = {
  noecn: 0,
  ect1: 1,
  ect0: 2,
  ce: 3,
  ect01: 1,
};

/** A result with nothing played: for a script that cannot start. */
export function emptyResult(outcome: DrillOutcome): DrillResult {
  return {
    outcome,
    relaxations: [],
    commands: [],
    eventsRun: 0,
    unchecked: [],
    transitions: [],
    log: [],
    packets: [],
  };
}

/** Runs the script text: parse, then play. */
export function runScriptText(text: string, options: DrillOptions = {}): DrillResult {
  const parsed = parseScript(text, {
    defines: options.defines ?? DEFAULT_DEFINES,
    ...(options.macros === undefined ? {} : { macros: options.macros }),
  });
  if (!parsed.ok) {
    const { line, message } = parsed.error;
    const outcome: DrillOutcome = parsed.error.unsupported
      ? { status: 'unsupported', line, construct: message }
      : { status: 'fail', line, message: `syntax: ${message}` };
    return emptyResult(outcome);
  }
  return runScript(parsed.script, options);
}

export function runScript(script: Script, options: DrillOptions = {}): DrillResult {
  const setup = readSetup(script);
  if ('error' in setup) return emptyResult(setup.error);
  return new Drill(script, setup, options).run();
}

/** Addresses and ports from the script's options lines, packetdrill's defaults otherwise. */
interface Setup {
  /** `--tcpstate_profile=linux`: the profile a script asks for (freebsd when it says nothing). */
  profile: ProfileName;
  ip: IpVersion;
  /** The addresses the packets carry: IPv6 for ipv6, IPv4 otherwise. */
  local: string;
  remote: string;
  /** The remote address as the sockets name it (IPv4-mapped for ipv4-mapped-ipv6). */
  socketRemote: string;
  bindPort: number;
  connectPort: number;
}

function readSetup(script: Script): Setup | { error: Exclude<DrillOutcome, { status: 'pass' }> } {
  const o = script.options;
  if (o.has('udp_encapsulation')) {
    return {
      error: {
        status: 'unsupported',
        line: 0,
        construct: `--udp_encapsulation=${o.get('udp_encapsulation')} (TCP over UDP, RFC 6951: not modelled)`,
      },
    };
  }
  const ip = o.get('ip_version') ?? 'ipv4';
  if (!IP_VERSIONS.includes(ip)) {
    return {
      error: {
        status: 'fail',
        line: 0,
        message: `--ip_version=${ip}: not one of ${IP_VERSIONS.join(', ')}`,
      },
    };
  }
  const v6 = ip === 'ipv6';
  const address = (name: string, fallback: string): string | undefined => {
    const v = o.get(name) ?? fallback;
    if (!v6) return parseIpv4Address(v) === undefined ? undefined : v;
    const bytes = parseIpv6Address(v);
    return bytes === undefined || isIpv4Mapped(bytes) ? undefined : v;
  };
  const port = (name: string): number | undefined => {
    const v = Number(o.get(name) ?? DEFAULT_PORT);
    return Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined;
  };
  const profile = o.get('tcpstate_profile') ?? 'freebsd';
  if (!Object.hasOwn(PROFILES, profile)) {
    const known = Object.keys(PROFILES).join(', ');
    return {
      error: {
        status: 'fail',
        line: 0,
        message: `--tcpstate_profile=${profile}: not one of ${known}`,
      },
    };
  }
  const local = address('local_ip', v6 ? LOCAL_ADDRESS6 : LOCAL_ADDRESS);
  const remote = address('remote_ip', v6 ? REMOTE_ADDRESS6 : REMOTE_ADDRESS);
  const bindPort = port('bind_port');
  const connectPort = port('connect_port');
  for (const [name, v] of [
    ['local_ip', local],
    ['remote_ip', remote],
    ['bind_port', bindPort],
    ['connect_port', connectPort],
  ] as const) {
    if (v === undefined) {
      const given = o.get(name);
      const family = name.endsWith('_ip')
        ? ` (not an ${v6 ? 'IPv6' : 'IPv4'} address for --ip_version=${ip})`
        : '';
      return {
        error: { status: 'fail', line: 0, message: `--${name}=${given}: not valid${family}` },
      };
    }
  }
  const remoteText = remote ?? REMOTE_ADDRESS;
  return {
    profile: profile as ProfileName,
    ip: ip as IpVersion,
    local: local ?? LOCAL_ADDRESS,
    remote: remoteText,
    socketRemote: ip === 'ipv4-mapped-ipv6' ? `::ffff:${remoteText}` : remoteText,
    bindPort: bindPort ?? DEFAULT_PORT,
    connectPort: connectPort ?? DEFAULT_PORT,
  };
}

class Drill {
  private readonly profile: Profile;
  private readonly stack: Stack;
  private readonly sim = new SimNetwork({ record: false });
  private readonly sockets: SocketTable;
  private readonly tolerance: number;
  private readonly config: Partial<ConnectionConfig>;
  private readonly map: SeqMap;
  private readonly result: DrillResult;
  /** Virtual time in microseconds. */
  private now = 0;
  /** The time `+t` counts from. */
  private base = 0;
  private readonly sent: Sent[] = [];
  /** One past the highest sequence number each flow (by ports) has sent: new data or resent. */
  private readonly highestSent = new Map<string, number>();
  private flow = { localPort: 0, remotePort: REMOTE_PORT };
  /**
   * packetdrill's socket under test is a listener (listen() was the last to name one): the
   * next SYN opens a child, from a new ephemeral remote port when the old one is taken
   * (run_packet.c, find_or_create_socket_for_script_packet).
   */
  private listenerUnderTest = false;
  private portsUsed = 0;
  private blocked: { event: SyscallEvent; startedAt: number } | undefined;
  /** The line of the event being played, for failures found while time passes. */
  private line = 0;
  private readonly standard: boolean;
  private readonly timeWaitReuse: boolean;
  private readonly readFile: DrillOptions['readFile'];
  /** The stack's ISN that fixed the map's numbers (its connection's SYN). */
  private isnSeen: number | undefined;

  constructor(
    private readonly script: Script,
    private readonly setup: Setup,
    options: DrillOptions,
  ) {
    this.profile = PROFILES[options.profile ?? setup.profile];
    this.readFile = options.readFile;
    // Every setting explicit, so that SO_RCVBUF and the like read the values the stack uses.
    this.config = { ...DEFAULT_CONFIG, ...this.profile.config };
    this.flow.localPort = setup.bindPort;
    const rng = new SeededRng(options.seed ?? 1);
    this.map = { localIsn: 0, remoteIsn: rng.nextU32(), tsValOffset: undefined };
    // The FreeBSD branches expect FreeBSD's extensions of RFC 9293 (TIME_WAIT reuse and its
    // tcp_twcheck, drop_synfin); STANDARD ones expect the RFC's processing alone.
    this.standard = !(options.defines ?? DEFAULT_DEFINES).has('FreeBSD');
    if (!this.standard) this.config.timeWaitInput = 'freebsd';
    this.timeWaitReuse = !this.standard || this.profile.timeWaitReuse;
    // --mtu: the MSS our SYN offers is the MTU less the IPv4 and TCP headers.
    const mtu = Number(script.options.get('mtu'));
    if (Number.isInteger(mtu) && mtu > 40) this.config.mss = mtu - 40;
    this.stack = new Stack({
      // --mtu: IPv6 connections offer 20 bytes less (their header is 40 bytes).
      ...(Number.isInteger(mtu) && mtu > 40 ? { mtu } : {}),
      address: setup.local,
      rng,
      config: this.config,
      timeWaitReuse: this.timeWaitReuse,
    });
    // FreeBSD stops Fast Open to a server that sent a malformed cookie; Linux ignores it.
    this.stack.fastOpen.invalidCookieDisables = this.profile.name === 'freebsd';
    this.sim.addStack('drill', this.stack);
    this.sim.onPacket((p) => this.onSent(p));
    this.sim.onEvent((e) => this.onStackEvent(e));
    this.sim.addHook(() => this.retryBlocked());
    this.sockets = new SocketTable(
      this.stack,
      () => this.config,
      setup.socketRemote,
      { bind: setup.bindPort, connect: setup.connectPort },
      (localPort, remotePort) => {
        this.flow = { localPort, remotePort: remotePort ?? REMOTE_PORT };
      },
    );
    // An IPv6 socket listens on `::`, which takes IPv4 (mapped) connections too.
    if (setup.ip === 'ipv4-mapped-ipv6') this.sockets.listenAddress = '::';
    this.sockets.linuxBuffers = this.profile.name === 'linux';
    this.sockets.linuxSendWait = this.profile.name === 'linux';
    const tol = Number(script.options.get('tolerance_usecs') ?? DEFAULT_TOLERANCE_US);
    this.tolerance = Number.isFinite(tol) && tol >= 0 ? tol : DEFAULT_TOLERANCE_US;
    this.result = emptyResult({ status: 'pass' });
  }

  run(): DrillResult {
    try {
      for (const event of this.script.events) {
        this.play(event);
        this.result.eventsRun++;
      }
      if (this.blocked !== undefined) {
        fail(this.blocked.event.line, `${this.blocked.event.name}() never returned`);
      }
      // packetdrill checks no segment after the script's last event; report, do not judge.
      for (const x of this.sent) {
        this.result.unchecked.push(`> ${formatRelative(x.seg, this.map)} at ${seconds(x.t)} s`);
      }
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      this.result.outcome = e.outcome;
    }
    // Outbound segments are logged when matched: put everything back in time order (stable).
    this.result.log.sort((a, b) => a.t - b.t);
    return this.result;
  }

  // --- time ---

  private eventTime(event: ScriptEvent): { at: number; lo: number; hi: number } {
    const t = event.time;
    switch (t.kind) {
      case 'absolute':
        return { at: t.usecs, lo: t.usecs - this.tolerance, hi: t.usecs + this.tolerance };
      case 'relative': {
        const at = this.base + t.usecs;
        return { at, lo: at - this.tolerance, hi: at + this.tolerance };
      }
      case 'range': {
        const lo = (t.relative ? this.base : 0) + t.lowUsecs;
        const hi = (t.relative ? this.base : 0) + t.highUsecs;
        return { at: lo, lo: lo - this.tolerance, hi: hi + this.tolerance };
      }
      case 'any':
        return { at: this.now, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY };
    }
  }

  /**
   * Lets virtual time pass to `until` (µs), firing the stack's timers on the way; with
   * `stopAtPacket`, only until the stack has sent a segment the script has not matched yet.
   */
  private advance(until: number, stopAtPacket = false): void {
    const opts = { until: until / 1000, maxSteps: Number.POSITIVE_INFINITY };
    try {
      // runUntil leaves the clock where it stopped; run() then moves it to the bound.
      if (!stopAtPacket || !this.sim.runUntil(() => this.sent.length > 0, opts)) this.sim.run(opts);
    } catch (e) {
      if (!(e instanceof StuckTimerError)) throw e;
      fail(this.line, `the stack's timer at ${seconds(e.at * 1000)} s fires without end`);
    }
    if (!(stopAtPacket && this.sent.length > 0) && until !== Number.POSITIVE_INFINITY) {
      this.now = Math.max(this.now, until);
    }
  }

  /**
   * The script clock catches up with the stepper's after a timer fired. When the two agree
   * (µs / 1000 is the stepper's ms), nothing changes: ms × 1000 need not give the µs back.
   */
  private tick(): void {
    if (this.sim.now !== this.ms()) this.now = Math.max(this.now, this.sim.now * 1000);
  }

  private log(text: string): void {
    this.result.log.push({ t: this.now, line: this.line, text });
  }

  private ms(): number {
    return this.now / 1000;
  }

  /** A segment the stack sent, kept for the script's next `>` line. */
  private onSent(p: PacketRecord): void {
    this.tick();
    const parsed = parseAnyTcpPacket(p.bytes);
    this.result.packets.push({ time: this.ms(), bytes: p.bytes.slice() });
    if (!parsed.ok) fail(this.line, `the stack sent a malformed packet (${parsed.reason})`);
    // IPv4's TOS byte and TTL, or IPv6's traffic class (across bytes 0-1) and hop limit.
    const b = p.bytes;
    const v6 = b[0] >> 4 === 6;
    const tc = v6 ? ((b[0] & 0x0f) << 4) | (b[1] >> 4) : b[1];
    const [ecn, dscp, ttl] = [tc & 3, tc & 0xfc, v6 ? b[7] : b[8]];
    this.sent.push({ t: this.now, seg: parsed.value.tcp, ecn, dscp, ttl });
  }

  /** What happened to the stack's connections: to the socket table, and state changes logged. */
  private onStackEvent({ event: e }: HostEvent): void {
    this.tick();
    this.sockets.onEvent(e);
    if (e.type !== 'transition') return;
    this.result.transitions.push(e.event);
    this.log(transitionText(e.event));
  }

  // --- events ---

  private play(event: ScriptEvent): void {
    this.line = event.line;
    if (event.kind === 'packet' && event.direction === 'outbound') {
      this.expectOutbound(event);
      return;
    }
    const { at } = this.eventTime(event);
    this.advance(at);
    this.base = Math.max(at, this.base);
    if (event.kind === 'packet') this.inject(event);
    else if (event.kind === 'syscall') this.syscall(event);
    else if (event.kind === 'code') this.code(event);
    else this.command(event);
    this.sim.flush();
  }

  /** An ICMP error quoting the stack's segment at the script's sequence number. */
  private injectIcmp(event: PacketEvent, icmp: NonNullable<PacketEvent['icmp']>): void {
    const syn = event.tcp.flags.includes('S');
    const seq =
      (this.map.localIsn + (event.tcp.seq?.start ?? 0) - (syn ? (this.map.localBase ?? 0) : 0)) >>>
      0;
    const quoted = this.emitSegment(this.setup.local, this.setup.remote, {
      srcPort: this.flow.localPort,
      dstPort: this.flow.remotePort,
      seq,
      ack: 0,
      flags: specFlags('.'),
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(0),
    });
    if (this.setup.ip === 'ipv6') {
      this.injectIcmpv6(event, icmp, quoted);
      return;
    }
    const packet = icmpErrorPacket(this.setup.remote, icmp.type, icmp.code, quoted, icmp.mtu);
    this.result.packets.push({ time: this.ms(), bytes: packet.slice() });
    this.log(`< icmp ${icmp.type}/${icmp.code} [${event.tcp.seq?.start ?? 0}]`);
    this.stack.handlePacket(this.ms(), packet);
  }

  /**
   * The ICMPv6 twin of an ICMP error (RFC 4443): destination unreachable for unreachable,
   * packet too big for fragmentation needed, quoting the IPv6 header and 8 bytes of TCP.
   */
  private injectIcmpv6(
    event: PacketEvent,
    icmp: NonNullable<PacketEvent['icmp']>,
    quoted: Uint8Array,
  ): void {
    const { type, code } = icmpv6ForIcmp(icmp.type, icmp.code);
    const src = parseIpv6Address(this.setup.remote) as Uint8Array;
    const packet = icmpv6ErrorPacket(src, type, code, quoted, icmp.mtu);
    this.result.packets.push({ time: this.ms(), bytes: packet.slice() });
    this.log(`< icmp6 ${type}/${code} [${event.tcp.seq?.start ?? 0}]`);
    this.stack.handlePacket(this.ms(), packet);
  }

  /**
   * A TCP packet between two addresses of the script's IP version. `tos`: IPv4's TOS byte or IPv6's traffic class (DSCP and ECN); `ttl`: TTL or hop limit. */
  private emitSegment(
    src: string,
    dst: string,
    seg: TcpSegment,
    tos = 0,
    ttl?: number,
  ): Uint8Array {
    if (this.setup.ip !== 'ipv6') return emitPacket({ src, dst, tos, ttl }, seg);
    return emitPacket6(
      {
        src: parseIpv6Address(src) as Uint8Array,
        dst: parseIpv6Address(dst) as Uint8Array,
        trafficClass: tos,
        hopLimit: ttl,
      },
      seg,
    );
  }

  private inject(event: PacketEvent): void {
    if (event.icmp !== undefined) {
      this.injectIcmp(event, event.icmp);
      return;
    }
    const spec = event.tcp;
    if (spec.seq === undefined) fail(event.line, 'an inbound segment needs a sequence number');
    const bareSyn = spec.flags.includes('S') && !spec.flags.includes('.');
    if (bareSyn && this.listenerUnderTest) {
      this.listenerUnderTest = false;
      if (this.stack.find(this.flow.localPort, this.remoteEnd()) !== undefined) {
        this.flow = { ...this.flow, remotePort: REMOTE_PORT + ++this.portsUsed };
      }
    }
    if (/S/.test(spec.flags) && this.opensConnection(bareSyn)) {
      this.map.remoteBase = spec.seq.start;
    }
    const seg = inboundSegment(spec, this.map, {
      src: this.flow.remotePort,
      dst: this.flow.localPort,
    });
    let packet: Uint8Array;
    try {
      const tos = ((event.ip?.tos ?? 0) & 0xfc) | ECN_FIELD[event.ecn ?? 'noecn'];
      packet = this.emitSegment(this.setup.remote, this.setup.local, seg, tos, event.ip?.ttl);
    } catch (e) {
      // More than an IP packet holds, or more than 40 bytes of options.
      fail(event.line, `this segment cannot be sent: ${(e as Error).message}`);
    }
    this.result.packets.push({ time: this.ms(), bytes: packet.slice() });
    this.log(`< ${formatSpec(spec)}`);
    this.stack.handlePacket(this.ms(), packet);
  }

  /** A segment of the flow the script plays (before the first, any segment is). */
  private underTest(seg: TcpSegment): boolean {
    const { localPort, remotePort } = this.flow;
    return localPort === 0 || (seg.srcPort === localPort && seg.dstPort === remotePort);
  }

  /** The remote end of the flow the script plays. */
  private remoteEnd(): { address: string; port: number } {
    return { address: this.setup.remote, port: this.flow.remotePort };
  }

  /**
   * Whether a SYN now would start a connection: none on the flow, ours in SYN_SENT, or (a SYN
   * without ACK, where the profile reopens TIME_WAIT: Linux's scripts number it from its own
   * sequence number) one in TIME_WAIT.
   */
  private opensConnection(bareSyn = false): boolean {
    const conn = this.stack.find(this.flow.localPort, this.remoteEnd());
    if (conn?.state === 'TIME_WAIT') return bareSyn && this.profile.timeWaitReuse;
    return conn === undefined || conn.state === 'SYN_SENT' || conn.state === 'CLOSED';
  }

  private expectOutbound(event: PacketEvent): void {
    const { at, lo, hi } = this.eventTime(event);
    this.advance(hi, true);
    // packetdrill sniffs only the socket under test's segments and frees the rest
    // (run_packet.c, find_socket_for_live_packet): a socket the script left behind (its FIN
    // after close()) does not stand in for the one it now plays.
    while (this.sent.length > 0 && !this.underTest(this.sent[0].seg)) this.sent.shift();
    const next = this.coalesced(event.tcp, this.sent.shift());
    const want = `> ${formatSpec(event.tcp)}`;
    if (next === undefined) {
      const by = hi === Number.POSITIVE_INFINITY ? 'at any time' : `by ${seconds(hi)} s`;
      fail(event.line, `expected a segment ${by}; the stack sent nothing`, want);
    }
    const spec = event.tcp;
    // The first SYN we send (or any SYN whose sequence the script leaves open with `...`)
    // fixes the stack's ISN for the relative numbers that follow.
    // A SYN with another ISN than the one that fixed the map opens another connection (a
    // script that connects again): its numbers count from its own ISN, as in packetdrill.
    const newIsn = next.seg.flags.syn && next.seg.seq !== this.isnSeen;
    if (next.seg.flags.syn && (spec.seq === undefined || this.map.localIsn === 0 || newIsn)) {
      this.map.localIsn = next.seg.seq;
      this.map.localBase = spec.seq?.start ?? 0;
      this.isnSeen = next.seg.seq;
    }
    const ts = next.seg.options.find((o) => o.kind === 'timestamp');
    const tsSpec =
      spec.options === 'any' ? undefined : spec.options?.find((o) => o.kind === 'timestamp');
    if (
      ts?.kind === 'timestamp' &&
      tsSpec?.kind === 'timestamp' &&
      this.map.tsValOffset === undefined
    ) {
      this.map.tsValOffset = (ts.value - tsSpec.value) >>> 0;
    }
    const actual = `> ${formatRelative(next.seg, this.map)}`;
    // Logged here, once the first SYN has fixed the stack's ISN for relative numbers.
    this.result.log.push({ t: next.t, line: event.line, text: actual });
    let mismatch = compareOutbound(spec, next.seg, this.map);
    if (mismatch !== undefined && this.finRepeatedOnAck(spec, next.seg)) {
      mismatch = compareOutbound(
        { ...spec, flags: '.', seq: bumped(spec.seq) },
        next.seg,
        this.map,
      );
      if (mismatch === undefined) {
        this.result.relaxations.push({
          line: event.line,
          check: 'FIN repeated on an ACK',
          why: FIN_ON_ACK,
        });
      }
    }
    const ecnWant = event.ecn;
    if (mismatch === undefined && ecnWant !== undefined && !ecnMatches(ecnWant, next.ecn)) {
      const names = ['noecn', 'ect1', 'ect0', 'ce'];
      mismatch = { field: 'ecn', expected: ecnWant, actual: names[next.ecn] };
    }
    const ip = event.ip;
    if (mismatch === undefined && ip?.tos !== undefined && (ip.tos & 0xfc) !== next.dscp) {
      mismatch = { field: 'tos', expected: hex(ip.tos & 0xfc), actual: hex(next.dscp) };
    }
    if (mismatch === undefined && ip?.ttl !== undefined && ip.ttl !== next.ttl) {
      mismatch = { field: 'ttl', expected: String(ip.ttl), actual: String(next.ttl) };
    }
    if (mismatch !== undefined) {
      fail(
        event.line,
        `outbound segment: ${mismatch.field} ${mismatch.actual}, expected ${mismatch.expected}`,
        want,
        `${actual} at ${seconds(next.t)} s`,
      );
    }
    if (next.t < lo) {
      fail(
        event.line,
        `outbound segment sent too early: at ${seconds(next.t)} s, expected at ${seconds(at)} s (±${seconds(this.tolerance)} s)`,
        want,
        `${actual} at ${seconds(next.t)} s`,
      );
    }
    this.now = Math.max(this.now, next.t);
    this.base = next.t;
  }

  /**
   * Linux hands its device TSO/GSO super-segments, and packetdrill's tun device sees them whole
   * (`> P. 1:2001(2000)` with an MSS of 1000): where the script expects more payload than the
   * next segment holds, the segments the stack sent in the same instant right after it, in
   * sequence with the same ACK, are joined into one, as GSO would have split them. Flags are
   * combined (PSH or FIN on the last); the first segment's options and window stand.
   */
  private coalesced(spec: PacketEvent['tcp'], first: Sent | undefined): Sent | undefined {
    if (first === undefined || this.profile.name !== 'linux') return first;
    const joined = this.joined(spec, first);
    const key = `${first.seg.srcPort}:${first.seg.dstPort}`;
    const end = (joined.seg.seq + joined.seg.payload.byteLength) >>> 0;
    const highest = this.highestSent.get(key);
    const fresh = highest === undefined || ((end - highest) | 0) > 0;
    if (fresh) this.highestSent.set(key, end);
    if (joined === first || !fresh) return joined;
    // Linux's TSO super-segments of new data carry PSH, as every one in the gtests shows
    // (`> P. 1:10001(10000)`), where retransmitted ones (`> . 1001:3001(2000)`) keep the flags
    // of what they resend; GSO would have put PSH on the last MSS-sized piece.
    return { ...joined, seg: { ...joined.seg, flags: { ...joined.seg.flags, psh: true } } };
  }

  /** The segments sent in one instant after `first`, joined up to the length expected. */
  private joined(spec: PacketEvent['tcp'], first: Sent): Sent {
    const f = first.seg.flags;
    if (f.syn || f.rst || f.fin || !f.ack || first.seg.payload.byteLength >= spec.len) return first;
    const parts = [first.seg.payload];
    let len = first.seg.payload.byteLength;
    let flags = first.seg.flags;
    while (len < spec.len && this.sent.length > 0) {
      const x = this.sent[0];
      const g = x.seg.flags;
      const inOrder = x.seg.seq === (first.seg.seq + len) >>> 0 && x.seg.ack === first.seg.ack;
      if (x.t !== first.t || !inOrder || g.syn || g.rst || x.seg.payload.byteLength === 0) break;
      this.sent.shift();
      parts.push(x.seg.payload);
      len += x.seg.payload.byteLength;
      flags = { ...flags, psh: flags.psh || g.psh, fin: g.fin };
      if (g.fin) break;
    }
    if (parts.length === 1) return first;
    const payload = new Uint8Array(len);
    let at = 0;
    for (const p of parts) {
      payload.set(p, at);
      at += p.byteLength;
    }
    return { ...first, seg: { ...first.seg, flags, payload } };
  }

  /**
   * FreeBSD's tcp_output repeats an unacknowledged FIN on every segment it sends in FIN_WAIT1,
   * CLOSING and LAST_ACK (`F.` at the FIN's sequence number), where RFC 9293 sends the ACK
   * alone at SND.NXT. True when that is the only difference: the script expects `F.` with no
   * data, the stack sent a bare ACK one past it, and the stack's FIN at that number is still
   * unacknowledged.
   */
  private finRepeatedOnAck(spec: PacketEvent['tcp'], seg: TcpSegment): boolean {
    if (spec.flags !== 'F.' || spec.len !== 0 || spec.seq === undefined) return false;
    const f = seg.flags;
    if (!f.ack || f.fin || f.syn || f.rst || seg.payload.byteLength !== 0) return false;
    const finSeq = (this.map.localIsn + spec.seq.start) >>> 0;
    if (seg.seq !== (finSeq + 1) >>> 0) return false;
    const conn = this.stack.find(this.flow.localPort, {
      address: this.setup.remote,
      port: this.flow.remotePort,
    });
    const info = conn?.info();
    return (
      info !== undefined &&
      ['FIN_WAIT1', 'CLOSING', 'LAST_ACK'].includes(info.state) &&
      info.sndUna === finSeq &&
      info.sndNxt === seg.seq
    );
  }

  // --- system calls ---

  private syscall(event: SyscallEvent): void {
    if (this.blocked !== undefined) {
      fail(
        event.line,
        `${event.name}() while ${this.blocked.event.name}() of line ${this.blocked.event.line} is still blocked`,
      );
    }
    const startedAt = this.now;
    const result = this.call(event);
    if (result === WOULD_BLOCK) {
      this.blocked = { event, startedAt };
      return;
    }
    this.returned(event, result, startedAt);
  }

  /** Retries a blocked call after the stack was drained; true when it returned. */
  private retryBlocked(): boolean {
    const b = this.blocked;
    if (b === undefined) return false;
    this.tick();
    const result = this.call(b.event);
    if (result === WOULD_BLOCK) return false;
    this.blocked = undefined;
    this.returned(b.event, result, b.startedAt);
    return true;
  }

  /** A call's result, and its return time when the script gives one (`start...end`). */
  private returned(event: SyscallEvent, result: CallResult, startedAt: number): void {
    this.check(event, result);
    const r = event.returns;
    if (r === undefined || r.kind === 'any' || r.kind === 'range') return;
    const at = r.kind === 'relative' ? startedAt + r.usecs : r.usecs;
    if (Math.abs(this.now - at) > this.tolerance) {
      fail(
        event.line,
        `${event.name}() returned at ${seconds(this.now)} s, expected at ${seconds(at)} s (±${seconds(this.tolerance)} s)`,
      );
    }
    // Later `+t` count from the return, as after an outbound segment.
    this.base = this.now;
  }

  private sockOf(event: SyscallEvent): Socket {
    const fd = intArg(event, 0);
    const sock = this.sockets.get(fd);
    if (sock === undefined)
      fail(event.line, `${event.name}(${fd}): no such file descriptor (EBADF)`);
    return sock;
  }

  private call(event: SyscallEvent): CallResult | typeof WOULD_BLOCK {
    const now = this.ms();
    try {
      switch (event.name) {
        case 'socket': {
          const type = symbolArg(event, 1);
          if (type !== 'SOCK_STREAM') unsupported(event.line, `socket type ${type}`);
          return { value: this.sockets.socket(wantedFd(event)) };
        }
        case 'bind':
          return this.sockets.bind(this.sockOf(event));
        case 'listen': {
          const r = this.sockets.listen(this.sockOf(event), intArg(event, 1));
          if (r.value === 0) this.listenerUnderTest = true;
          return r;
        }
        case 'accept':
          return this.sockets.accept(this.sockOf(event), wantedFd(event));
        case 'connect':
          return this.sockets.connect(now, this.sockOf(event));
        case 'read':
        case 'recv':
          return this.sockets.read(this.sockOf(event), intArg(event, 2));
        case 'write':
        case 'send':
          return this.sockets.write(this.sockOf(event), intArg(event, 2), now);
        case 'sendto': {
          const sock = this.sockOf(event);
          const flags = symbolNames(event.args[3]);
          const linux = this.profile.name === 'linux';
          // Linux's tcp_sendmsg_locked: MSG_FASTOPEN, or a connect() TCP_FASTOPEN_CONNECT deferred.
          const fastOpen = linux
            ? flags.has('MSG_FASTOPEN') || sock.deferredConnect === true
            : sock.fastOpen > 0;
          if (linux && fastOpen) {
            // tcp_sendmsg_fastopen: EOPNOTSUPP with client Fast Open off or to AF_UNSPEC.
            const unspec = symbolNames(event.args[4]).has('AF_UNSPEC');
            if (!this.stack.fastOpen.clientEnabled || unspec) {
              return { value: -1, errno: 'EOPNOTSUPP' };
            }
          }
          // MSG_DONTWAIT: this one call does not block.
          const blocking = !sock.nonblocking;
          if (flags.has('MSG_DONTWAIT')) sock.nonblocking = true;
          try {
            return this.sockets.sendto(now, sock, intArg(event, 2), fastOpen, linux);
          } finally {
            sock.nonblocking = !blocking;
          }
        }
        case 'shutdown':
          return this.sockets.shutdown(now, this.sockOf(event), symbolArg(event, 1));
        case 'close':
          return this.sockets.close(now, this.sockOf(event));
        case 'fcntl':
          return this.fcntl(event);
        case 'getsockopt': {
          const r = this.sockets.getsockopt(this.sockOf(event), symbolArg(event, 2));
          this.checkOut(event, r.out);
          return r;
        }
        case 'setsockopt':
          return this.sockets.setsockopt(
            this.sockOf(event),
            symbolArg(event, 2),
            this.value(event, listItem(event, 3)),
          );
        case 'ioctl':
          return this.ioctl(event);
        default:
          unsupported(event.line, `system call ${event.name}()`);
      }
    } catch (e) {
      if (e instanceof CallUnsupported) unsupported(event.line, e.message);
      throw e;
    }
  }

  private fcntl(event: SyscallEvent): CallResult {
    const sock = this.sockOf(event);
    const cmd = symbolArg(event, 1);
    const { O_RDWR, O_NONBLOCK } = this.profile.flags;
    if (cmd === 'F_GETFL') return { value: O_RDWR | (sock.nonblocking ? O_NONBLOCK : 0) };
    if (cmd === 'F_SETFL') {
      const flags = this.value(event, event.args[2]);
      sock.nonblocking = (flags & O_NONBLOCK) !== 0;
      return { value: 0 };
    }
    unsupported(event.line, `fcntl ${cmd}`);
  }

  /** ioctl SIOCINQ / FIONREAD (bytes readable) and SIOCOUTQ / TIOCOUTQ (bytes unacknowledged). */
  private ioctl(event: SyscallEvent): CallResult {
    const sock = this.sockOf(event);
    const req = symbolArg(event, 1);
    const conn = sock.conn;
    let out: number;
    if (req === 'SIOCINQ' || req === 'FIONREAD') out = conn?.recvQueue ?? 0;
    else if (req === 'SIOCOUTQ' || req === 'TIOCOUTQ') out = conn?.sendQueue ?? 0;
    else unsupported(event.line, `ioctl ${req}`);
    if (sock.listener !== undefined) return { value: -1, errno: 'EINVAL' };
    this.checkOut(event, out, 2);
    return { value: 0, out };
  }

  /** getsockopt's value argument (`[65536]`, `[ECONNRESET]`) against what the call gave. */
  private checkOut(event: SyscallEvent, out: number | string | undefined, arg = 3): void {
    const want = event.args[arg];
    if (want === undefined || want.kind !== 'list' || want.items.length !== 1) return;
    const item = want.items[0];
    if (item.kind === 'ellipsis') return;
    const actual = out === undefined ? '?' : String(out);
    const expected = item.kind === 'symbol' ? item.name : String(this.value(event, item));
    if (!sameErrno(expected, actual)) {
      fail(event.line, `${event.name}() gave ${actual}, expected ${expected}`, expected, actual);
    }
  }

  private check(event: SyscallEvent, r: CallResult): void {
    const got = r.errno === undefined ? String(r.value) : `${r.value} ${r.errno}`;
    this.log(`${event.name}(${event.args.map(exprText).join(', ')}) = ${got}`);
    const want = event.result;
    if (want.kind === 'ellipsis') return;
    const expected = this.value(event, want);
    const wantErrno = event.errno;
    const show = (v: number, errno?: string) => (errno === undefined ? String(v) : `${v} ${errno}`);
    if (r.value !== expected || (wantErrno !== undefined && !sameErrno(wantErrno, r.errno ?? ''))) {
      fail(
        event.line,
        `${event.name}() returned ${show(r.value, r.errno)}, expected ${show(expected, wantErrno)}`,
        show(expected, wantErrno),
        show(r.value, r.errno),
      );
    }
  }

  private value(event: SyscallEvent, e: Expr | undefined): number {
    if (e === undefined) fail(event.line, `${event.name}(): missing argument`);
    switch (e.kind) {
      case 'int':
        return e.value;
      case 'list':
        return e.items.length === 1
          ? this.value(event, e.items[0])
          : unsupported(event.line, 'a list of several values');
      case 'or':
        return e.operands.reduce((acc, o) => acc | this.value(event, o), 0);
      case 'symbol': {
        const { O_RDWR, O_NONBLOCK } = this.profile.flags;
        const known: Record<string, number> = { O_RDWR, O_NONBLOCK, O_RDONLY: 0, O_WRONLY: 1 };
        const v = known[e.name];
        if (v === undefined) unsupported(event.line, `the constant ${e.name} as a number`);
        return v;
      }
      default:
        unsupported(event.line, `argument ${JSON.stringify(e)}`);
    }
  }

  // --- Python blocks ---

  /**
   * packetdrill runs these with TCP_INFO of the last socket the script used: python.ts reads
   * the asserts and assignments, with the tcp_info fields and constants below as names.
   */
  private code(event: CodeEvent): void {
    const sock = this.sockets.lastUsed;
    const lookup = (name: string): number | undefined => this.pythonName(sock, name);
    const show = (name: string, v: number | undefined): string =>
      name === 'tcpi_state' ? (stateName(v) ?? String(v)) : String(v);
    const r = runPython(event.code, lookup, show);
    if (r.kind === 'unsupported') unsupported(event.line, r.construct);
    if (r.kind === 'failed') {
      fail(event.line, `assert ${r.assertion} failed (${r.detail})`, r.assertion, r.detail);
    }
  }

  private pythonName(sock: Socket | undefined, name: string): number | undefined {
    const constant = PYTHON_CONSTANTS[name];
    if (constant !== undefined) return constant;
    const info = sock?.conn?.info();
    if (name === 'tcpi_state') {
      const state = sock?.listener !== undefined ? 'LISTEN' : (info?.state ?? 'CLOSED');
      return STATE_NUMBER[state];
    }
    if (info === undefined) return undefined;
    if (name === 'tcpi_options') {
      let o = 0;
      if (info.timestamps) o |= TCPI_OPT.TIMESTAMPS;
      if (info.sackPermitted) o |= TCPI_OPT.SACK;
      if (info.sndWndScale > 0 || info.rcvWndScale > 0) o |= TCPI_OPT.WSCALE;
      if (info.ecnOk) o |= TCPI_OPT.ECN;
      if (info.ecnSeen) o |= TCPI_OPT.ECN_SEEN;
      if (sock?.conn !== undefined && this.stack.fastOpen.synData.has(sock.conn)) {
        o |= TCPI_OPT.SYN_DATA;
      }
      return o;
    }
    // Milliseconds since data last arrived (Linux: now - icsk_ack.lrcvtime).
    if (name === 'tcpi_last_data_recv') return Math.round(this.ms() - info.lastDataAt);
    return TCPI_FIELD[name]?.(info);
  }

  // --- shell commands ---

  /**
   * A backquoted command, never run: the settings it names are read (`sysctl [-w|-q] a.b=v`,
   * a `/proc/sys/a/b=v` argument as Linux scripts give them to a helper, `echo v >
   * /proc/sys/a/b`), socket counts are checked (`sockstat`), `tcpdrop` aborts; anything else is
   * listed as skipped. Several commands (lines, `;`, `&&`) are read one by one.
   */
  private command(event: CommandEvent): void {
    // A backslash before a newline continues the line, as in a shell.
    for (const part of event.command.replace(/\\\n/g, ' ').split(/\n|;|&&/)) {
      const text = part.trim();
      if (text !== '') this.oneCommand(event, text);
    }
  }

  private oneCommand(event: CommandEvent, text: string, depth = 0): void {
    // A shell script of settings (the gtests' defaults.sh): its lines, one level deep.
    if (depth === 0 && /^\S+\.sh$/.test(text)) {
      const body = this.readFile?.(text);
      if (body !== undefined) {
        this.note(event, `read ${text}`);
        for (const line of body.split('\n')) {
          const part = line.replace(/\s+>\s*\/dev\/null.*$/, '').trim();
          if (part !== '' && !part.startsWith('#')) this.oneCommand(event, part, 1);
        }
        return;
      }
    }
    if (/^ip\s+tcp_metrics\s+flush\b/.test(text)) {
      this.stack.fastOpen.flush();
      this.note(event, 'flushed the Fast Open cookie cache');
      return;
    }
    const settings = sysctlSettings(text);
    if (settings.length > 0) {
      for (const [name, value] of settings) this.sysctl(event, name, value);
      return;
    }
    // sockstat ... | grep -c STATE | grep N: the number of sockets in STATE is N.
    const sockstat = /^sockstat\b(.*?)\|\s*grep\s+-c\s+(\w+)\s*\|\s*grep\s+(\d+)\s*$/.exec(text);
    if (sockstat !== null) {
      const [, args, state, count] = sockstat;
      const port = /-p\s+(\d+)/.exec(args)?.[1];
      // -4 / -6: sockets of that family only (an IPv6 socket's IPv4-mapped ones count as -6).
      const family = /(?:^|\s)-([46])\b/.exec(args)?.[1];
      const n = this.sockstat(port === undefined ? undefined : Number(port), family).filter(
        (s) => s === state,
      ).length;
      if (n !== Number(count)) {
        fail(event.line, `sockets in ${state}: ${n}, expected ${count}`, count, String(n));
      }
      this.note(event, `checked: ${n} socket(s) in ${state}`);
      return;
    }
    const tcpdrop = /^tcpdrop\s+-s\s+(\w+)$/.exec(text);
    if (tcpdrop !== null) {
      const state = fromBsdState(tcpdrop[1]);
      let dropped = 0;
      for (const row of this.stack.snapshot(this.ms())) {
        if (row.state !== state || state === 'LISTEN') continue;
        this.stack.find(row.local.port, row.remote)?.abort(this.ms());
        dropped++;
      }
      this.note(event, `dropped ${dropped} connection(s) in ${tcpdrop[1]}`);
      return;
    }
    this.note(event, `skipped, not run: ${text}`);
  }

  private sysctl(event: CommandEvent, name: string, value: string): void {
    if (name === 'net.ipv4.tcp_fastopen_key') {
      if (!this.stack.fastOpen.setKey(value)) fail(event.line, `${name}=${value}: not a key`);
      this.note(event, `${name}=${value}: the Fast Open server key`);
      return;
    }
    if (name === 'net.ipv4.tcp_fastopen') {
      const flags = Number(value.trim());
      if (!Number.isInteger(flags) || flags < 0) fail(event.line, `${name}=${value}: not a number`);
      this.stack.fastOpen.flags = flags;
      this.note(event, `${name}=${value}: Fast Open flags 0x${flags.toString(16)}`);
      return;
    }
    const keep = KEEPALIVE_SYSCTLS[name];
    if (keep !== undefined) {
      const n = Number(value.trim());
      if (!(n > 0)) fail(event.line, `${name}=${value}: not a positive number`);
      const ka = { ...(this.config.keepalive ?? DEFAULT_CONFIG.keepalive) };
      ka[keep.field] = n * keep.scale;
      this.config.keepalive = ka;
      this.note(event, `${name}=${value}: keepalive ${keep.field} of new sockets`);
      return;
    }
    if (name === 'net.inet.tcp.icmp_may_rst') {
      this.stack.icmpMayReset = value.trim() !== '0';
      this.note(
        event,
        `${name}=${value}: ICMP hard errors ${this.stack.icmpMayReset ? 'end' : 'do not end'} a connection opening`,
      );
      return;
    }
    if (name === 'net.inet.tcp.keepinit') {
      this.sockets.keepInit = Math.round(Number(value) / 1000);
      this.note(event, `${name}=${value}: TCP_KEEPINIT of new sockets`);
      return;
    }
    const effect = sysctlEffect(name, value, this.standard);
    const what = `${name}=${value}`;
    if (effect.kind === 'set') {
      Object.assign(this.config, effect.patch);
      this.note(event, `${what}: set ${JSON.stringify(effect.patch)}`);
    } else if (effect.kind === 'unsupported') {
      unsupported(event.line, `${what}: ${effect.why}`);
    } else if (effect.kind === 'no-effect') {
      this.note(event, `${what}: no effect: ${effect.why}`);
    } else {
      this.note(event, `${what}: skipped, a setting tcpstate does not model`);
    }
  }

  private note(event: CommandEvent, handled: string): void {
    this.result.commands.push({ line: event.line, command: event.command, handled });
  }

  /** FreeBSD sockstat's state column for this process's sockets (optionally one port). */
  private sockstat(port: number | undefined, family?: string): string[] {
    const rows: string[] = [];
    const live = new Set<string>();
    for (const row of this.stack.snapshot(this.ms())) {
      if (port !== undefined && row.local.port !== port && row.remote.port !== port) continue;
      if (family !== undefined && row.local.address.includes(':') !== (family === '6')) continue;
      rows.push(toBsdState(row.state));
      live.add(`${row.local.port}|${row.remote.address}|${row.remote.port}`);
    }
    // A descriptor whose connection has ended still shows, as CLOSED.
    for (const sock of this.sockets.open) {
      const c = sock.conn;
      if (sock.listener !== undefined) continue;
      if (c !== undefined && live.has(`${c.local.port}|${c.remote.address}|${c.remote.port}`))
        continue;
      if (port !== undefined && sock.boundPort !== port && c?.remote.port !== port) continue;
      rows.push('CLOSED');
    }
    return rows;
  }
}

/** Keepalive sysctls: FreeBSD's in ms, Linux's in seconds; the counts as they are. */
const KEEPALIVE_SYSCTLS: Readonly<
  Record<string, { field: 'idle' | 'interval' | 'count'; scale: number }>
> = {
  'net.inet.tcp.keepidle': { field: 'idle', scale: 1 },
  'net.inet.tcp.keepintvl': { field: 'interval', scale: 1 },
  'net.inet.tcp.keepcnt': { field: 'count', scale: 1 },
  'net.ipv4.tcp_keepalive_time': { field: 'idle', scale: 1000 },
  'net.ipv4.tcp_keepalive_intvl': { field: 'interval', scale: 1000 },
  'net.ipv4.tcp_keepalive_probes': { field: 'count', scale: 1 },
};

/** tcp_info's state numbers (Linux's TCP_ESTABLISHED = 1 … TCP_CLOSING = 11). */
const STATE_NUMBER: Readonly<Record<TcpState, number>> = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSED: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
};

function stateName(n: number | undefined): string | undefined {
  const s = Object.entries(STATE_NUMBER).find(([, v]) => v === n)?.[0] as TcpState | undefined;
  return s === undefined ? undefined : STATE_NAMES[s][0];
}

/** The names packetdrill scripts give those states: TCPI_… (FreeBSD) and TCP_… (Linux). */
const STATE_NAMES: Readonly<Record<TcpState, string[]>> = {
  CLOSED: ['TCPI_CLOSED', 'TCP_CLOSE'],
  LISTEN: ['TCPI_LISTEN', 'TCP_LISTEN'],
  SYN_SENT: ['TCPI_SYN_SENT', 'TCP_SYN_SENT'],
  SYN_RECV: ['TCPI_SYN_RECEIVED', 'TCPI_SYN_RECV', 'TCP_SYN_RECV'],
  ESTABLISHED: ['TCPI_ESTABLISHED', 'TCP_ESTABLISHED'],
  CLOSE_WAIT: ['TCPI_CLOSE_WAIT', 'TCP_CLOSE_WAIT'],
  FIN_WAIT1: ['TCPI_FIN_WAIT_1', 'TCPI_FIN_WAIT1', 'TCP_FIN_WAIT1'],
  CLOSING: ['TCPI_CLOSING', 'TCP_CLOSING'],
  LAST_ACK: ['TCPI_LAST_ACK', 'TCP_LAST_ACK'],
  FIN_WAIT2: ['TCPI_FIN_WAIT_2', 'TCPI_FIN_WAIT2', 'TCP_FIN_WAIT2'],
  TIME_WAIT: ['TCPI_TIME_WAIT', 'TCP_TIME_WAIT'],
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** An outbound ECN mark: `[ect01]` takes either ECT codepoint (packetdrill). */
function ecnMatches(want: NonNullable<PacketEvent['ecn']>, field: number): boolean {
  return want === 'ect01' ? field === 1 || field === 2 : ECN_FIELD[want] === field;
}

/** tcpi_options bits (include/uapi/linux/tcp.h). */
const TCPI_OPT = { TIMESTAMPS: 1, SACK: 2, WSCALE: 4, ECN: 8, ECN_SEEN: 16, SYN_DATA: 32 };

/** Linux's "no ssthresh yet" (TCP_INFINITE_SSTHRESH, include/net/tcp.h). */
const INFINITE_SSTHRESH = 0x7fffffff;

const PYTHON_CONSTANTS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    Object.entries(STATE_NAMES).flatMap(([s, names]) =>
      names.map((n) => [n, STATE_NUMBER[s as TcpState]]),
    ),
  ),
  ...Object.fromEntries(Object.entries(TCPI_OPT).map(([k, v]) => [`TCPI_OPT_${k}`, v])),
  // tcp_ca_state (include/uapi/linux/tcp.h).
  TCP_CA_Open: 0,
  TCP_CA_Disorder: 1,
  TCP_CA_CWR: 2,
  TCP_CA_Recovery: 3,
  TCP_CA_Loss: 4,
  TCP_INFINITE_SSTHRESH: INFINITE_SSTHRESH,
};

const CA_STATE: Readonly<Record<ConnectionInfo['caState'], number>> = {
  open: 0,
  recovery: 3,
  loss: 4,
};

/** Numeric tcp_info fields an expression may read (units as Linux's struct tcp_info). */
const TCPI_FIELD: Readonly<Record<string, (i: ConnectionInfo) => number>> = {
  tcpi_snd_mss: (i) => i.mss,
  tcpi_snd_cwnd: (i) => Math.floor(i.cwnd / i.mss),
  tcpi_snd_ssthresh: (i) =>
    i.ssthresh >= INFINITE_SSTHRESH || !Number.isFinite(i.ssthresh)
      ? INFINITE_SSTHRESH
      : Math.floor(i.ssthresh / i.mss),
  tcpi_rto: (i) => Math.round(i.rto * 1000),
  tcpi_rtt: (i) => Math.round((i.srtt ?? 0) * 1000),
  tcpi_rttvar: (i) => Math.round((i.rttvar ?? 0) * 1000),
  tcpi_snd_wscale: (i) => i.sndWndScale,
  tcpi_rcv_wscale: (i) => i.rcvWndScale,
  tcpi_total_retrans: (i) => i.retransmits,
  tcpi_ca_state: (i) => CA_STATE[i.caState],
  tcpi_unacked: (i) => Math.ceil(((i.sndNxt - i.sndUna) >>> 0) / i.mss),
  tcpi_snd_wnd: (i) => i.sndWnd,
  tcpi_delivered: (i) => i.delivered,
  tcpi_advmss: (i) => i.advMss,
  // Linux counts these in packets (sacked_out, lost_out, retrans_out): MSS-sized records.
  tcpi_sacked: (i) => Math.ceil(i.sackedBytes / i.mss),
  tcpi_lost: (i) => Math.ceil(i.lostBytes / i.mss),
  tcpi_retrans: (i) => Math.ceil(i.retransInFlightBytes / i.mss),
};

const BSD_NAMES: Partial<Record<TcpState, string>> = {
  SYN_RECV: 'SYN_RCVD',
  FIN_WAIT1: 'FIN_WAIT_1',
  FIN_WAIT2: 'FIN_WAIT_2',
};

function toBsdState(s: TcpState): string {
  return BSD_NAMES[s] ?? s;
}

function fromBsdState(name: string): TcpState | undefined {
  for (const [ours, bsd] of Object.entries(BSD_NAMES)) if (bsd === name) return ours as TcpState;
  return name as TcpState;
}

/**
 * The settings a command line writes, as dotted sysctl names: `sysctl -w a.b=v` (also `-q`,
 * several at once), `/proc/sys/a/b=v` arguments, `echo v > /proc/sys/a/b`.
 */
export function sysctlSettings(text: string): Array<[string, string]> {
  const expanded = expandArithmetic(text);
  const echo = /^echo\s+(?:-n\s+)?"?([^">]*?)"?\s*>\s*\/proc\/sys\/(\S+)$/.exec(expanded);
  if (echo !== null) return [[echo[2].replaceAll('/', '.'), echo[1].trim()]];
  const words = shellWords(expanded);
  const out: Array<[string, string]> = [];
  const isSysctl = words[0] === 'sysctl';
  for (const w of words.slice(1)) {
    const proc = /^\/proc\/sys\/([^=]+)=(.*)$/s.exec(w);
    if (proc !== null) out.push([proc[1].replaceAll('/', '.'), proc[2]]);
    else if (isSysctl) {
      const kv = /^([\w.-]+)=(.*)$/s.exec(w);
      if (kv !== null) out.push([kv[1], kv[2]]);
    }
  }
  return out;
}

/** A command line's words as a shell splits them: quotes group and are removed. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote = '';
  for (const c of text) {
    if (quote !== '') {
      if (c === quote) quote = '';
      else cur = (cur ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur ??= '';
    } else if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** `$((15*1024*1024))` → `15728640`: sums and products of integers, as the gtests write. */
function expandArithmetic(text: string): string {
  return text.replace(/\$\(\(([\d\s*+-]+)\)\)/g, (whole, expr: string) => {
    let sum = 0;
    for (const term of expr.replace(/\s+/g, '').split(/(?=[+-])/)) {
      const sign = term.startsWith('-') ? -1 : 1;
      const factors = term.replace(/^[+-]/, '').split('*').map(Number);
      if (factors.some((f) => !Number.isSafeInteger(f))) return whole;
      sum += sign * factors.reduce((a, b) => a * b, 1);
    }
    return String(sum);
  });
}

/** An argument as a script writes it. */
function exprText(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return String(e.value);
    case 'ellipsis':
      return '...';
    case 'symbol':
      return e.name;
    case 'or':
      return e.operands.map(exprText).join(' | ');
    case 'list':
      return `[${e.items.map(exprText).join(', ')}]`;
    case 'string':
      return JSON.stringify(e.value);
    case 'raw':
      return e.text;
  }
}

/** The descriptor a script names as socket()'s or accept()'s result, when it gives one. */
function wantedFd(event: SyscallEvent): number | undefined {
  return event.result.kind === 'int' && event.result.value >= 0 ? event.result.value : undefined;
}

/** The names in a flags argument (`MSG_FASTOPEN`, `MSG_PEEK | MSG_DONTWAIT`); empty for 0. */
function symbolNames(e: Expr | undefined): Set<string> {
  if (e === undefined) return new Set();
  if (e.kind === 'symbol') return new Set([e.name]);
  if (e.kind === 'or') return new Set(e.operands.flatMap((o) => [...symbolNames(o)]));
  return new Set();
}

/** EAGAIN and EWOULDBLOCK are one errno on every system packetdrill runs on. */
function sameErrno(a: string, b: string): boolean {
  const norm = (x: string) => (x === 'EWOULDBLOCK' ? 'EAGAIN' : x);
  return norm(a) === norm(b);
}

function intArg(event: SyscallEvent, i: number): number {
  const a = event.args[i];
  if (a?.kind === 'int') return a.value;
  if (a?.kind === 'ellipsis' && event.name !== 'socket') return 0;
  return fail(event.line, `${event.name}(): argument ${i + 1} must be a number`);
}

function symbolArg(event: SyscallEvent, i: number): string {
  const a = event.args[i];
  if (a?.kind === 'symbol') return a.name;
  return fail(event.line, `${event.name}(): argument ${i + 1} must be a name`);
}

function listItem(event: SyscallEvent, i: number): Expr | undefined {
  const a = event.args[i];
  return a?.kind === 'list' ? a.items[0] : a;
}

const FIN_ON_ACK =
  'FreeBSD repeats its unacknowledged FIN on the ACK (F. at the FIN); RFC 9293 3.10.7.4 sends the ACK alone at SND.NXT, as tcpstate does: accepted as the same answer';

function bumped(
  seq: { start: number; end: number } | undefined,
): { start: number; end: number } | undefined {
  return seq === undefined ? undefined : { start: (seq.start + 1) >>> 0, end: (seq.end + 1) >>> 0 };
}

function seconds(us: number): string {
  return (us / 1e6).toFixed(3);
}
