/**
 * Layer scenario/ (beside drill/ and capture/): scenarios played on the simulator. May import:
 * drill/, capture/, link/sim/, stack/, tcp/, wire/, state/, util/. Must not: import net/ (a real
 * clock), link/tun/, host/, render/ or the user interfaces, or read a clock or use Math.random
 * (lint/layers.cjs, biome.json).
 */

/**
 * A scenario script: what the applications on `a` and `b` do, and what the network does, step
 * by step. Built-in scenarios (builtin.ts) and users' files (file.ts) are both scripts; the
 * runner (runner.ts) plays one on the simulated network and tells the story.
 *
 * Steps run in order. A step happens when the previous one is done: `wait` steps let virtual
 * time pass (a duration, or until a side reaches a state); the others take no time.
 */
import type { LinkFaults as SimLinkFaults, TcpFlagName } from '../link/sim/faults.js';
import type { SynCookieMode } from '../stack/stack.js';
import type { TcpState } from '../state/states.js';
import type { EcnMode } from '../tcp/ecn.js';
import type { BlindKind } from './attack.js';
import type { Side } from './story.js';

export type Direction = 'a->b' | 'b->a' | 'both';

export type IpFamily = 'ipv4' | 'ipv6';

/** Per-direction network behaviour (the simulator's one fault type); fields left out keep their value. */
export type LinkFaults = Partial<SimLinkFaults>;

export type Call =
  /**
   * Passive open on `port` (default: the script's port). The application accepts every
   * connection. `fastOpen`: TCP Fast Open on (RFC 7413), with that many pending at most.
   */
  | { call: 'listen'; port?: number; fastOpen?: number }
  /**
   * Active open to the other side's `port`, from `localPort` if given. `fastOpen`: connect
   * with TCP Fast Open and this text as the first data (on the SYN when a cookie is cached).
   */
  | { call: 'connect'; port?: number; localPort?: number; fastOpen?: string }
  /** Queues `bytes` bytes of a deterministic pattern, or the given text. */
  | { call: 'send'; bytes: number; text?: string }
  | { call: 'shutdown' }
  | { call: 'close' }
  | { call: 'abort' };

export type Step =
  | ({ side: Side } & Call)
  /** Lets `ms` of virtual time pass. */
  | { wait: number }
  /** Waits until `side` reaches `state` (or the scenario's time limit). */
  | { waitFor: { side: Side; state: TcpState } }
  /** Changes the network from now on. */
  | { faults: LinkFaults; direction: Direction }
  /** Cuts the link (everything sent is lost) or heals it. */
  | { partition: Direction }
  | { heal: Direction }
  /** Drops the next `count` segments `from` sends whose flags include all of `flags`. */
  | { drop: { from: Side; flags: readonly TcpFlagName[]; count: number } }
  /**
   * A firewall before the other side rejects the next `count` segments `from` sends whose
   * flags include all of `flags` (iptables REJECT): each is dropped and answered with an ICMP
   * destination unreachable of `code` (RFC 792; default 3, port unreachable).
   */
  | { reject: { from: Side; flags: readonly TcpFlagName[]; count: number; code?: number } }
  /**
   * A SYN flood (RFC 4987): an attacker sends `rate` SYNs per second from spoofed sources to
   * b's `port` (default: the script's) for `duration` ms, starting now; the step takes no time.
   */
  | { flood: { rate: number; duration: number; port?: number } }
  /**
   * A blind attack (RFC 5961): an off-path attacker that knows the 4-tuple of `target`'s
   * connection but not its numbers sends `count` segments of each kind, spoofed as the other
   * side, with guessed sequence numbers, spread over `duration` ms from now.
   */
  | { blind: { target: Side; kinds: readonly BlindKind[]; count: number; duration: number } };

export interface Script {
  name: string;
  description: string;
  /** The port b listens on and a connects to unless a step says otherwise. */
  port: number;
  /** Initial network behaviour, both directions. */
  network: LinkFaults;
  /** Maximum segment size both sides advertise. */
  mss?: number;
  /** Keepalive on side a (idle, interval in ms, probe count), for the dead-peer story. */
  keepalive?: { idle: number; interval: number; count: number };
  /** TCP_USER_TIMEOUT on side a, in ms (RFC 5482): give up when data stays unacknowledged. */
  userTimeout?: number;
  /** SYN retransmissions before giving up (Linux tcp_syn_retries). */
  synRetries?: number;
  /** ECN (RFC 3168) on side a: 'on' asks for it on a's SYNs; b accepts it when asked. */
  ecn?: EcnMode;
  /** SYN cookies on both stacks (Linux tcp_syncookies; the stack's default is 'overflow'). */
  synCookies?: SynCookieMode;
  /** The IP version a and b speak (default ipv4: 10.0.0.1 and 10.0.0.2; ipv6: fd00::1, fd00::2). */
  family?: IpFamily;
  /** Virtual-time limit in ms after the last step; the scenario always ends by itself. */
  settle: number;
  steps: Step[];
}

/** What the command line may change in any scenario. */
export interface ScriptOverrides {
  latency?: number;
  jitter?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
  mss?: number;
  bytes?: number;
  /** SYNs per second of every flood step. */
  rate?: number;
  /** Segments of each kind of every blind step. */
  count?: number;
  synCookies?: SynCookieMode;
  /** `tcpstate sim --ipv6`. */
  family?: IpFamily;
}

/** The script with the command line's network options and byte count applied. */
export function applyOverrides(script: Script, o: ScriptOverrides): Script {
  const network: LinkFaults = { ...script.network };
  for (const key of ['latency', 'jitter', 'loss', 'duplicate', 'reorder'] as const) {
    const v = o[key];
    if (v !== undefined) network[key] = v;
  }
  const steps = script.steps.map((s): Step => {
    if ('call' in s && s.call === 'send' && s.text === undefined && o.bytes !== undefined)
      return { ...s, bytes: o.bytes };
    if ('flood' in s && o.rate !== undefined) return { flood: { ...s.flood, rate: o.rate } };
    if ('blind' in s && o.count !== undefined) return { blind: { ...s.blind, count: o.count } };
    return s;
  });
  return {
    ...script,
    network,
    mss: o.mss ?? script.mss,
    synCookies: o.synCookies ?? script.synCookies,
    ...(o.family === undefined ? {} : { family: o.family }),
    steps,
  };
}

/** Whether the script has a step of this kind (what `--rate` and `--count` apply to). */
export function hasStep(script: Script, kind: 'flood' | 'blind'): boolean {
  return script.steps.some((s) => kind in s);
}
