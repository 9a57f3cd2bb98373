/**
 * The attacker of a scenario (syn-flood, blind-reset), played by the runner: a third host on the
 * simulated network that sends spoofed packets (attack.ts) and is never part of the story's two
 * lanes. What it does, and what a and b do about it, is told as notes at the moments that
 * matter and counted into the story's `attack` figures; its packets and b's backscatter go to
 * the pcap only.
 */
import type { PacketRecord, SimHost, SimNetwork } from '../link/sim/network.js';
import type { ListenerDropReason } from '../stack/events.js';
import type {
  StackConnection as Connection,
  Listener,
  Stack,
  SynCookieMode,
} from '../stack/stack.js';
import { invalidAcksSuppressed } from '../tcp/invalid-ack.js';
import { DEFAULT_CONFIG } from '../tcp/types.js';
import type { SeededRng } from '../util/rng.js';
import { parseAnyTcpPacket } from '../wire/packet6.js';
import { seqAdd } from '../wire/seq.js';
import { type BlindKind, blindSegment, packetsInMs, spoofedSyn } from './attack.js';
import type { AttackSummary, BlindSummary, FloodSummary, Side } from './story.js';

/** The attacker's own address; it sends from others. */
export const ATTACKER_ADDRESS = '10.0.0.66';
export const ATTACKER_ADDRESS6 = 'fd00::66';

/** What the attacker sees of the scenario: the network, both stacks, and the applications. */
export interface AttackContext {
  net: SimNetwork;
  hosts: Record<Side, SimHost>;
  addresses: Record<Side, string>;
  /** One-way delay of the attacker's links. */
  latency: number;
  newHost: () => Stack;
  rng: () => SeededRng;
  note: (text: string, side?: Side) => void;
  listener: (side: Side, port: number) => Listener | undefined;
  connection: (side: Side) => Connection | undefined;
  /** The per-connection challenge-ACK limit of the scripts' stacks, if they set one. */
  challengeAckLimit?: number;
  synCookies: SynCookieMode;
}

/** The flood's progress is told once per this many ms (and at the moments that matter). */
const FLOOD_REPORT_MS = 1000;
/** One RST in this many lands inside the target's window (see `blind()`). */
const IN_WINDOW_EVERY = 100;

interface BlindState {
  summary: BlindSummary;
  conn: Connection;
  challengeBase: number;
  suppressedBase: number;
  invalidBase: number;
  lastChallenge: number;
}

export class Attacker {
  private host: SimHost | undefined;
  private attackRng: SeededRng | undefined;
  private flood: FloodSummary | undefined;
  private blindState: BlindState | undefined;
  private client: AttackSummary['client'];

  constructor(private readonly ctx: AttackContext) {}

  private get from(): SimHost {
    if (this.host === undefined) {
      const h = this.ctx.net.addStack('attacker', this.ctx.newHost());
      for (const side of ['a', 'b'] as const)
        this.ctx.net.link(h, this.ctx.hosts[side], { latency: this.ctx.latency });
      this.host = h;
    }
    return this.host;
  }

  private get rng(): SeededRng {
    this.attackRng ??= this.ctx.rng();
    return this.attackRng;
  }

  /** A packet the network moved: true when it belongs to the story (between a and b). */
  packet(p: PacketRecord): boolean {
    if (p.from === 'attacker') return false;
    if (p.from === 'b' && p.to !== 'a') {
      if (this.flood) this.flood.backscatter++;
      return false;
    }
    if (p.from !== 'a' && p.from !== 'b') return false;
    if (p.to !== 'a' && p.to !== 'b') return false;
    this.answered(p);
    if (this.flood) this.handshake(p);
    return true;
  }

  /** A connection's transition: false for the spoofed half-opens (counted, not told). */
  transition(side: Side, remote: string, to: string, time: number): boolean {
    if (remote !== this.ctx.addresses.a && remote !== this.ctx.addresses.b) return false;
    if (side === 'a' && to === 'SYN_SENT') this.client = { connectAt: time };
    if (
      side === 'a' &&
      to === 'ESTABLISHED' &&
      this.client &&
      this.client.establishedAt === undefined
    )
      this.client.establishedAt = time;
    return true;
  }

  /** A listener's drop event on `side`. */
  drop(side: Side, reason: ListenerDropReason): void {
    if (side !== 'b' || this.flood === undefined) return;
    this.flood.drops[reason] = (this.flood.drops[reason] ?? 0) + 1;
  }

  /** Starts a SYN flood at b's `port`: `rate` spoofed SYNs per second for `duration` ms. */
  startFlood(now: number, rate: number, duration: number, port: number): void {
    const { net } = this.ctx;
    const b = this.ctx.hosts.b.stack;
    const listener = this.ctx.listener('b', port);
    const flood: FloodSummary = {
      rate,
      start: now,
      duration,
      port,
      spoofedSyns: 0,
      backscatter: 0,
      cookieSynAcks: 0,
      cookieConnections: 0,
      drops: {},
      synQueuePeak: 0,
      backlog: listener?.backlog ?? 0,
      connectionsPeak: 0,
    };
    this.flood = flood;
    const from = this.from;
    this.ctx.note(`attacker: ${rate} SYN/s from spoofed sources to b:${port}, ${duration} ms`);
    let reportedFull = false;
    let lastReport = { syns: 0, cookies: 0, drops: 0 };
    for (let ms = 0; ms < duration; ms++) {
      net.at(now + ms, () => {
        for (let k = packetsInMs(rate, ms); k > 0; k--) {
          net.sendRaw(from, spoofedSyn(this.rng, this.ctx.addresses.b, port));
          flood.spoofedSyns++;
        }
        const queue = listener?.synQueueLength ?? 0;
        flood.synQueuePeak = Math.max(flood.synQueuePeak, queue);
        flood.connectionsPeak = Math.max(flood.connectionsPeak, b.connectionCount);
        if (!reportedFull && listener !== undefined && queue >= listener.backlog) {
          reportedFull = true;
          this.ctx.note(
            `SYN queue full (${queue} = backlog): ${
              this.ctx.synCookies === 'off' ? 'SYNs dropped' : 'SYN cookies now'
            }`,
            'b',
          );
        }
        const last = ms === duration - 1;
        if ((ms + 1) % FLOOD_REPORT_MS === 0 || last) {
          const c = b.counters;
          const drops = totalDrops(flood);
          this.ctx.note(
            `flood${last ? ' ends' : ''}: +${flood.spoofedSyns - lastReport.syns} SYNs, +${
              c.syncookiesSent - lastReport.cookies
            } cookies, +${drops - lastReport.drops} drops, queue ${queue}/${flood.backlog}`,
          );
          lastReport = { syns: flood.spoofedSyns, cookies: c.syncookiesSent, drops };
        }
      });
    }
  }

  /**
   * Starts a blind attack on `target`'s connection: `count` segments of each kind over
   * `duration` ms, spoofed as the peer. Sequence numbers are uniform guesses, except that one
   * RST in IN_WINDOW_EVERY is made to land inside the target's receive window (a real blind
   * attacker hits it once in 2^32 / window guesses, ~16,000 for a 256 KiB window): it shows
   * that even a guess in the window draws only a challenge ACK (RFC 5961 3.2), never a reset.
   */
  startBlind(
    now: number,
    target: Side,
    kinds: readonly BlindKind[],
    count: number,
    duration: number,
  ): void {
    const conn = this.ctx.connection(target);
    if (conn === undefined || conn.state === 'CLOSED') {
      this.ctx.note(`attacker: ${target} has no connection to attack`);
      return;
    }
    const { net } = this.ctx;
    const tuple = {
      peer: conn.remote.address,
      peerPort: conn.remote.port,
      victim: conn.local.address,
      victimPort: conn.local.port,
    };
    const summary: BlindSummary = {
      target,
      start: now,
      duration,
      sent: {},
      inWindow: 0,
      challengeAcks: 0,
      challengeAcksSuppressed: 0,
      challengeAckLimit: this.ctx.challengeAckLimit ?? DEFAULT_CONFIG.challengeAckLimit,
      outOfWindowAcks: 0,
      outOfWindowAcksSuppressed: 0,
      resets: 0,
    };
    this.blindState = {
      summary,
      conn,
      challengeBase: conn.stats.challengeAcksSent,
      suppressedBase: conn.stats.challengeAcksSuppressed,
      invalidBase: invalidAcksSuppressed(innerConnection(conn)),
      lastChallenge: conn.stats.challengeAcksSent,
    };
    const from = this.from;
    this.ctx.note(
      `attacker (as ${target === 'a' ? 'b' : 'a'}): ${kinds.map((k) => `${count} ${k}`).join(' + ')}, guessed seq, ${duration} ms`,
    );
    const perSecond = (count * 1000) / duration;
    let rsts = 0;
    for (let ms = 0; ms < duration; ms++) {
      net.at(now + ms, () => {
        for (let k = packetsInMs(perSecond, ms); k > 0; k--) {
          for (const kind of kinds) {
            let seq = this.rng.nextU32();
            if (kind === 'RST' && ++rsts % IN_WINDOW_EVERY === 0 && conn.state !== 'CLOSED') {
              const { rcvNxt, rcvWnd } = conn.info();
              // inside the window but never RCV.NXT itself: that would be no guess
              seq = seqAdd(rcvNxt, 1 + (this.rng.nextU32() % Math.max(1, rcvWnd - 1)));
              summary.inWindow++;
            }
            net.sendRaw(from, blindSegment(kind, tuple, seq));
            summary.sent[kind] = (summary.sent[kind] ?? 0) + 1;
          }
        }
        if (ms === duration - 1) {
          this.ctx.note(`attacker stops (${summary.inWindow} RSTs fell in ${target}’s window)`);
        }
      });
    }
  }

  /** Tells how b meets a's handshake during a flood: a SYN cookie, or a SYN dropped. */
  private handshake(p: PacketRecord): void {
    const parsed = parseAnyTcpPacket(p.bytes, false);
    if (!parsed.ok || !parsed.value.tcp.flags.syn) return;
    const tcp = parsed.value.tcp;
    const b = this.ctx.hosts.b.stack;
    if (p.from === 'b' && tcp.flags.ack) {
      // a SYN-queue entry would be there now; a cookie leaves none
      if (b.find(tcp.srcPort, { address: this.ctx.addresses.a, port: tcp.dstPort }) === undefined)
        this.ctx.note('SYN,ACK with a SYN cookie: b keeps no entry for a', 'b');
      return;
    }
    if (p.from === 'a' && !tcp.flags.ack && p.tArrive !== undefined) {
      const arrive = p.tArrive;
      this.ctx.net.at(arrive, () => {
        const seen = b.find(tcp.dstPort, { address: this.ctx.addresses.a, port: tcp.srcPort });
        if (seen === undefined && this.ctx.synCookies === 'off')
          this.ctx.note('a’s SYN dropped: SYN queue full, no cookies', 'b');
      });
    }
  }

  /** Tells the target's answers to the blind segments as they leave (before the story has them). */
  private answered(p: PacketRecord): void {
    const s = this.blindState;
    if (s === undefined || p.from !== s.summary.target) return;
    // answers come until the last guess has arrived; a's own pure ACKs are rare here (it sends)
    if (p.t > s.summary.start + s.summary.duration + 2 * this.ctx.latency) return;
    const parsed = parseAnyTcpPacket(p.bytes, false);
    if (!parsed.ok) return;
    const { flags, payload } = parsed.value.tcp;
    if (payload.length > 0 || flags.syn || flags.fin || flags.rst || !flags.ack) return;
    const challenges = s.conn.stats.challengeAcksSent;
    if (challenges > s.lastChallenge) {
      s.lastChallenge = challenges;
      this.ctx.note('challenge ACK (RFC 5961): a guess not believed', s.summary.target);
      return;
    }
    s.summary.outOfWindowAcks++;
    this.ctx.note('ACK to an out-of-window guess (one per 500 ms)', s.summary.target);
  }

  /** The figures, with the blind attack's counters read now (at the end of the run). */
  summary(): AttackSummary | undefined {
    const out: AttackSummary = {};
    if (this.flood) {
      const c = this.ctx.hosts.b.stack.counters;
      this.flood.cookieSynAcks = c.syncookiesSent;
      this.flood.cookieConnections = c.syncookiesRecv;
      out.flood = this.flood;
    }
    const s = this.blindState;
    if (s) {
      const stats = s.conn.stats;
      s.summary.challengeAcks = stats.challengeAcksSent - s.challengeBase;
      s.summary.challengeAcksSuppressed = stats.challengeAcksSuppressed - s.suppressedBase;
      s.summary.outOfWindowAcksSuppressed =
        invalidAcksSuppressed(innerConnection(s.conn)) - s.invalidBase;
      s.summary.resets = s.conn.closeReason === 'reset' ? 1 : 0;
      out.blind = s.summary;
    }
    if (this.client && (this.flood || s)) out.client = this.client;
    return out.flood || out.blind ? out : undefined;
  }
}

function totalDrops(f: FloodSummary): number {
  let n = 0;
  for (const v of Object.values(f.drops)) n += v ?? 0;
  return n;
}

/** The engine's connection behind a handle: tcp/invalid-ack.ts keys its counts by it. */
function innerConnection(conn: Connection): object {
  return conn.conn;
}
