/**
 * Layer stack/: connections by 4-tuple, listeners, ports, ISNs, RSTs. May import: tcp/, wire/,
 * state/, util/. Must not: import link/ or anything above it (links carry its packets), or do I/O,
 * read a clock or use Math.random (lint/layers.cjs, biome.json).
 */

/**
 * A host's TCP stack over IPv4, IPv6 or both, sans-IO: demultiplexing by 4-tuple, listeners
 * with a SYN queue and an accept queue, ephemeral ports, RFC 6528 ISNs, RST for segments that
 * match nothing, ICMP and ICMPv6 echo and errors, path MTU discovery with a per-destination
 * cache (pmtu.ts), netstat-style counters and snapshots.
 *
 * The stack takes and gives whole IP packets, of the version of its peer. A dual-stack host has
 * one address of each family; listeners bind `0.0.0.0`, `::` or one of its addresses with
 * Linux's semantics: `::` takes IPv4 connections too (named `::ffff:a.b.c.d`) unless v6only. Call order, as for a Connection: after any
 * input (`handlePacket`, `handleTimeout`, a user call on a StackConnection or Listener), drain
 * `pollTransmit(now)` and `pollEvent()`, then re-read `pollTimeout()`.
 *
 * Connections are handed out as StackConnection handles (`connect()`, `Listener.accept()`),
 * never as bare Connections: the handle's user commands call the Connection and put it on the
 * stack's service list, which the next `pollTransmit`/`pollEvent` drains. The engine never
 * calls up, and no poll scans all connections: packets, timers and handles say which to visit.
 *
 * `pollEvent()` reports everything the engine and the stack know (events.ts): every connection
 * event (transition, readable, end, writable, closed with its CloseReason) with its handle,
 * listener events, and drops with a typed reason. Calls that fail throw StackError (a `code`).
 */
import type { Endpoint, TcpState } from '../state/states.js';
import { Connection } from '../tcp/connection.js';
import { invalidAcksSuppressed } from '../tcp/invalid-ack.js';
import { synOptions } from '../tcp/options.js';
import { shiftFor } from '../tcp/tcb.js';
import { type ConnectionConfig, DEFAULT_CONFIG, type TimerKind } from '../tcp/types.js';
import type { Rng } from '../util/rng.js';
import { parseIpv4Address, u32ToIpv4 } from '../wire/address.js';
import { sameIpv6 } from '../wire/address6.js';
import { emptyFlags } from '../wire/flags.js';
import {
  classifyIcmpv6Error,
  ICMPV6_PACKET_TOO_BIG,
  ICMPV6_ROUTER_SOLICITATION,
  icmpv6EchoReply,
  parseIcmpv6,
  quotedTcp,
} from '../wire/icmpv6.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { IPV6_HEADER_LENGTH, IPV6_MIN_MTU, NEXT_ICMPV6, parseIpv6 } from '../wire/ipv6.js';
import { emitPacket, parseTcpPacket } from '../wire/packet.js';
import { emitPacket6, parseTcpPacket6 } from '../wire/packet6.js';
import { seqAdd, seqGe, seqGt, seqLt } from '../wire/seq.js';
import { IPPROTO_ICMP, IPPROTO_TCP, type TcpOption, type TcpSegment } from '../wire/types.js';
import {
  IPV4_ANY,
  IPV6_ANY,
  ipv4Text,
  ipv6Text,
  parseStackAddress,
  remoteKey6,
  type StackAddress,
} from './address.js';
import { DeadlineHeap } from './deadlines.js';
import { type RemoteKey, remoteKey, TupleMap } from './demux.js';
import { StackError } from './errors.js';
import type { ListenerDropReason, PacketDropReason, StackEvent } from './events.js';
import { FastOpen } from './fastopen.js';
import { echoReply, hardErrorErrno, ICMP_UNREACHABLE, readIcmpError } from './icmp.js';
import { IsnGenerator } from './isn.js';
import { acceptPmtu, PmtuCache } from './pmtu.js';
import { SECRET_BYTES, type SipKey, secretFromRng, sipKey } from './secret.js';
import { type Listener, ListenerImpl, StackConnection } from './stack-connection.js';
import { type CookieTuple, cookieTsOptions, cookieTsVal, SynCookies } from './syn-cookie.js';

export { StackError, type StackErrorCode } from './errors.js';
export type {
  DropReason,
  ListenerDropReason,
  PacketDropReason,
  StackEvent,
} from './events.js';
export type { Listener } from './stack-connection.js';
export { StackConnection } from './stack-connection.js';

export interface StackOptions {
  /** This host's address: IPv4 (dotted quad) or IPv6 (RFC 4291 text). */
  address: string;
  /** A dual-stack host's IPv6 address, beside an IPv4 `address`. */
  address6?: string;
  /**
   * The link's MTU: the MSS a SYN offers is this less 40 bytes of headers under IPv4 and 60
   * under IPv6 (never below IPv6's 1280, RFC 8200 5). Absent: the IPv4 MSS plus 40.
   */
  mtu?: number;
  /** Seeded randomness: ephemeral ports, and the secrets when they are not given. */
  rng: Rng;
  /**
   * RFC 6528 (3): the 128-bit key of the ISN hash (16 bytes). On a real network pass
   * `crypto.getRandomValues(new Uint8Array(16))`; without it the key is drawn from `rng`, which
   * is only as secret as its seed.
   */
  isnSecret?: Uint8Array;
  /** RFC 4987 (3.6): the 128-bit key of the SYN-cookie hash; drawn from `rng` when absent. */
  cookieSecret?: Uint8Array;
  /** Defaults for every connection of this stack. */
  config?: Partial<ConnectionConfig>;
  /** Ephemeral port range, inclusive (Linux ip_local_port_range: 32768-60999). */
  ephemeralPorts?: [number, number];
  /** IPv4 TTL and IPv6 hop limit of packets we send (64, as Linux's ip_default_ttl). */
  ttl?: number;
  /**
   * Let a new SYN with a higher sequence number reopen a 4-tuple in TIME_WAIT (RFC 9293 3.6.1
   * MAY, RFC 6191; Linux and FreeBSD do). Default true; false keeps TIME_WAIT's RFC 9293
   * 3.10.7.4 handling for every SYN (challenge ACK, or an ACK when outside the window).
   */
  timeWaitReuse?: boolean;
  /**
   * SYN cookies (RFC 4987 3.6), as Linux's tcp_syncookies: 'overflow' (1, the default) answers
   * with a cookie only when a listener's SYN queue is full, 'always' (2) for every SYN, 'off'
   * (0) drops the SYN instead.
   */
  synCookies?: SynCookieMode;
  /** SYN,ACK retransmissions of a passive open before it is given up (Linux tcp_synack_retries: 5). */
  synAckRetries?: number;
  /**
   * RFC 5961 (7): challenge ACKs this host sends per second over all its connections (Linux
   * tcp_challenge_ack_limit: 1000), beside each connection's own `challengeAckLimit`.
   * Infinity lifts it.
   */
  challengeAckLimit?: number;
}

export type SynCookieMode = 'off' | 'overflow' | 'always';

/** Counters like `netstat -s`. */
export interface StackCounters {
  packetsIn: number;
  packetsOut: number;
  segmentsIn: number;
  segmentsOut: number;
  retransmits: number;
  resetsSent: number;
  resetsReceived: number;
  checksumErrors: number;
  malformed: number;
  notForUs: number;
  activeOpens: number;
  passiveOpens: number;
  attemptFails: number;
  establishedResets: number;
  listenOverflows: number;
  listenDrops: number;
  challengeAcks: number;
  /** SYN,ACKs sent with a cookie instead of a SYN-queue entry (Linux SyncookiesSent). */
  syncookiesSent: number;
  /** Handshake ACKs whose cookie was good: a connection without a SYN-queue entry. */
  syncookiesRecv: number;
  /** Handshake ACKs whose cookie was stale or not ours (dropped). */
  syncookiesFailed: number;
  /** Challenge ACKs not sent for the host-wide limit (Linux TCPChallengeACK's overflow). */
  challengeAcksLimited: number;
  /**
   * ACKs not sent in answer to out-of-window segments, for each connection's rate limit
   * (tcp/invalid-ack.ts; Linux's TCPACKSkippedSeq and friends).
   */
  invalidAcksSuppressed: number;
  timeWaitReused: number;
  icmpEchoReplies: number;
  otherProtocols: number;
  /** ICMPv6 router solicitations (a kernel's, over TUN): a host is no router, so ignored. */
  routerSolicitations: number;
  /**
   * ICMP and ICMPv6 errors whose quoted sequence number lies outside SND.UNA..SND.NXT (RFC 5927
   * 4.1): ignored, as Linux's OutOfWindowIcmps counts them.
   */
  outOfWindowIcmps: number;
  /** Fragmentation-needed / packet-too-big reports that lowered a connection's path MTU. */
  pmtuUpdates: number;
  /** Such reports ignored: an MTU below the family's minimum, or not below the one in use. */
  pmtuIgnored: number;
}

/** One row of a netstat-style snapshot. */
export interface SocketSnapshot {
  state: TcpState;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  timer: { kind: TimerKind; remaining: number } | undefined;
}

/** Linux's default backlog cap (net.core.somaxconn since 5.4). */
const DEFAULT_BACKLOG = 4096;
const DEFAULT_EPHEMERAL: [number, number] = [32768, 60999];
/** Linux starts a reused TIME_WAIT 4-tuple's ISN this far past the old SND.NXT (tcp_timewait_state_process). */
const TIME_WAIT_ISN_GAP = 65535 + 2;

export class Stack {
  /** The address the stack was made with (its IPv4 one on a dual-stack host). */
  readonly address: string;
  /** The IPv4 address's text, and as a u32 (-1 without one): what IPv4 packets are matched against. */
  readonly address4: string | undefined;
  private readonly addressU32: number;
  /** The IPv6 address's text (RFC 5952) and bytes. */
  readonly address6: string | undefined;
  private readonly address6Bytes: Uint8Array | undefined;
  /** The MSS IPv6 connections offer at most: the link MTU less 60 (RFC 8200, RFC 9293 3.7.1). */
  private readonly mss6: number;
  /** The IPv4 MSS the link's MTU gives; a config with another MSS chose it (TCP_MAXSEG). */
  private readonly mss4: number;
  private readonly rng: Rng;
  private readonly config: Partial<ConnectionConfig>;
  private readonly ttl: number;
  private readonly timeWaitReuse: boolean;
  private readonly ephemeral: [number, number];
  private nextEphemeral: number;
  private readonly isns: IsnGenerator;
  /** TCP Fast Open (fastopen.ts): the client's cookie cache and the server's key. */
  readonly fastOpen = new FastOpen();
  /** Hard ICMP errors end a connection opening (FreeBSD's net.inet.tcp.icmp_may_rst=1). */
  icmpMayReset = true;
  /** The errno of the ICMP hard error that ended a connection (icmpError). */
  readonly icmpErrors = new WeakMap<StackConnection, string>();
  /**
   * Path MTUs learned per destination (RFC 1191 5, RFC 8201 5.2; pmtu.ts), each kept 10 minutes
   * as Linux's mtu_expires: new connections start with them, running ones follow them.
   */
  readonly pmtuCache = new PmtuCache();
  /** Connections running below their link's MTU: they follow the cache until it expires. */
  private readonly pmtuLowered = new Set<StackConnection>();
  /** Connections whose SYN offered Fast Open, for the cache to learn from their SYN,ACK. */
  private readonly fastOpenSyns = new WeakMap<Connection, boolean>();
  private readonly cookies: SynCookies;
  private readonly synCookies: SynCookieMode;
  private readonly synAckRetries: number;
  /** When each listener last answered a SYN with a cookie (Linux tcp_synq_overflow). */
  private readonly lastCookie = new Map<ListenerImpl, number>();
  private readonly challengeLimit: number;
  private challengeWindow = Number.NEGATIVE_INFINITY;
  private challengeCount = 0;

  private readonly conns = new TupleMap<StackConnection>();
  /** Listeners by port: at most one per family and port (their address sets never overlap). */
  private readonly listeners = new Map<number, ListenerImpl[]>();
  private readonly timers = new DeadlineHeap<StackConnection>();
  /** Connections a user call went through since they were last serviced. */
  private readonly dirty = new Set<StackConnection>();
  private readonly out: Uint8Array[] = [];
  private outHead = 0;
  private readonly events: StackEvent[] = [];
  private eventHead = 0;

  private readonly base: StackCounters = {
    packetsIn: 0,
    packetsOut: 0,
    segmentsIn: 0,
    segmentsOut: 0,
    retransmits: 0,
    resetsSent: 0,
    resetsReceived: 0,
    checksumErrors: 0,
    malformed: 0,
    notForUs: 0,
    activeOpens: 0,
    passiveOpens: 0,
    attemptFails: 0,
    establishedResets: 0,
    listenOverflows: 0,
    listenDrops: 0,
    challengeAcks: 0,
    syncookiesSent: 0,
    syncookiesRecv: 0,
    syncookiesFailed: 0,
    challengeAcksLimited: 0,
    invalidAcksSuppressed: 0,
    timeWaitReused: 0,
    icmpEchoReplies: 0,
    otherProtocols: 0,
    routerSolicitations: 0,
    outOfWindowIcmps: 0,
    pmtuUpdates: 0,
    pmtuIgnored: 0,
  };

  constructor(opts: StackOptions) {
    const main = parseStackAddress(opts.address);
    const second = opts.address6 === undefined ? undefined : parseStackAddress(opts.address6);
    if (main === undefined || (main.family === 4 && main.mapped)) {
      throw new StackError('EINVAL', `Stack: not an IPv4 or IPv6 address: ${opts.address}`);
    }
    if (opts.address6 !== undefined && (second?.family !== 6 || main.family === 6)) {
      throw new StackError(
        'EINVAL',
        `Stack: address6 ${opts.address6} needs to be IPv6, beside an IPv4 address`,
      );
    }
    const v6 = main.family === 6 ? main : second?.family === 6 ? second : undefined;
    this.address = opts.address;
    this.address4 = main.family === 4 ? opts.address : undefined;
    this.addressU32 = main.family === 4 ? main.v4 : -1;
    this.address6Bytes = v6?.v6;
    this.address6 = v6 === undefined ? undefined : ipv6Text(v6.v6);
    this.rng = opts.rng;
    this.config = opts.config ?? {};
    const mtu = opts.mtu ?? (this.config.mss ?? DEFAULT_CONFIG.mss) + IPV4_TCP_HEADERS;
    if (opts.mtu !== undefined && this.config.mss === undefined) {
      this.config = { ...this.config, mss: mtu - IPV4_TCP_HEADERS };
    }
    this.mss4 = mtu - IPV4_TCP_HEADERS;
    this.mss6 = Math.max(mtu, IPV6_MIN_MTU) - IPV6_HEADER_LENGTH - 20;
    this.ttl = opts.ttl ?? 64;
    this.timeWaitReuse = opts.timeWaitReuse ?? true;
    this.ephemeral = opts.ephemeralPorts ?? DEFAULT_EPHEMERAL;
    const [lo, hi] = this.ephemeral;
    if (!(lo >= 1 && hi <= 65535 && lo <= hi)) {
      throw new StackError('EINVAL', `Stack: bad ephemeral port range ${lo}-${hi}`);
    }
    this.isns = new IsnGenerator(stackKey('isnSecret', opts.isnSecret ?? secretFromRng(this.rng)));
    // RFC 6056 (3.3.1): start the search at a random point of the range.
    this.nextEphemeral = lo + (this.rng.nextU32() % (hi - lo + 1));
    // Drawn after the port so that seeded runs keep the ISNs and ports they had.
    this.cookies = new SynCookies(
      stackKey('cookieSecret', opts.cookieSecret ?? secretFromRng(this.rng)),
    );
    this.synCookies = opts.synCookies ?? 'overflow';
    this.synAckRetries = opts.synAckRetries ?? SYNACK_RETRIES;
    this.challengeLimit = opts.challengeAckLimit ?? CHALLENGE_ACK_LIMIT;
  }

  /** Totals over the stack and all its connections, like `netstat -s`. */
  get counters(): StackCounters {
    const c = { ...this.base };
    for (const entry of this.conns.values()) addStats(c, entry.conn);
    return c;
  }

  /**
   * Listens on `port` at `address`: `0.0.0.0` (IPv4 only), `::` (IPv6, and IPv4 unless
   * `v6only`, as Linux's bindv6only=0), or one of the stack's addresses (its IPv4 one also as
   * `::ffff:a.b.c.d`). The default is `::` on a host with IPv6, `0.0.0.0` otherwise. Two
   * listeners on one port may not take the same packets (EADDRINUSE), as without SO_REUSEPORT.
   */
  listen(
    port: number,
    opts: {
      backlog?: number;
      config?: Partial<ConnectionConfig>;
      address?: string;
      v6only?: boolean;
    } = {},
  ): Listener {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new StackError('EINVAL', `listen(): bad port ${port}`);
    }
    const address = opts.address ?? (this.address6Bytes === undefined ? IPV4_ANY : IPV6_ANY);
    const bind = this.bindScope(address, opts.v6only ?? false);
    const taken = this.listeners.get(port) ?? [];
    if (taken.some((l) => (l.v4 && bind.v4) || (l.v6 && bind.v6))) {
      throw new StackError('EADDRINUSE', `listen(): port ${port} is in use`);
    }
    const backlog = Math.max(0, Math.min(opts.backlog ?? DEFAULT_BACKLOG, DEFAULT_BACKLOG));
    // A passive open retries its SYN,ACK synAckRetries times, unless the listener says otherwise.
    const config = {
      ...this.config,
      synRetries: this.synAckRetries,
      ...opts.config,
    };
    const listener = new ListenerImpl(
      (at, l) => this.closeListener(at, l),
      port,
      backlog,
      config,
      bind.text,
      bind.v4,
      bind.v6,
      bind.mapped,
      bind.v6 && bind.text === IPV6_ANY && !bind.v4,
    );
    this.listeners.set(port, [...taken, listener]);
    return listener;
  }

  /** Which packets a listener on `address` takes, and how it names IPv4 peers. */
  private bindScope(
    address: string,
    v6only: boolean,
  ): { text: string; v4: boolean; v6: boolean; mapped: boolean } {
    if (address === IPV4_ANY) return { text: IPV4_ANY, v4: true, v6: false, mapped: false };
    const a = parseStackAddress(address);
    if (a === undefined) throw new StackError('EINVAL', `listen(): not an address: ${address}`);
    if (a.family === 6 && a.v6.every((b) => b === 0)) {
      return { text: IPV6_ANY, v4: !v6only, v6: true, mapped: true };
    }
    const ours =
      a.family === 4
        ? a.v4 === this.addressU32
        : this.address6Bytes !== undefined && sameIpv6(a.v6, this.address6Bytes);
    if (!ours) {
      throw new StackError('EADDRNOTAVAIL', `listen(): ${address} is not this host's address`);
    }
    if (a.family === 4) {
      return { text: ipv4Text(a.v4, a.mapped), v4: true, v6: false, mapped: a.mapped };
    }
    return { text: ipv6Text(a.v6), v4: false, v6: true, mapped: true };
  }

  /** The listener on `port` that takes packets of this family, if any. */
  private listenerFor(port: number, v6: boolean): ListenerImpl | undefined {
    const list = this.listeners.get(port);
    if (list === undefined) return undefined;
    for (const l of list) if (v6 ? l.v6 : l.v4) return l;
    return undefined;
  }

  /** Active open from an ephemeral (or given) local port. */
  connect(
    now: number,
    remote: Endpoint,
    opts: {
      localPort?: number;
      config?: Partial<ConnectionConfig>;
      /** TCP Fast Open (RFC 7413): data for the SYN, sent with a cached cookie or after it. */
      fastOpen?: { data: Uint8Array; experimental?: boolean };
    } = {},
  ): StackConnection {
    const parsed = parseStackAddress(remote.address);
    if (parsed === undefined) {
      throw new StackError('EINVAL', `connect(): not an IPv4 or IPv6 address: ${remote.address}`);
    }
    if (!Number.isInteger(remote.port) || remote.port < 1 || remote.port > 65535) {
      throw new StackError('EINVAL', `connect(): bad port ${remote.port}`);
    }
    const peer = this.peerOf(parsed, remote.port);
    if (peer === undefined) {
      throw new StackError(
        'ENETUNREACH',
        `connect(): ${remote.address}: this host has no IPv${parsed.family} address`,
      );
    }
    const localPort = opts.localPort ?? this.pickEphemeral(remote, peer.key);
    const key = peer.key;
    const localAddress = peer.local;
    if (this.conns.has(localPort, key)) {
      // Linux's connect() (inet_hash_connect) says EADDRNOTAVAIL when the 4-tuple is taken, even
      // for a port the caller bound: node:net reports that code, not EADDRINUSE.
      throw new StackError(
        'EADDRNOTAVAIL',
        `connect(): ${localAddress}:${localPort} -> ${remote.address}:${remote.port} is in use`,
      );
    }
    const local = { address: localAddress, port: localPort };
    const merged = opts.config === undefined ? this.config : { ...this.config, ...opts.config };
    const conn = Connection.connect(now, {
      local,
      remote: { address: peer.text, port: remote.port },
      iss: this.isns.isn(now, localAddress, localPort, peer.text, remote.port),
      // the same object for every connection without overrides: they then share one merged config
      config: peer.v6 === undefined ? merged : this.config6(merged),
      fastOpen: opts.fastOpen && this.fastOpen.offer(peer.text, opts.fastOpen.experimental),
      pathMtu: this.pathMtuTo(now, peer.text, peer.v6 !== undefined),
    });
    if (opts.fastOpen !== undefined) {
      conn.send(opts.fastOpen.data);
      this.fastOpenSyns.set(conn, opts.fastOpen.experimental ?? false);
    }
    this.base.activeOpens++;
    const entry = this.add(localPort, key, conn, undefined);
    this.service(now, entry);
    return entry;
  }

  /** A remote address as this host reaches it, or undefined when it has no address of its family. */
  private peerOf(a: StackAddress, port: number): Peer | undefined {
    if (a.family === 4) {
      if (this.address4 === undefined) return undefined;
      return {
        v4: a.v4,
        v6: undefined,
        key: remoteKey(a.v4, port),
        text: ipv4Text(a.v4, a.mapped),
        local: a.mapped ? `::ffff:${this.address4}` : this.address4,
      };
    }
    if (this.address6 === undefined) return undefined;
    return {
      v4: -1,
      v6: a.v6,
      key: remoteKey6(a.v6, port),
      text: ipv6Text(a.v6),
      local: this.address6,
    };
  }

  /**
   * A connection config for IPv6: the MSS no larger than the link MTU allows with IPv6's
   * 40-byte header (one object per config, so connections keep sharing theirs).
   */
  private config6(config: Partial<ConnectionConfig>): Partial<ConnectionConfig> {
    let c = this.configs6.get(config);
    if (c === undefined) {
      const mss4 = config.mss ?? DEFAULT_CONFIG.mss;
      const mss = mss4 === this.mss4 ? this.mss6 : Math.min(mss4, this.mss6);
      c = { ...config, mss, defaultSendMss: IPV6_DEFAULT_SEND_MSS };
      this.configs6.set(config, c);
    }
    return c;
  }

  private readonly configs6 = new WeakMap<Partial<ConnectionConfig>, Partial<ConnectionConfig>>();

  /**
   * Takes one IP packet (IPv4 or IPv6) from the link. The stack may keep views of `packet` (the payload of
   * in-order data, until it is read): the caller must not write into it afterwards. `verified`
   * says the link vouches for both checksums (it carries the bytes exactly as the sending stack
   * emitted them, as the simulator's link does when it does not corrupt them): they are then not
   * checked again. Anything else, false (the default): every checksum is verified.
   */
  handlePacket(now: number, packet: Uint8Array, verified = false): void {
    this.base.packetsIn++;
    if (packet.length > 0 && packet[0] >> 4 === 6) {
      this.handlePacket6(now, packet, verified);
      return;
    }
    const parsed = parseTcpPacket(packet, !verified);
    if (!parsed.ok) {
      if (parsed.reason === 'not-tcp') this.handleOther(now, packet);
      else this.unparsed(parsed);
      return;
    }
    const { src, dst, tcp } = parsed.value;
    if (dst !== this.addressU32) {
      this.base.notForUs++;
      this.drop('not-for-us', `not for us (${u32ToIpv4(dst)})`);
      return;
    }
    this.segmentIn(now, remoteKey(src, tcp.srcPort), src, undefined, tcp, ipEcnField(packet));
  }

  /** An IPv6 packet: TCP to the connections, ICMPv6 answered or acted on. */
  private handlePacket6(now: number, packet: Uint8Array, verified: boolean): void {
    const parsed = parseTcpPacket6(packet, !verified);
    if (!parsed.ok) {
      if (parsed.reason === 'not-tcp') this.handleOther6(now, packet);
      else this.unparsed(parsed);
      return;
    }
    const { src, dst, tcp } = parsed.value;
    if (this.address6Bytes === undefined || !sameIpv6(dst, this.address6Bytes)) {
      this.base.notForUs++;
      this.drop('not-for-us', `not for us (${ipv6Text(dst)})`);
      return;
    }
    this.segmentIn(now, remoteKey6(src, tcp.srcPort), -1, src, tcp, ipEcnField(packet));
  }

  private unparsed(parsed: { reason: string; detail?: string }): void {
    const detail = `${parsed.reason}${parsed.detail ? `: ${parsed.detail}` : ''}`;
    if (parsed.reason === 'bad-checksum') {
      this.base.checksumErrors++;
      this.drop('bad-checksum', detail);
    } else {
      this.base.malformed++;
      this.drop('malformed', detail);
    }
  }

  /**
   * A TCP segment for this host, of either family: `src4` is the IPv4 source (-1 for IPv6),
   * `src6` the IPv6 one (a view into the packet; undefined for IPv4); `ecn` the IP header's ECN
   * field.
   */
  private segmentIn(
    now: number,
    key: RemoteKey,
    src4: number,
    src6: Uint8Array | undefined,
    tcp: TcpSegment,
    ecn: number,
  ): void {
    const entry = this.conns.get(tcp.dstPort, key);
    if (entry !== undefined) {
      if (tcp.flags.syn && this.reuseTimeWait(now, entry, key, src4, src6, tcp)) return;
      const listener = entry.listener;
      if (
        listener !== undefined &&
        !entry.queued &&
        entry.conn.state === 'SYN_RECV' &&
        tcp.flags.ack &&
        !tcp.flags.rst &&
        !tcp.flags.syn &&
        listener.acceptQueue.length >= listener.backlog
      ) {
        // Linux (tcp_abort_on_overflow = 0): a full accept queue drops the handshake's last ACK;
        // the SYN,ACK retransmission gives the client another chance later.
        this.base.listenOverflows++;
        this.base.listenDrops++;
        this.listenerDrop(listener, 'accept-queue-full', 'handshake ACK dropped');
        return;
      }
      const tfo = this.fastOpenSyns.get(entry.conn);
      if (tfo !== undefined && tcp.flags.syn && tcp.flags.ack && entry.conn.state === 'SYN_SENT') {
        const { iss, sndNxt } = entry.conn.info();
        const dataAcked = sndNxt !== seqAdd(iss, 1) && tcp.ack === sndNxt;
        this.fastOpen.learn(entry.conn.remote.address, tcp, tfo, dataAcked);
        if (dataAcked) this.fastOpen.synData.add(entry);
      }
      const challenges = entry.conn.stats.challengeAcksSent;
      entry.conn.handleSegment(now, tcp, ecn);
      if (entry.conn.stats.challengeAcksSent > challenges) this.limitChallenge(now, entry);
      this.service(now, entry);
      // config.ackPerBatch: serviced once more when the caller polls, after the whole batch of
      // packets it was handed, for the ACK decision that ends a burst.
      if (entry.conn.acksPerBatch && entry.conn.state !== 'CLOSED') this.dirty.add(entry);
      return;
    }
    const listener = this.listenerFor(tcp.dstPort, src6 !== undefined);
    if (listener !== undefined) {
      this.segmentToListener(now, listener, this.peerFrom(key, src4, src6, listener.mapped), tcp);
      return;
    }
    this.base.segmentsIn++;
    this.drop('no-listener', 'no connection or listener');
    this.resetStray(src6 ?? src4, tcp);
  }

  /** The remote end of a segment, named as a listener's connections name it. */
  private peerFrom(
    key: RemoteKey,
    src4: number,
    src6: Uint8Array | undefined,
    mapped: boolean,
  ): Peer {
    if (src6 !== undefined) {
      return { v4: -1, v6: src6, key, text: ipv6Text(src6), local: this.address6 ?? IPV6_ANY };
    }
    const local = this.address4 ?? IPV4_ANY;
    return {
      v4: src4,
      v6: undefined,
      key,
      text: ipv4Text(src4, mapped),
      local: mapped ? `::ffff:${local}` : local,
    };
  }

  pollTransmit(now: number): Uint8Array | undefined {
    if (this.dirty.size > 0) this.serviceDirty(now);
    if (this.outHead >= this.out.length) return undefined;
    const p = this.out[this.outHead];
    this.out[this.outHead++] = EMPTY;
    if (this.outHead === this.out.length) {
      this.out.length = 0;
      this.outHead = 0;
    }
    return p;
  }

  pollTimeout(): number | undefined {
    return this.timers.peek();
  }

  handleTimeout(now: number): void {
    for (const entry of this.timers.popDue(now)) {
      entry.conn.handleTimeout(now);
      this.service(now, entry);
    }
  }

  pollEvent(): StackEvent | undefined {
    if (this.dirty.size > 0) this.serviceDirty(this.lastNow);
    if (this.eventHead >= this.events.length) return undefined;
    const e = this.events[this.eventHead++];
    if (this.eventHead === this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
    }
    if (e.type === 'readable') e.conn.readableQueued = false;
    else if (e.type === 'writable') e.conn.writableQueued = false;
    return e;
  }

  /** netstat-style rows: listeners first, then connections. */
  snapshot(now: number): SocketSnapshot[] {
    const rows: SocketSnapshot[] = [];
    for (const l of [...this.listeners.values()].flat()) {
      rows.push({
        state: 'LISTEN',
        local: { address: l.address, port: l.port },
        remote: { address: l.v6 ? IPV6_ANY : IPV4_ANY, port: 0 },
        // Linux shows the accept queue length and the backlog for a listener (ss Recv-Q/Send-Q).
        recvQ: l.acceptQueue.length,
        sendQ: l.backlog,
        timer: undefined,
      });
    }
    for (const { conn } of this.conns.values()) {
      const t = conn.activeTimer();
      rows.push({
        state: conn.state,
        local: { ...conn.local },
        remote: { ...conn.remote },
        recvQ: conn.recvQueue,
        sendQ: conn.sendQueue,
        timer:
          t === undefined ? undefined : { kind: t.kind, remaining: Math.max(0, t.deadline - now) },
      });
    }
    return rows;
  }

  /** Number of connections in the demux table (all states but LISTEN). */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** The connection for a 4-tuple, if any (local address is this stack's). */
  find(localPort: number, remote: Endpoint): StackConnection | undefined {
    const a = parseStackAddress(remote.address);
    if (a === undefined) return undefined;
    const key = a.family === 4 ? remoteKey(a.v4, remote.port) : remoteKey6(a.v6, remote.port);
    return this.conns.get(localPort, key);
  }

  /** Listener.close(): queued connections not yet accepted are reset. */
  private closeListener(now: number, listener: ListenerImpl): void {
    const rest = (this.listeners.get(listener.port) ?? []).filter((l) => l !== listener);
    if (rest.length === 0) this.listeners.delete(listener.port);
    else this.listeners.set(listener.port, rest);
    for (const entry of [...listener.acceptQueue, ...listener.synQueue]) {
      entry.listener = undefined;
      entry.queued = false;
      if (entry.conn.state !== 'CLOSED') entry.conn.abort(now);
      this.service(now, entry);
    }
    listener.acceptQueue.length = 0;
    listener.synQueue.clear();
  }

  // --- internals ---

  private lastNow = 0;

  private add(
    localPort: number,
    key: RemoteKey,
    conn: Connection,
    listener: ListenerImpl | undefined,
  ): StackConnection {
    const entry = new StackConnection(conn, key, listener, this.dirty);
    this.conns.set(localPort, key, entry);
    // It starts below its link's MTU with a learned one: it follows the cache from now on.
    const mtu = conn.pathMtu;
    if (mtu !== undefined && mtu < this.linkMtu(entry.remote6 !== undefined)) {
      this.pmtuLowered.add(entry);
    }
    return entry;
  }

  private serviceDirty(now: number): void {
    const entries = [...this.dirty];
    this.dirty.clear();
    for (const entry of entries) {
      entry.conn.endBatch();
      this.service(now, entry);
    }
  }

  /** Drains one connection's output and events, and files its next deadline. */
  private service(now: number, entry: StackConnection): void {
    this.lastNow = now;
    this.dirty.delete(entry);
    const conn = entry.conn;
    if (this.pmtuCache.size > 0 || this.pmtuLowered.size > 0) this.followPathMtu(now, entry);
    for (let seg = conn.pollTransmit(now); seg !== undefined; seg = conn.pollTransmit(now)) {
      this.emit(entry.remote6 ?? remoteAddressOf(entry), seg, conn.ecnCodepoint(seg));
    }
    let closed = false;
    for (let ev = conn.pollEvent(); ev !== undefined; ev = conn.pollEvent()) {
      switch (ev.type) {
        case 'state':
          this.events.push({
            type: 'transition',
            conn: entry,
            event: {
              time: ev.time,
              connection: { local: { ...conn.local }, remote: { ...conn.remote } },
              from: ev.from,
              to: ev.to,
              cause: ev.cause,
            },
          });
          this.onTransition(entry, ev.from, ev.to);
          break;
        case 'readable':
          // One queued `readable` per connection until it is polled: bulk data is one event.
          if (!entry.readableQueued) {
            entry.readableQueued = true;
            this.events.push({ type: 'readable', conn: entry });
          }
          break;
        case 'writable':
          if (!entry.writableQueued) {
            entry.writableQueued = true;
            this.events.push({ type: 'writable', conn: entry });
          }
          break;
        case 'end':
          entry.markEnded();
          this.events.push({ type: 'end', conn: entry });
          break;
        case 'closed':
          closed = true;
          entry.markClosed(ev.reason);
          this.events.push({ type: 'closed', conn: entry, reason: ev.reason });
          break;
      }
    }
    if (closed) {
      this.remove(entry);
      return;
    }
    this.timers.set(entry, conn.pollTimeout());
  }

  private onTransition(entry: StackConnection, from: TcpState, to: TcpState): void {
    if (from === 'SYN_SENT' && to === 'CLOSED') this.base.attemptFails++;
    if (from === 'SYN_RECV' && to === 'CLOSED') this.base.attemptFails++;
    if ((from === 'ESTABLISHED' || from === 'CLOSE_WAIT') && to === 'CLOSED')
      this.base.establishedResets++;
    const listener = entry.listener;
    if (listener !== undefined && !entry.queued && (to === 'ESTABLISHED' || to === 'CLOSE_WAIT')) {
      listener.synQueue.delete(entry);
      entry.queued = true;
      listener.acceptQueue.push(entry);
      this.events.push({ type: 'acceptable', port: listener.port });
    }
  }

  private remove(entry: StackConnection): void {
    addStats(this.base, entry.conn);
    this.pmtuLowered.delete(entry);
    this.conns.delete(entry.conn.local.port, entry.key);
    this.timers.set(entry, undefined);
    const listener = entry.listener;
    if (listener !== undefined) {
      listener.synQueue.delete(entry);
      // A connection that died in the accept queue (an RST before accept()) stays there, as on
      // Linux: accept() still returns it, and its user learns of the reset from its close reason
      // (node:net emits ECONNRESET on the accepted socket). It still counts against the backlog.
      if (!entry.queued) entry.listener = undefined;
    }
  }

  /** RFC 9293 3.10.7.2: a segment for a LISTEN socket. */
  private segmentToListener(now: number, listener: ListenerImpl, src: Peer, seg: TcpSegment): void {
    this.base.segmentsIn++;
    const f = seg.flags;
    if (f.rst) return; // "An incoming RST segment could not be valid ... ignored."
    if (f.syn && f.fin && (listener.config?.dropSynFin ?? DEFAULT_CONFIG.dropSynFin)) {
      this.listenerDrop(listener, 'syn-fin', 'SYN,FIN dropped (dropSynFin)');
      return;
    }
    if (f.ack) {
      if (!f.syn && this.cookieAck(now, listener, src, seg)) return;
      this.listenerDrop(listener, 'ack-to-listener', 'ACK answered with RST');
      this.resetStray(src.v6 ?? src.v4, seg);
      return;
    }
    if (!f.syn) {
      this.listenerDrop(listener, 'not-syn', 'segment without SYN dropped');
      return;
    }
    this.acceptSyn(now, listener, src, seg, undefined);
  }

  private acceptSyn(
    now: number,
    listener: ListenerImpl,
    src: Peer,
    seg: TcpSegment,
    iss: number | undefined,
  ): void {
    // Linux drops a SYN when the accept queue is full, and when the SYN queue is as long as the
    // backlog and SYN cookies are off; both count as listen drops.
    if (listener.acceptQueue.length >= listener.backlog) {
      this.base.listenOverflows++;
      this.base.listenDrops++;
      this.listenerDrop(listener, 'accept-queue-full', 'SYN dropped');
      return;
    }
    const synQueueFull = listener.synQueue.size >= Math.max(listener.backlog, 1);
    if (this.synCookies === 'always' || (synQueueFull && this.synCookies === 'overflow')) {
      this.sendCookie(now, listener, src, seg);
      return;
    }
    if (synQueueFull) {
      this.base.listenDrops++;
      this.listenerDrop(listener, 'syn-queue-full', 'SYN dropped');
      return;
    }
    const remote = { address: src.text, port: seg.srcPort };
    // TCP Fast Open (fastopen.ts): a valid cookie opens at once; a request gets a cookie.
    const tfo = this.fastOpen.serverAnswer(listener.port, src.text, src.local, seg);
    const conn = Connection.acceptSyn(now, seg, {
      local: listener.localEndpoint(src.local),
      remote,
      iss: iss ?? this.isns.isn(now, src.local, listener.port, src.text, seg.srcPort),
      config: this.listenerConfig(listener, src),
      pathMtu: this.pathMtuTo(now, src.text, src.v6 !== undefined),
      ...(tfo?.child ? { acceptSynData: true } : {}),
      ...(tfo?.option === undefined ? {} : { synAckOption: tfo.option }),
    });
    // The connection counted the SYN itself.
    this.base.segmentsIn--;
    this.base.passiveOpens++;
    const entry = this.add(listener.port, src.key, conn, listener);
    if (tfo?.child) {
      // Linux queues a Fast Open child for accept() before the handshake ends.
      entry.queued = true;
      listener.acceptQueue.push(entry);
      this.events.push({ type: 'acceptable', port: listener.port });
      if (seg.payload.byteLength > 0) this.fastOpen.synData.add(entry);
    } else listener.synQueue.add(entry);
    // acceptSyn reports LISTEN -> SYN_RECV; the event is the child's first.
    this.service(now, entry);
  }

  /**
   * RFC 5961 (7): over the host-wide budget of this second, the challenge ACK the connection
   * just queued is not sent (a pure ACK: a segment dropped by RFC 5961 sends nothing else).
   */
  private limitChallenge(now: number, entry: StackConnection): void {
    if (now - this.challengeWindow >= 1000) {
      this.challengeWindow = now;
      this.challengeCount = 0;
    }
    if (++this.challengeCount <= this.challengeLimit) return;
    const conn = entry.conn;
    for (let seg = conn.pollTransmit(now); seg !== undefined; seg = conn.pollTransmit(now)) {
      const f = seg.flags;
      if (seg.payload.length === 0 && !f.syn && !f.fin && !f.rst) {
        this.base.challengeAcksLimited++;
        // the connection counted it as sent
        this.base.challengeAcks--;
        this.base.segmentsOut--;
        continue;
      }
      this.emit(entry.remote6 ?? remoteAddressOf(entry), seg, conn.ecnCodepoint(seg));
    }
  }

  /** RFC 4987 (3.6): answer a SYN with a SYN,ACK whose ISN is a cookie, and keep nothing. */
  private sendCookie(now: number, listener: ListenerImpl, src: Peer, seg: TcpSegment): void {
    const config = { ...DEFAULT_CONFIG, ...this.listenerConfig(listener, src) };
    const peer = synOffer(seg);
    // Linux (tcp_conn_request): without timestamps there is nowhere to keep wscale and SACK.
    const ts = config.timestamps ? peer.ts : undefined;
    const wscale = ts !== undefined && config.windowScale ? peer.wscale : undefined;
    const sack = ts !== undefined && config.sack && peer.sackPermitted;
    const ourShift = config.windowScaleShift ?? shiftFor(config.receiveBufferSize);
    const tuple = this.cookieTuple(listener, src, seg);
    const iss = this.cookies.isn(now, tuple, seg.seq, peer.mss);
    const tsNow = (Math.floor(now) + config.tsOffset) >>> 0;
    const flags = emptyFlags();
    flags.syn = true;
    flags.ack = true;
    this.lastCookie.set(listener, now);
    this.base.syncookiesSent++;
    this.base.segmentsOut++;
    this.emit(src.v6 ?? src.v4, {
      srcPort: listener.port,
      dstPort: seg.srcPort,
      seq: iss,
      ack: seqAdd(seg.seq, 1),
      flags,
      window: Math.min(config.receiveBufferSize, 65535),
      urgentPointer: 0,
      options: synOptions(config.synOptionLayout, {
        mss: config.mss,
        wscale: wscale === undefined ? undefined : ourShift,
        sackPermitted: sack,
        ts:
          ts === undefined
            ? undefined
            : { value: cookieTsVal(tsNow, wscale, sack), echo: ts.value },
      }),
      payload: EMPTY,
    });
  }

  /**
   * The handshake's last ACK for a listener that sent cookies in the last two minutes (Linux
   * cookie_v4_check): a good cookie makes the connection, one that fails is dropped. Returns
   * false when the ACK is no cookie business (the listener then answers it with RST).
   */
  private cookieAck(now: number, listener: ListenerImpl, src: Peer, seg: TcpSegment): boolean {
    if (this.synCookies === 'off') return false;
    const last = this.lastCookie.get(listener);
    if (this.synCookies === 'overflow' && (last === undefined || now - last > COOKIE_RECENT_MS))
      return false;
    const check = this.cookies.check(now, this.cookieTuple(listener, src, seg), seg.ack, seg.seq);
    if (!check.ok) {
      this.base.syncookiesFailed++;
      this.listenerDrop(listener, check.reason, 'handshake ACK with a failed cookie dropped');
      return true;
    }
    if (listener.acceptQueue.length >= listener.backlog) {
      this.base.listenOverflows++;
      this.base.listenDrops++;
      this.listenerDrop(listener, 'accept-queue-full', 'cookie ACK dropped');
      return true;
    }
    const config = { ...DEFAULT_CONFIG, ...this.listenerConfig(listener, src) };
    const ts = config.timestamps ? readTs(seg) : undefined;
    const bits = ts === undefined ? { wscale: undefined, sack: false } : cookieTsOptions(ts.echo);
    const options: TcpOption[] = [{ kind: 'mss', value: check.syn.mss }];
    if (bits.wscale !== undefined && config.windowScale)
      options.push({ kind: 'wscale', shift: bits.wscale });
    if (bits.sack && config.sack) options.push({ kind: 'sack-permitted' });
    if (ts !== undefined) options.push({ kind: 'timestamp', value: ts.value, echo: 0 });
    // The SYN this cookie stands for, rebuilt; its SYN,ACK went out already as the cookie.
    const syn: TcpSegment = {
      ...seg,
      seq: seqAdd(seg.seq, -1),
      ack: 0,
      flags: { ...emptyFlags(), syn: true },
      options,
      payload: EMPTY,
    };
    const conn = Connection.acceptSyn(now, syn, {
      local: listener.localEndpoint(src.local),
      remote: { address: src.text, port: seg.srcPort },
      iss: seqAdd(seg.ack, -1),
      config: this.listenerConfig(listener, src),
      pathMtu: this.pathMtuTo(now, src.text, src.v6 !== undefined),
    });
    while (conn.pollTransmit(now) !== undefined) {
      // the connection's own SYN,ACK: the cookie SYN,ACK was that segment
      this.base.segmentsOut--;
    }
    // The connection counted the rebuilt SYN and will count the ACK, which this stack counted.
    this.base.segmentsIn -= 2;
    this.base.passiveOpens++;
    this.base.syncookiesRecv++;
    const entry = this.add(listener.port, src.key, conn, listener);
    listener.synQueue.add(entry);
    this.service(now, entry);
    conn.handleSegment(now, seg);
    this.service(now, entry);
    return true;
  }

  private cookieTuple(listener: ListenerImpl, src: Peer, seg: TcpSegment): CookieTuple {
    return {
      localAddress: src.local,
      localPort: listener.port,
      remoteAddress: src.text,
      remotePort: seg.srcPort,
    };
  }

  /** A listener's connection config, with IPv6's smaller MSS for an IPv6 peer. */
  private listenerConfig(listener: ListenerImpl, src: Peer): Partial<ConnectionConfig> {
    const config = listener.config ?? this.config;
    return src.v6 === undefined ? config : this.config6(config);
  }

  /**
   * A new SYN for a 4-tuple in TIME_WAIT (RFC 9293 3.10.7.4 leaves it to the implementation;
   * RFC 6191 and Linux accept it when its sequence number is above the old RCV.NXT or its
   * timestamp is newer). Returns true when the SYN started a new connection.
   */
  private reuseTimeWait(
    now: number,
    entry: StackConnection,
    key: RemoteKey,
    src4: number,
    src6: Uint8Array | undefined,
    seg: TcpSegment,
  ): boolean {
    const f = seg.flags;
    if (!this.timeWaitReuse) return false;
    if (entry.conn.state !== 'TIME_WAIT' || !f.syn || f.ack || f.rst) return false;
    const listener = this.listenerFor(seg.dstPort, src6 !== undefined);
    if (listener === undefined) return false;
    // A SYN,FIN that the settings drop cannot reopen it either (FreeBSD checks drop_synfin
    // before TIME_WAIT); the connection then drops it.
    if (f.fin && (listener.config?.dropSynFin ?? DEFAULT_CONFIG.dropSynFin)) return false;
    const info = entry.conn.info();
    if (!seqGt(seg.seq, info.rcvNxt)) return false;
    // The cause names the segment, as every other cause does (src/state/transitions.ts).
    entry.conn.endTimeWait(now, 'rcv SYN');
    this.service(now, entry);
    this.base.timeWaitReused++;
    const src = this.peerFrom(key, src4, src6, listener.mapped);
    this.acceptSyn(now, listener, src, seg, seqAdd(info.sndNxt, TIME_WAIT_ISN_GAP));
    return true;
  }

  /** RFC 9293 3.10.7.1: answer a segment that matches no connection with RST (never an RST). */
  private resetStray(src: number | Uint8Array, seg: TcpSegment): void {
    if (seg.flags.rst) return;
    const flags = emptyFlags();
    flags.rst = true;
    let seq = 0;
    let ack = 0;
    if (seg.flags.ack) {
      seq = seg.ack;
    } else {
      flags.ack = true;
      const len = seg.payload.length + (seg.flags.syn ? 1 : 0) + (seg.flags.fin ? 1 : 0);
      ack = seqAdd(seg.seq, len);
    }
    this.base.resetsSent++;
    this.base.segmentsOut++;
    this.emit(src, {
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq,
      ack,
      flags,
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: EMPTY,
    });
  }

  private handleOther(now: number, packet: Uint8Array): void {
    const ip = parseIpv4(packet);
    if (!ip.ok) {
      this.base.malformed++;
      this.drop('malformed', ip.reason);
      return;
    }
    const { header, payload } = ip.value;
    if (header.dst !== this.address4) {
      this.base.notForUs++;
      this.drop('not-for-us', `not for us (${header.dst})`);
      return;
    }
    if (header.protocol === IPPROTO_ICMP && this.icmpError(now, header.src, payload)) return;
    if (header.protocol === IPPROTO_ICMP) {
      const reply = echoReply(header, payload, this.ttl);
      if (reply !== undefined) {
        this.base.icmpEchoReplies++;
        this.base.packetsOut++;
        this.out.push(reply);
        return;
      }
    }
    if (header.protocol !== IPPROTO_TCP) this.base.otherProtocols++;
    this.drop('unsupported-protocol', `IP protocol ${header.protocol} not handled`);
  }

  /**
   * An ICMP error about a connection of ours (icmp.ts): checked against the sequence space
   * (RFC 5927 4.1: the quoted sequence number lies in SND.UNA..SND.NXT-1); a hard error ends
   * a connection in SYN_SENT (RFC 1122 4.2.3.9) with its errno kept for the socket
   * (icmpErrno), a soft one is only counted. True when the message was such an error.
   */
  private icmpError(now: number, from: string, payload: Uint8Array): boolean {
    const e = readIcmpError(payload);
    if (e === undefined || e.local.address !== this.address4) return false;
    const entry = this.conns.get(e.local.port, srcKey(e.remote.address, e.remote.port));
    const what = `ICMP ${e.type}/${e.code} from ${from}`;
    if (e.type === ICMP_UNREACHABLE && e.code === FRAG_NEEDED) {
      this.pathMtuReport(now, entry, e.seq, 4, e.mtu, what);
    } else this.icmpAbout(now, entry, e.seq, hardErrorErrno(e), what);
    return true;
  }

  /**
   * Fragmentation needed (RFC 1191) or packet too big (RFC 8201) about a connection of ours:
   * checked against SND.UNA..SND.NXT (RFC 5927 4.1) and the family's floor (pmtu.ts), then
   * the destination's path MTU is learned and the connection told (Connection.pathMtuChanged:
   * a smaller MSS, its too-big segments sent again at once).
   */
  private pathMtuReport(
    now: number,
    entry: StackConnection | undefined,
    seq: number,
    family: 4 | 6,
    reported: number,
    what: string,
  ): void {
    if (entry === undefined) {
      this.drop('unsupported-protocol', `${what} for no connection`);
      return;
    }
    const conn = entry.conn;
    if (!this.quotesInFlight(entry, seq, what)) return;
    const remote = pmtuKey(conn.remote.address);
    const current = conn.pathMtu ?? this.linkMtu(family === 6);
    const verdict = acceptPmtu(family, reported, current);
    if (!verdict.ok) {
      this.base.pmtuIgnored++;
      const why = verdict.reason === 'below-minimum' ? 'below the minimum' : `not below ${current}`;
      this.drop('unsupported-protocol', `${what}: MTU ${reported} ${why}, ignored`);
      return;
    }
    this.pmtuCache.learn(now, remote, verdict.mtu);
    this.base.pmtuUpdates++;
    this.pathMtuTell(now, entry, verdict.mtu);
    this.service(now, entry);
  }

  /** RFC 5927 (4.1): the quoted sequence number lies in SND.UNA..SND.NXT-1, else counted and false. */
  private quotesInFlight(entry: StackConnection, seq: number, what: string): boolean {
    const { sndUna, sndNxt } = entry.conn.info();
    if (seqGe(seq, sndUna) && seqLt(seq, sndNxt)) return true;
    this.base.outOfWindowIcmps++;
    this.drop(
      'unsupported-protocol',
      `${what} quoting ${seq >>> 0}: outside SND.UNA..SND.NXT, ignored`,
    );
    return false;
  }

  /** Tells a connection its path MTU and reports the MSS it now sends with. */
  private pathMtuTell(now: number, entry: StackConnection, mtu: number): void {
    const mss = entry.conn.pathMtuChanged(now, mtu);
    if (mtu < this.linkMtu(entry.remote6 !== undefined)) this.pmtuLowered.add(entry);
    else this.pmtuLowered.delete(entry);
    this.events.push({ type: 'path-mtu', conn: entry, mtu, mss });
  }

  /**
   * A connection follows its destination's cached path MTU: one another connection learned,
   * or the link's again once the learned one expired (RFC 1191 6.3: try larger after a while;
   * Linux's tcp_current_mss does the same on every send).
   */
  private followPathMtu(now: number, entry: StackConnection): void {
    const conn = entry.conn;
    const have = conn.pathMtu;
    if (have === undefined || conn.state === 'CLOSED') return;
    const want = this.pathMtuTo(now, conn.remote.address, entry.remote6 !== undefined);
    if (want !== have) this.pathMtuTell(now, entry, want);
  }

  /** The MTU of this host's link for a family: the MSS it offers plus the headers. */
  private linkMtu(v6: boolean): number {
    return v6 ? this.mss6 + IPV6_HEADER_LENGTH + 20 : this.mss4 + IPV4_TCP_HEADERS;
  }

  /** The path MTU towards `address`: the link's, or less where one was learned. */
  private pathMtuTo(now: number, address: string, v6: boolean): number {
    const link = this.linkMtu(v6);
    const learned = this.pmtuCache.size > 0 ? this.pmtuCache.get(now, pmtuKey(address)) : undefined;
    return learned === undefined ? link : Math.min(link, learned);
  }

  /**
   * What an ICMP or ICMPv6 error does to the connection it quotes (icmpError): an errno for a
   * hard one, undefined for a soft one.
   */
  private icmpAbout(
    now: number,
    entry: StackConnection | undefined,
    seq: number,
    errno: string | undefined,
    what: string,
  ): void {
    if (entry === undefined) {
      this.drop('unsupported-protocol', `${what} for no connection`);
      return;
    }
    if (!this.quotesInFlight(entry, seq, what)) return;
    if (errno === undefined || entry.conn.state !== 'SYN_SENT' || !this.icmpMayReset) {
      this.drop('unsupported-protocol', `${what}: a soft error, ignored`);
      return;
    }
    this.icmpErrors.set(entry, errno);
    entry.conn.abort(now);
    this.service(now, entry);
  }

  /**
   * IPv6 other than TCP: echo requests answered (RFC 4443 4.1), errors about our connections
   * acted on as ICMP's are (RFC 4443 3, RFC 5927), router solicitations counted and ignored (a
   * host sends no advertisements, RFC 4861 6.2), anything else counted and dropped. Multicast
   * destinations (a kernel's solicitations to ff02::2) are looked at for ICMPv6 only.
   */
  private handleOther6(now: number, packet: Uint8Array): void {
    const ip = parseIpv6(packet);
    if (!ip.ok) {
      this.unparsed(ip);
      return;
    }
    const { header, payload } = ip.value;
    const multicast = header.dst[0] === 0xff;
    const ours = this.address6Bytes !== undefined && sameIpv6(header.dst, this.address6Bytes);
    if (!ours && !(multicast && header.protocol === NEXT_ICMPV6)) {
      this.base.notForUs++;
      this.drop('not-for-us', `not for us (${ipv6Text(header.dst)})`);
      return;
    }
    if (header.protocol !== NEXT_ICMPV6) {
      this.base.otherProtocols++;
      this.drop('unsupported-protocol', `IPv6 next header ${header.protocol} not handled`);
      return;
    }
    const m = parseIcmpv6(payload, header.src, header.dst);
    if (!m.ok) {
      this.unparsed(m);
      return;
    }
    const msg = m.value;
    const from = ipv6Text(header.src);
    if (msg.kind === 'echo-request' && ours) {
      this.base.icmpEchoReplies++;
      this.base.packetsOut++;
      this.out.push(icmpv6EchoReply(msg, header.src, header.dst, this.ttl));
      return;
    }
    if (msg.kind === 'error' && ours) {
      const q = quotedTcp(msg.quote);
      const what = `ICMPv6 ${msg.type}/${msg.code} from ${from}`;
      if (q === undefined || !sameIpv6(q.src, header.dst)) {
        this.drop('unsupported-protocol', `${what} quoting no TCP segment of ours`);
        return;
      }
      const entry = this.conns.get(q.srcPort, remoteKey6(q.dst, q.dstPort));
      if (msg.type === ICMPV6_PACKET_TOO_BIG) {
        this.pathMtuReport(now, entry, q.seq, 6, msg.value, what);
        return;
      }
      const c = classifyIcmpv6Error(msg.type, msg.code);
      const errno = 'hard' in c && c.hard ? c.errno : undefined;
      this.icmpAbout(now, entry, q.seq, errno, what);
      return;
    }
    if (msg.kind === 'other' && msg.type === ICMPV6_ROUTER_SOLICITATION) {
      this.base.routerSolicitations++;
      this.drop('unsupported-protocol', `router solicitation from ${from} ignored (not a router)`);
      return;
    }
    this.drop('unsupported-protocol', `ICMPv6 type ${'type' in msg ? msg.type : msg.kind} ignored`);
  }

  /** `ecn`: the IP header's ECN field (RFC 3168), from the connection (tcp/ecn.ts). */
  private emit(dst: number | Uint8Array, seg: TcpSegment, ecn = 0): void {
    this.base.packetsOut++;
    if (typeof dst === 'number') {
      this.out.push(emitPacket({ src: this.addressU32, dst, ttl: this.ttl, tos: ecn }, seg));
    } else {
      const src = this.address6Bytes ?? new Uint8Array(16);
      this.out.push(emitPacket6({ src, dst, hopLimit: this.ttl, trafficClass: ecn }, seg));
    }
  }

  private drop(reason: PacketDropReason, detail: string): void {
    this.events.push({ type: 'drop', reason, detail });
  }

  private listenerDrop(listener: ListenerImpl, reason: ListenerDropReason, what: string): void {
    this.events.push({
      type: 'drop',
      reason,
      port: listener.port,
      detail: `port ${listener.port}: ${what}`,
    });
  }

  /** RFC 6056 (3.3.3, simple hash-less variant): walk the range from a random start. */
  private pickEphemeral(remote: Endpoint, key: RemoteKey): number {
    const [lo, hi] = this.ephemeral;
    const size = hi - lo + 1;
    for (let i = 0; i < size; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port >= hi ? lo : port + 1;
      if (this.listeners.has(port)) continue;
      if (!this.conns.has(port, key)) return port;
    }
    throw new StackError(
      'EADDRNOTAVAIL',
      `connect(): no free ephemeral port to ${remote.address}:${remote.port}`,
    );
  }
}

const EMPTY = new Uint8Array(0);
/** A peer's send MSS over IPv6 when its SYN has no MSS option: 1280 - 40 - 20 (RFC 8200 5). */
const IPV6_DEFAULT_SEND_MSS = 1220;
/** Linux tcp_challenge_ack_limit (per second, per host). */
const CHALLENGE_ACK_LIMIT = 1000;
/** Linux tcp_synack_retries. */
const SYNACK_RETRIES = 5;
/** Linux TCP_SYNCOOKIE_VALID: cookie ACKs are looked at this long after the last cookie. */
const COOKIE_RECENT_MS = 120_000;

/** What a SYN offered (RFC 9293 3.7.1 MSS default 536). */
function synOffer(seg: TcpSegment): {
  mss: number;
  wscale: number | undefined;
  sackPermitted: boolean;
  ts: { value: number; echo: number } | undefined;
} {
  let mss = 536;
  let wscale: number | undefined;
  let sackPermitted = false;
  for (const o of seg.options) {
    if (o.kind === 'mss') mss = o.value;
    else if (o.kind === 'wscale') wscale = o.shift;
    else if (o.kind === 'sack-permitted') sackPermitted = true;
  }
  return { mss, wscale, sackPermitted, ts: readTs(seg) };
}

function readTs(seg: TcpSegment): { value: number; echo: number } | undefined {
  for (const o of seg.options) if (o.kind === 'timestamp') return { value: o.value, echo: o.echo };
  return undefined;
}

function stackKey(name: string, secret: Uint8Array): SipKey {
  const key = sipKey(secret);
  if (key === undefined) {
    throw new StackError('EINVAL', `Stack: ${name} must be ${SECRET_BYTES} bytes`);
  }
  return key;
}

/** The demux key of an IPv4 remote end given as text (an ICMP error's, not per packet). */
function srcKey(address: string, port: number): number {
  return remoteKey(parseIpv4Address(address) as number, port);
}

/** A remote end on the slow paths (handshakes, cookies, RSTs), named for its connection. */
interface Peer {
  /** The IPv4 address as a u32 (-1 for IPv6), or the IPv6 one. */
  v4: number;
  v6: Uint8Array | undefined;
  key: RemoteKey;
  /** The remote and local addresses as the connection names them (maybe IPv4-mapped). */
  text: string;
  local: string;
}

/** IPv4 (20) and TCP (20) headers without options. */
const IPV4_TCP_HEADERS = 40;
/** ICMP destination unreachable's code for fragmentation needed and DF set (RFC 792, RFC 1191). */
const FRAG_NEEDED = 4;

/** A destination as the PMTU cache names it: an IPv4-mapped address as its IPv4 text. */
function pmtuKey(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A connection's remote IPv4 address as a u32, from its demux key: no text to parse per packet. */
function remoteAddressOf(entry: StackConnection): number {
  return Math.floor((entry.key as number) / 0x10000);
}

function addStats(c: StackCounters, conn: Connection): void {
  const s = conn.stats;
  c.invalidAcksSuppressed += invalidAcksSuppressed(conn);
  c.segmentsIn += s.segmentsIn;
  c.segmentsOut += s.segmentsOut;
  c.retransmits += s.retransmits;
  c.resetsSent += s.resetsSent;
  c.resetsReceived += s.resetsReceived;
  c.challengeAcks += s.challengeAcksSent;
}

/**
 * The ECN field of a packet's IP header (RFC 3168 5): the low two bits of IPv4's TOS byte, or of
 * IPv6's traffic class (RFC 8200 7), which spans the first two bytes' middle nibbles.
 */
function ipEcnField(packet: Uint8Array): number {
  const version = packet[0] >> 4;
  if (version === 4) return packet[1] & 3;
  return version === 6 ? (packet[1] >> 4) & 3 : 0;
}
