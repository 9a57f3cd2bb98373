/**
 * Plays a scenario script with two endpoints, `a` (10.0.0.1) and `b` (10.0.0.2), each a Stack,
 * on the simulated network, in virtual time, and tells the story (story.ts) with the packets
 * beside it. Deterministic: the same script and seed give the same story, byte for byte.
 *
 * The applications are simple: they accept every connection, read everything as it arrives,
 * write what the script says (more as the send buffer frees up), and close or shut down only
 * after everything they wrote was handed to TCP, as a blocking write() then close() would.
 */
import type { PacketFate } from '../link/sim/faults.js';
import { type PacketRecord, type SimHost, SimNetwork } from '../link/sim/network.js';
import {
  ICMP_UNREACHABLE,
  icmpErrorPacket,
  icmpv6ErrorPacket,
  icmpv6ForIcmp,
} from '../stack/icmp.js';
import type { StackConnection as Connection, Listener, Stack } from '../stack/stack.js';
import type { TcpState } from '../state/states.js';
import type { ConnectionConfig, TimerKind } from '../tcp/types.js';
import { TcpUsageError } from '../tcp/types.js';
import { SeededRng } from '../util/rng.js';
import { Sha256 } from '../util/sha256.js';
import { parseIpv6Address } from '../wire/address6.js';
import { formatFlags } from '../wire/flags.js';
import { formatOptions } from '../wire/format.js';
import { parseAnyTcpPacket } from '../wire/packet6.js';
import { ATTACKER_ADDRESS, ATTACKER_ADDRESS6, Attacker } from './attack-run.js';
import { type ConnectionSample, createSampler } from './samples.js';
import {
  applyOverrides,
  type Call,
  type Direction,
  type Script,
  type ScriptOverrides,
} from './script.js';
import type {
  CapturedPacket,
  Fate,
  PendingWork,
  Side,
  Story,
  StoryEnd,
  StoryEvent,
  StreamSummary,
} from './story.js';

export const ADDRESSES: Record<Side, string> = { a: '10.0.0.1', b: '10.0.0.2' };
/** The sides' addresses in a `family: ipv6` scenario (a unique local prefix, RFC 4193). */
export const ADDRESSES6: Record<Side, string> = { a: 'fd00::1', b: 'fd00::2' };

/** The sides' addresses for a script's IP version. */
export function scenarioAddresses(script: Pick<Script, 'family'>): Record<Side, string> {
  return script.family === 'ipv6' ? ADDRESSES6 : ADDRESSES;
}

export interface RunOptions {
  seed: number;
  overrides?: ScriptOverrides;
  /** Creates each side's stack; the runner passes the options a Stack takes. */
  makeStack: (opts: ConstructorParameters<typeof Stack>[0]) => Stack;
  /** Hard bounds, whatever the script says (defaults: 1 hour of virtual time, 2 million steps). */
  maxTime?: number;
  maxSteps?: number;
  /**
   * Called once the network and both hosts exist, before the first step: where a caller adds
   * its own faults to the run (the web page drops the segments a user clicked).
   */
  onNetwork?: (net: SimNetwork, hosts: Readonly<Record<Side, SimHost>>) => void;
  /** Sample both sides' connections after every step (samples.ts), for the graphs. */
  sample?: boolean;
}

export interface RunResult {
  story: Story;
  packets: CapturedPacket[];
  /**
   * Why it stopped: the script finished and settled; it waited for a state that nothing could
   * bring any more (`stuck`); or a bound was hit.
   */
  ended: StoryEnd['reason'];
  /** With `sample`: each connection's figures whenever they changed. */
  samples?: ConnectionSample[];
}

/**
 * Timers after which a connection still sends: a run is not over while one is armed. The others
 * (2MSL, FIN_WAIT2, keepalive) are the lifetime of the state the run ends in, not work left.
 */
const WORK_TIMERS: ReadonlySet<TimerKind> = new Set([
  'retransmit',
  'persist',
  'delayed-ack',
  'user-timeout',
]);

/** What `conn` still has to do: unacknowledged data, SYN or FIN, or a timer that sends. */
function pendingWork(side: Side, conn: Connection): PendingWork | undefined {
  const state = conn.state;
  if (state === 'CLOSED') return undefined;
  const timer = conn.activeTimer();
  const { sndUna, sndNxt } = conn.info();
  const unacked = sndUna !== sndNxt && state !== 'LISTEN';
  if (timer === undefined || (!unacked && !WORK_TIMERS.has(timer.kind))) return undefined;
  return {
    side,
    connection: { local: { ...conn.local }, remote: { ...conn.remote } },
    state,
    // the retransmission timer stays armed under an earlier one (a delayed ACK, say)
    timer: unacked ? 'retransmit' : timer.kind,
    at: timer.deadline,
  };
}

class App {
  readonly conns: Connection[] = [];
  readonly listeners = new Map<number, Listener>();
  /** Bytes still to hand to TCP, then an optional shutdown/close to do after them. */
  pending = 0;
  pendingText: Uint8Array | undefined;
  after: 'close' | 'shutdown' | undefined;
  sent = 0;
  received = 0;
  readonly sentHash = new Sha256();
  readonly receivedHash = new Sha256();
  state: TcpState | undefined;

  constructor(
    readonly side: Side,
    readonly stack: Stack,
  ) {}

  get current(): Connection | undefined {
    return this.conns[this.conns.length - 1];
  }
}

/** The byte at `offset` of a side's deterministic stream (text sends use the text instead). */
function patternByte(side: Side, offset: number): number {
  return side === 'a' ? (offset * 7 + 3) & 0xff : (offset * 13 + 5) & 0xff;
}

/** The largest chunk a flush hands to send() at once. */
const CHUNK = 65536;

/**
 * Each side's stream pattern repeats every 256 bytes, so one precomputed buffer serves any
 * offset: the chunk at `offset` starts at `offset mod 256` (built per chunk, a 10 MB transfer
 * spent most of its time making patterns that send() then mostly refused).
 */
const PATTERNS: Readonly<Record<Side, Uint8Array>> = {
  a: Uint8Array.from({ length: CHUNK + 256 }, (_, i) => patternByte('a', i)),
  b: Uint8Array.from({ length: CHUNK + 256 }, (_, i) => patternByte('b', i)),
};

/** One-way delay when a script says nothing about it. */
const DEFAULT_LATENCY = 10;

/** What the story says of a packet's fate: every way of vanishing is `lost`. */
function storyFate(fate: PacketFate): Fate {
  return fate === 'delivered' || fate === 'duplicated' || fate === 'corrupted' ? fate : 'lost';
}

/** The story's line for a TCP packet (undefined for anything else). */
function segmentEvent(p: PacketRecord): StoryEvent | undefined {
  const parsed = parseAnyTcpPacket(p.bytes, false);
  if (!parsed.ok) return undefined;
  const tcp = parsed.value.tcp;
  const from = p.from as Side;
  const fate = storyFate(p.fate);
  return {
    type: 'segment',
    time: p.t,
    from,
    to: from === 'a' ? 'b' : 'a',
    flags: formatFlags(tcp.flags),
    seq: tcp.seq,
    ack: tcp.ack,
    len: tcp.payload.length,
    win: tcp.window,
    fate,
    ...((fate === 'delivered' || fate === 'duplicated') && p.tArrive !== undefined
      ? { arrival: p.tArrive }
      : {}),
    ...(tcp.options.length > 0 ? { options: formatOptions(tcp.options) } : {}),
  };
}

export function runScenario(base: Script, opts: RunOptions): RunResult {
  const script = applyOverrides(base, opts.overrides ?? {});
  const rng = new SeededRng(opts.seed);
  const config = (side: Side): Partial<ConnectionConfig> => ({
    ...(script.mss === undefined ? {} : { mss: script.mss }),
    ...(script.synRetries === undefined ? {} : { synRetries: script.synRetries }),
    ...(side === 'a' && script.keepalive
      ? { keepalive: { enabled: true, ...script.keepalive } }
      : {}),
    ...(side === 'a' && script.ecn !== undefined ? { ecn: script.ecn } : {}),
    ...(side === 'a' && script.userTimeout !== undefined
      ? { userTimeout: script.userTimeout }
      : {}),
  });
  const addresses = scenarioAddresses(script);
  const stackOptions = (side: Side): ConstructorParameters<typeof Stack>[0] => ({
    address: addresses[side],
    rng: rng.fork(),
    config: config(side),
    ...(script.synCookies === undefined ? {} : { synCookies: script.synCookies }),
  });
  const apps: Record<Side, App> = {
    a: new App('a', opts.makeStack(stackOptions('a'))),
    b: new App('b', opts.makeStack(stackOptions('b'))),
  };
  const events: StoryEvent[] = [];
  const packets: CapturedPacket[] = [];
  const net = new SimNetwork({ rng: rng.fork(), record: false });
  const hosts: Record<Side, SimHost> = {
    a: net.addStack('a', apps.a.stack),
    b: net.addStack('b', apps.b.stack),
  };
  net.link(hosts.a, hosts.b, { latency: DEFAULT_LATENCY, ...script.network });
  const latency = script.network.latency ?? DEFAULT_LATENCY;
  const attacker = new Attacker({
    net,
    hosts,
    addresses,
    latency,
    newHost: () =>
      opts.makeStack({
        address: script.family === 'ipv6' ? ATTACKER_ADDRESS6 : ATTACKER_ADDRESS,
        rng: rng.fork(),
      }),
    rng: () => rng.fork(),
    note: (text, side) => note(text, side),
    listener: (side, port) => apps[side].listeners.get(port),
    connection: (side) => apps[side].current,
    synCookies: script.synCookies ?? 'overflow',
  });
  /** Scripted drops answered with ICMP unreachable by a firewall at the other side. */
  const rejects: Array<{ from: Side; left: number; code: number }> = [];
  /** When a side last had a packet dropped for the path's MTU: one note per burst. */
  const tooBigAt: Partial<Record<Side, number>> = {};
  net.onPacket((p) => {
    packets.push({ time: p.t, bytes: p.bytes });
    // the attacker's packets and b's answers to spoofed sources are counted, not drawn
    if (!attacker.packet(p)) return;
    const segment = segmentEvent(p);
    if (segment !== undefined) events.push(segment);
    const side = p.from as Side;
    if (p.fate === 'too-big' && tooBigAt[side] !== p.t) {
      tooBigAt[side] = p.t;
      const other: Side = side === 'a' ? 'b' : 'a';
      const { mtu } = net.faults(hosts[side], hosts[other]);
      const icmp = script.family === 'ipv6' ? 'ICMPv6 packet too big' : 'ICMP fragmentation needed';
      note(
        `a router's ${mtu}-byte link drops ${side}'s ${p.bytes.length}-byte packets and answers ${icmp} (MTU ${mtu})`,
        side,
      );
    }
    const reject = rejects.find((r) => r.from === p.from && r.left > 0);
    if (reject !== undefined && p.fate === 'dropped') {
      reject.left--;
      const other: Side = reject.from === 'a' ? 'b' : 'a';
      const icmp =
        script.family === 'ipv6'
          ? rejectIcmpv6(ADDRESSES6[other], reject.code, p.bytes)
          : icmpErrorPacket(ADDRESSES[other], ICMP_UNREACHABLE, reject.code, p.bytes);
      net.at(p.t, () => net.sendRaw(hosts[other], icmp));
      note(`${other}'s firewall rejects it: ICMP unreachable (code ${reject.code})`, other);
    }
  });
  opts.onNetwork?.(net, hosts);
  const sampler = opts.sample ? createSampler((side) => apps[side].conns) : undefined;
  const maxTime = opts.maxTime ?? 3_600_000;
  const maxSteps = opts.maxSteps ?? 2_000_000;

  let stepIndex = 0;
  let resumeAt: number | undefined;
  let settleUntil: number | undefined;
  let steps = 0;
  let ended: RunResult['ended'] = 'settled';

  const note = (text: string, side?: Side) =>
    events.push(
      side ? { type: 'note', time: net.now, side, text } : { type: 'note', time: net.now, text },
    );

  const sideOf = (address: string): Side | undefined =>
    address === addresses.a ? 'a' : address === addresses.b ? 'b' : undefined;

  const flush = (app: App) => {
    const conn = app.current;
    if (!conn) return;
    while (app.pending > 0) {
      const size = Math.min(app.pending, CHUNK);
      const start = app.sent & 0xff;
      const chunk = app.pendingText
        ? app.pendingText.subarray(
            app.pendingText.length - app.pending,
            app.pendingText.length - app.pending + size,
          )
        : PATTERNS[app.side].subarray(start, start + size);
      let taken: number;
      try {
        taken = conn.send(chunk);
      } catch (err) {
        if (!(err instanceof TcpUsageError)) throw err;
        note(`send() failed: ${err.code}`, app.side);
        app.pending = 0;
        break;
      }
      if (taken <= 0) return;
      app.sentHash.update(chunk.subarray(0, taken));
      app.sent += taken;
      app.pending -= taken;
    }
    app.pendingText = undefined;
    if (app.after) {
      const what = app.after;
      app.after = undefined;
      userCall(app, what === 'close' ? { call: 'close' } : { call: 'shutdown' });
    }
  };

  const userCall = (app: App, c: Call) => {
    const conn = app.current;
    try {
      switch (c.call) {
        case 'listen': {
          const port = c.port ?? script.port;
          app.listeners.set(port, app.stack.listen(port));
          if (c.fastOpen !== undefined) {
            // Linux's tcp_fastopen bit 0x2 (server), the listener's queue, and a secret key
            // for its cookies drawn from the run's seed (RFC 7413 4.1.2).
            const fo = app.stack.fastOpen;
            fo.flags |= 0x2;
            fo.listenerQueues.set(port, c.fastOpen);
            const keyRng = rng.fork();
            fo.setKey(
              Array.from({ length: 4 }, () => keyRng.nextU32().toString(16).padStart(8, '0')).join(
                '-',
              ),
            );
          }
          note(`listen(${port}${c.fastOpen === undefined ? '' : ', Fast Open'})`, app.side);
          app.state = 'LISTEN';
          return;
        }
        case 'connect': {
          const other = app.side === 'a' ? 'b' : 'a';
          const remote = { address: addresses[other], port: c.port ?? script.port };
          const localPort = c.localPort;
          const data = c.fastOpen === undefined ? undefined : new TextEncoder().encode(c.fastOpen);
          app.conns.push(
            app.stack.connect(net.now, remote, {
              ...(localPort === undefined ? {} : { localPort }),
              ...(data === undefined ? {} : { fastOpen: { data } }),
            }),
          );
          if (data !== undefined) {
            // The data was queued with the SYN: the stream counts it as sent.
            app.sentHash.update(data);
            app.sent += data.length;
            note(`connect() with Fast Open, ${data.length} bytes`, app.side);
          }
          return;
        }
        case 'send':
          if (!conn) return note('send(): no connection', app.side);
          app.pending += c.bytes;
          app.pendingText = c.text === undefined ? undefined : new TextEncoder().encode(c.text);
          note(`send(${c.bytes} bytes)`, app.side);
          flush(app);
          return;
        case 'shutdown':
        case 'close':
          if (!conn) return note(`${c.call}(): no connection`, app.side);
          if (app.pending > 0) {
            app.after = c.call;
            return;
          }
          if (c.call === 'close') conn.close(net.now);
          else conn.shutdown(net.now);
          return;
        case 'abort':
          if (!conn) return note('abort(): no connection', app.side);
          conn.abort(net.now);
          return;
      }
    } catch (err) {
      if (!(err instanceof TcpUsageError)) throw err;
      note(`${c.call}() failed: ${err.code}`, app.side);
    }
  };

  // The stepper moves the stacks' packets onto the link; their events go into the story, and
  // the applications read what a connection says is readable.
  net.onEvent(({ t: now, host, event: e }) => {
    if (host !== 'a' && host !== 'b') return;
    const app = apps[host];
    if (e.type === 'transition') {
      const side = sideOf(e.event.connection.local.address) ?? app.side;
      const { connection, from, to, cause } = e.event;
      if (!attacker.transition(side, connection.remote.address, to, now)) return;
      events.push({ type: 'state', time: now, side, connection, from, to, cause });
      apps[side].state = to;
    } else if (e.type === 'acceptable') {
      const listener = app.listeners.get(e.port);
      for (let c = listener?.accept(); c; c = listener?.accept()) app.conns.push(c);
    } else if (e.type === 'drop' && 'port' in e) {
      attacker.drop(app.side, e.reason);
    } else if (e.type === 'path-mtu') {
      note(
        `path MTU to ${e.conn.remote.address}: ${e.mtu} bytes, segments of ${e.mss} bytes from now on (RFC ${script.family === 'ipv6' ? '8201' : '1191'})`,
        app.side,
      );
    } else if (e.type === 'readable') {
      for (let data = e.conn.read(); data.length > 0; data = e.conn.read()) {
        app.receivedHash.update(data);
        app.received += data.length;
      }
    }
  });
  // After each side's stack is drained, its application writes what the send buffer takes.
  net.addHook((host) => {
    // the attacker's host has no application
    if (host.name !== 'a' && host.name !== 'b') return false;
    const app = apps[host.name];
    if (app.pending === 0 && !app.after) return false;
    const before = app.pending;
    flush(app);
    return app.pending !== before;
  });

  const stepReady = (): boolean => {
    const s = script.steps[stepIndex];
    if (s === undefined) return false;
    if ('wait' in s) {
      if (resumeAt === undefined) {
        resumeAt = net.now + s.wait;
        // Wakes the stepper then, if nothing else does.
        if (resumeAt > net.now) net.at(resumeAt, () => {});
      }
      if (net.now < resumeAt) return false;
      resumeAt = undefined;
      return true;
    }
    if ('waitFor' in s) return apps[s.waitFor.side].state === s.waitFor.state;
    return true;
  };

  const runStep = () => {
    const s = script.steps[stepIndex++];
    if (s === undefined || 'wait' in s || 'waitFor' in s) return;
    if ('side' in s) userCall(apps[s.side], s);
    else if ('faults' in s) {
      for (const [from, to] of directions(s.direction)) net.setFaults(from, to, s.faults);
      note(`network ${s.direction}: ${JSON.stringify(s.faults).replace(/["{}]/g, '')}`);
    } else if ('partition' in s) {
      for (const [from, to] of directions(s.partition)) net.fault(from, to, { kind: 'cut' });
      note(`link cut (${s.partition})`);
    } else if ('heal' in s) {
      for (const [from, to] of directions(s.heal)) net.fault(from, to, { kind: 'heal' });
      note(`link healed (${s.heal})`);
    } else if ('drop' in s) {
      const to = hosts[s.drop.from === 'a' ? 'b' : 'a'];
      net.fault(hosts[s.drop.from], to, { kind: 'drop', flags: s.drop.flags, count: s.drop.count });
    } else if ('reject' in s) {
      const { from, flags, count, code } = s.reject;
      const to = hosts[from === 'a' ? 'b' : 'a'];
      net.fault(hosts[from], to, { kind: 'drop', flags, count });
      rejects.push({ from, left: count, code: code ?? 3 });
    } else if ('flood' in s) {
      const { rate, duration, port } = s.flood;
      attacker.startFlood(net.now, rate, duration, port ?? script.port);
    } else if ('blind' in s) {
      const { target, kinds, count, duration } = s.blind;
      attacker.startBlind(net.now, target, kinds, count, duration);
    }
  };

  const directions = (d: Direction): Array<[SimHost, SimHost]> =>
    d === 'both'
      ? [
          [hosts.a, hosts.b],
          [hosts.b, hosts.a],
        ]
      : d === 'a->b'
        ? [[hosts.a, hosts.b]]
        : [[hosts.b, hosts.a]];

  // The connections between a and b, on both sides (b's may not be accepted yet).
  const pending = (): PendingWork[] => {
    const seen = new Set<Connection>();
    const out: PendingWork[] = [];
    const add = (side: Side, conn: Connection | undefined) => {
      if (conn === undefined || seen.has(conn)) return;
      seen.add(conn);
      const work = pendingWork(side, conn);
      if (work !== undefined) out.push(work);
    };
    for (const side of ['a', 'b'] as const) {
      const peer = apps[side === 'a' ? 'b' : 'a'].stack;
      for (const conn of apps[side].conns) {
        add(side, conn);
        add(side === 'a' ? 'b' : 'a', peer.find(conn.remote.port, conn.local));
      }
    }
    return out;
  };

  for (;;) {
    net.flush();
    while (stepReady()) {
      runStep();
      net.flush();
    }
    if (stepIndex >= script.steps.length && settleUntil === undefined)
      settleUntil = net.now + script.settle;
    const next = net.nextDeadline();
    // Nothing left to happen, or the script is done, the settling time has passed and no
    // connection between a and b has anything left to send (a FIN still to retransmit, say).
    if (next === undefined) {
      if (stepIndex < script.steps.length) ended = 'stuck';
      break;
    }
    if (settleUntil !== undefined && next > settleUntil && pending().length === 0) break;
    if (next > maxTime) {
      ended = 'time-limit';
      break;
    }
    if (++steps > maxSteps) {
      ended = 'step-limit';
      break;
    }
    net.step();
    sampler?.sample(net.now);
  }

  const summary = (from: App, to: App): StreamSummary => ({
    sent: from.sent,
    received: to.received,
    sha256Sent: from.sentHash.digestHex(),
    sha256Received: to.receivedHash.digestHex(),
  });
  const finalState = (app: App): TcpState => app.current?.state ?? app.state ?? 'CLOSED';
  const attack = attacker.summary();
  const end: StoryEnd = {
    reason: ended,
    time: net.now,
    pending: ended === 'settled' ? [] : pending(),
  };
  if (end.pending.length > 0) {
    const what = end.pending.map(
      (p) => `${p.side} in ${p.state}, ${p.timer} timer due at ${p.at} ms`,
    );
    note(`run cut (${ended}): ${what.join('; ')}`);
  }
  return {
    story: {
      scenario: script.name,
      seed: opts.seed,
      events,
      final: { a: finalState(apps.a), b: finalState(apps.b) },
      streams: { 'a->b': summary(apps.a, apps.b), 'b->a': summary(apps.b, apps.a) },
      end,
      ...(attack === undefined ? {} : { attack }),
    },
    packets,
    ended,
    ...(sampler ? { samples: sampler.samples } : {}),
  };
}

/** A firewall's reject over IPv6: the ICMPv6 twin of ICMP unreachable with `code`. */
function rejectIcmpv6(src: string, code: number, quoted: Uint8Array): Uint8Array {
  const v6 = icmpv6ForIcmp(ICMP_UNREACHABLE, code);
  return icmpv6ErrorPacket(parseIpv6Address(src) as Uint8Array, v6.type, v6.code, quoted);
}
