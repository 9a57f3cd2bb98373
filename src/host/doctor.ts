/**
 * `tcpstate doctor`: the usual TCP problems found in a list of sockets (plus, when known, the
 * kernel's counters and settings). Pure analysis over plain data: no I/O here, so the same
 * function diagnoses this machine, another namespace, or `netstat`/`ss` text pasted from elsewhere
 * (where the context is mostly empty and the findings that need it are not made).
 *
 * Every threshold below is a named constant with the reason for its value. A snapshot cannot tell
 * how old a socket is (/proc and sock_diag give no creation time), so findings speak of counts,
 * never of ages; the advice says how to confirm over time.
 */

import type { Lang } from '../state/meanings.js';
import type { Endpoint, TcpState } from '../state/states.js';
import { type FindingTitles, findingTitles } from './doctor-words.js';
import type { DiagnoseContext, Finding, HostSocket } from './types.js';

/**
 * CLOSE_WAIT normally lasts microseconds (read() returns 0, the application calls close()).
 * A few at one instant on a busy server can be in-flight; this many in one process is a pattern.
 */
export const CLOSE_WAIT_WARN = 5;
export const CLOSE_WAIT_CRITICAL = 100;

/**
 * TIME_WAIT towards one destination uses one local port each for 60 s (Linux TCP_TIMEWAIT_LEN);
 * past these shares of the ephemeral range, new connect()s to that destination start failing
 * with EADDRNOTAVAIL or slow down searching for a free port.
 */
export const TIME_WAIT_PORT_SHARE_WARN = 0.3;
export const TIME_WAIT_PORT_SHARE_CRITICAL = 0.7;
/** Share of net.ipv4.tcp_max_tw_buckets past which the kernel starts killing TIME_WAIT early. */
export const TIME_WAIT_BUCKETS_SHARE_WARN = 0.5;
/** Server-side TIME_WAIT costs memory, not ports; worth a note only at this size. */
export const TIME_WAIT_SERVER_NOTE = 10_000;

/** SYN_RECV on one port at one instant: a handshake takes one RTT, so hundreds mean unanswered SYN-ACKs. */
export const SYN_RECV_WARN = 100;
/** Share of the backlog at which an accept queue is called nearly full. */
export const ACCEPT_QUEUE_SHARE_WARN = 0.8;

/**
 * FIN_WAIT2 waits for the peer's FIN. An orphan (closed by its application) is killed after
 * tcp_fin_timeout; one still owned (shutdown(SHUT_WR)) waits forever. This many is a pattern.
 */
export const FIN_WAIT2_WARN = 10;

/** Share of net.ipv4.tcp_max_orphans past which the kernel logs "too many orphaned sockets" soon. */
export const ORPHANS_SHARE_WARN = 0.5;
export const ORPHANS_SHARE_CRITICAL = 0.9;

/**
 * Retransmissions of one segment so far. RTO doubles each time (RFC 6298 5.5) from >= 200 ms on
 * Linux, so 3 means over a second and a half without an ACK; 6 means over 25 s.
 */
export const RETRIES_WARN = 3;
export const RETRIES_CRITICAL = 6;

/**
 * Share of the segments sent during a sampling window that were retransmissions; under ~1% is
 * ordinary on the Internet, a few percent means real loss. Judged only over enough segments.
 */
export const RETRANS_RATE_WARN = 0.02;
export const RETRANS_RATE_CRITICAL = 0.1;
export const RETRANS_MIN_SEGMENTS = 1000;

/** At most this many lines of per-group evidence; the rest are summed up in one line. */
const EVIDENCE_LINES = 5;

/** The findings; `lang` is the language of their titles (evidence and advice are English). */
export function diagnose(
  sockets: readonly HostSocket[],
  context: DiagnoseContext = {},
  lang: Lang = 'en',
): Finding[] {
  const t = findingTitles(lang);
  return [
    ...closeWaitLeaks(sockets, context, t),
    ...timeWaitPileup(sockets, context, t),
    ...synFloodOrBacklog(sockets, context, t),
    ...finWait2Stuck(sockets, context, t),
    ...orphans(context, t),
    ...retransmitting(sockets, t),
    ...retransmitRate(context, t),
  ];
}

/** How much a counter grew since `context.earlier`, or undefined without both readings. */
function growth(
  context: DiagnoseContext,
  section: 'tcpExt' | 'snmpTcp',
  name: string,
): number | undefined {
  const now = context[section]?.[name];
  const before = context.earlier?.[section]?.[name];
  return now === undefined || before === undefined ? undefined : Math.max(0, now - before);
}

/** Findings that should make `doctor` exit 1 (info findings are notes, not problems). */
export function isProblem(finding: Finding): boolean {
  return finding.severity !== 'info';
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

/** Who owns a socket, in words: "pid 42 (nginx)", "a process of uid 1000", or "no process". */
export function ownerLabel(socket: HostSocket, t: FindingTitles = findingTitles('en')): string {
  if (socket.pid !== undefined) return t.owner.pid(socket.pid, socket.process ?? '?');
  if (socket.inode === 0) return t.owner.orphan;
  if (socket.uid !== undefined) return t.owner.uid(socket.uid);
  return t.owner.unknown;
}

function ownerKey(socket: HostSocket): string {
  if (socket.pid !== undefined) return `pid:${socket.pid}`;
  if (socket.inode === 0) return 'orphan';
  return `uid:${socket.uid ?? '?'}`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function inState(sockets: readonly HostSocket[], state: TcpState): HostSocket[] {
  return sockets.filter((s) => s.state === state);
}

function moreLine(total: number, shown: number, what: string): string[] {
  return total > shown ? [`… and ${total - shown} more ${what}`] : [];
}

function sortedByCount<T>(groups: Map<string, T[]>): [string, T[]][] {
  return [...groups].sort((a, b) => b[1].length - a[1].length);
}

function countPorts(sockets: readonly HostSocket[]): string {
  const ports = groupBy(sockets, (s) => String(s.local.port));
  return sortedByCount(ports)
    .slice(0, 3)
    .map(([port, list]) => `${list.length} on local port ${port}`)
    .join(', ');
}

function closeWaitLeaks(
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
  t: FindingTitles,
): Finding[] {
  const findings: Finding[] = [];
  for (const [, group] of sortedByCount(groupBy(inState(sockets, 'CLOSE_WAIT'), ownerKey))) {
    if (group.length < CLOSE_WAIT_WARN) continue;
    const first = group[0];
    const owner = ownerLabel(first);
    // Recv-Q counts the peer's FIN too (rcv_nxt - copied_seq) until read() returns 0, so any
    // Recv-Q > 0 in CLOSE_WAIT means the program has not read this socket to its end.
    const notReadToEnd = group.filter((s) => s.recvQ > 0).length;
    const evidence = [
      `${group.length} sockets in CLOSE_WAIT owned by ${owner}: ${countPorts(group)}`,
      ...sortedByCount(groupBy(group, (s) => s.remote.address))
        .slice(0, EVIDENCE_LINES)
        .map(([peer, list]) => `${list.length} from peer ${peer}`),
    ];
    if (notReadToEnd > 0) {
      evidence.push(
        `${notReadToEnd} were never read to the end (Recv-Q > 0; it counts the peer's FIN until read() returns 0): the program is not reading them at all`,
      );
    }
    if (notReadToEnd < group.length) {
      evidence.push(
        `${group.length - notReadToEnd} were read to the end (Recv-Q 0): read() returned 0 and the program still did not close()`,
      );
    }
    evidence.push(
      'the kernel keeps no age for a socket; run doctor again later: leaked ones are still there',
    );
    const advice = [
      `the peer closed these connections, but ${owner} never called close() on them: a file-descriptor leak`,
      'look in that program for a path that returns without closing the socket when read() returns 0 (end of stream) or on an error',
      'CLOSE_WAIT has no timeout: each one holds a file descriptor until the process closes it or exits',
    ];
    if (first.pid === undefined && context.unreadableOwners) {
      advice.push('run as root to see which process owns them');
    }
    findings.push({
      kind: 'close-wait-leak',
      severity: group.length >= CLOSE_WAIT_CRITICAL ? 'critical' : 'warning',
      title: t.closeWaitLeak(ownerLabel(first, t), group.length),
      evidence,
      advice,
      data: {
        pid: first.pid ?? null,
        process: first.process ?? null,
        uid: first.uid ?? null,
        count: group.length,
        notReadToEnd,
        localPorts: [...new Set(group.map((s) => s.local.port))].sort((a, b) => a - b),
      },
    });
  }
  return findings;
}

function isEphemeral(port: number, context: DiagnoseContext): boolean {
  const range = context.ephemeralPorts;
  return range !== undefined && port >= range.low && port <= range.high;
}

function timeWaitPileup(
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
  t: FindingTitles,
): Finding[] {
  const timeWait = inState(sockets, 'TIME_WAIT');
  const total = context.sockstat?.tw ?? timeWait.length;
  if (timeWait.length === 0 && total === 0) return [];
  const findings: Finding[] = [];
  const range = context.ephemeralPorts;
  const rangeSize = range ? range.high - range.low + 1 : undefined;

  // Outgoing connections closed first by this host: the local port is ephemeral, so each one
  // holds a port for this (local address, destination) pair for 60 s.
  const outgoing = timeWait.filter((s) => isEphemeral(s.local.port, context));
  const perDestination = sortedByCount(
    groupBy(outgoing, (s) => `${s.local.address} -> ${formatEndpoint(s.remote)}`),
  );
  const [top] = perDestination;
  if (rangeSize !== undefined && range !== undefined && top) {
    const share = top[1].length / rangeSize;
    if (share >= TIME_WAIT_PORT_SHARE_WARN) {
      const hot = perDestination.filter(
        ([, l]) => l.length / rangeSize >= TIME_WAIT_PORT_SHARE_WARN,
      );
      // What the kernel really allows: with tcp_tw_reuse (1, or 2 towards loopback, the
      // default) a new connect() takes a TIME_WAIT port once its last timestamp is a second
      // old, so the ports run out only above about one connection per port per second.
      const reuse = reuseApplies(context.twReuse, top[1][0].remote.address);
      const perSecond = reuse ? rangeSize : Math.floor(rangeSize / TIME_WAIT_SECONDS);
      const severity: Finding['severity'] = reuse
        ? 'info'
        : share >= TIME_WAIT_PORT_SHARE_CRITICAL
          ? 'critical'
          : 'warning';
      findings.push({
        kind: 'time-wait-pileup',
        severity,
        title: t.timeWaitPorts(Math.round(share * 100), top[0].split(' -> ')[1], reuse),
        evidence: [
          reuse
            ? `the limit: about ${perSecond} new connections per second towards one destination (each port reusable 1 s after its last segment, TCP timestamps on), not ${rangeSize} per ${TIME_WAIT_SECONDS} s`
            : `the limit: ${rangeSize} ports per ${TIME_WAIT_SECONDS} s of TIME_WAIT, about ${perSecond} new connections per second towards one destination; past it connect() fails (EADDRNOTAVAIL)`,
          `this host opened these connections and closed them first, so it holds TIME_WAIT (RFC 9293 3.6): ${outgoing.length} such sockets`,
          ...hot
            .slice(0, EVIDENCE_LINES)
            .map(
              ([dest, list]) =>
                `${list.length} of ${rangeSize} ports (${range.low}-${range.high}) used for ${dest}`,
            ),
          ...moreLine(hot.length, EVIDENCE_LINES, 'destinations'),
          `net.ipv4.tcp_tw_reuse = ${twReuseWords(context.twReuse)}`,
        ],
        advice: [
          'reuse connections instead of opening one per request (HTTP keep-alive, a connection pool)',
          'or let the server close first: then the TIME_WAIT is on its side, where the port is shared',
          'tcp_tw_reuse=1 lets new outgoing connections take a TIME_WAIT port when TCP timestamps prove it safe; it does nothing for incoming connections',
          `widening net.ipv4.ip_local_port_range (now ${range.low}-${range.high}) or adding destination addresses gives more room`,
          'do not look for tcp_tw_recycle: it broke clients behind NAT and was removed in Linux 4.12',
        ],
        data: {
          ephemeralPorts: range,
          totalTimeWait: total,
          outgoingTimeWait: outgoing.length,
          destinations: hot.map(([dest, list]) => ({ destination: dest, count: list.length })),
          twReuse: context.twReuse ?? null,
        },
      });
    }
  }

  const buckets = context.maxTwBuckets;
  if (buckets !== undefined && buckets > 0 && total / buckets >= TIME_WAIT_BUCKETS_SHARE_WARN) {
    findings.push({
      kind: 'time-wait-pileup',
      severity: total >= buckets ? 'critical' : 'warning',
      title: t.timeWaitBuckets(total, Math.round((total / buckets) * 100)),
      evidence: [
        `net.ipv4.tcp_max_tw_buckets = ${buckets}; past it the kernel skips TIME_WAIT ("time wait bucket table overflow")`,
        `${outgoing.length} are outgoing connections this host closed first, ${timeWait.length - outgoing.length} incoming`,
      ],
      advice: [
        'find who closes first: the side that calls close() first keeps TIME_WAIT for 60 s',
        'keep connections open and reuse them instead of one connection per request',
      ],
      data: { totalTimeWait: total, maxTwBuckets: buckets },
    });
  }

  const incoming = timeWait.length - outgoing.length;
  if (findings.length === 0 && incoming >= TIME_WAIT_SERVER_NOTE) {
    const ports = countPorts(timeWait.filter((s) => !isEphemeral(s.local.port, context)));
    findings.push({
      kind: 'time-wait-pileup',
      severity: 'info',
      title: t.timeWaitServer(incoming),
      evidence: [
        ports,
        'server-side TIME_WAIT shares the server port, so it uses no ports; it costs a little memory each',
      ],
      advice: [
        'this is normal for servers that close first (HTTP/1.0, Connection: close); it is harmless unless memory is tight',
        'letting clients close first, or keep-alive, moves or removes it',
      ],
      data: { incomingTimeWait: incoming, totalTimeWait: total },
    });
  }
  return findings;
}

/** Linux's TIME_WAIT length (TCP_TIMEWAIT_LEN, 60 s; not a sysctl). */
const TIME_WAIT_SECONDS = 60;

/** Whether tcp_tw_reuse lets connects towards `address` take TIME_WAIT ports. */
export function reuseApplies(twReuse: number | undefined, address: string): boolean {
  if (twReuse === 1) return true;
  const loopback =
    address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
  return twReuse === 2 && loopback;
}

function twReuseWords(value: number | undefined): string {
  switch (value) {
    case 0:
      return '0 (off)';
    case 1:
      return '1 (outgoing connections may reuse TIME_WAIT ports when timestamps allow)';
    case 2:
      return '2 (reuse on loopback only, the default)';
    case undefined:
      return 'unknown';
    default:
      return String(value);
  }
}

function synFloodOrBacklog(
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
  t: FindingTitles,
): Finding[] {
  const findings: Finding[] = [];
  const overflows = context.tcpExt?.ListenOverflows;
  const drops = context.tcpExt?.ListenDrops;
  const recentOverflows = growth(context, 'tcpExt', 'ListenOverflows');
  const seconds = context.earlier?.seconds;
  const counterLine = [
    ...(overflows !== undefined
      ? [
          `since boot: ListenOverflows = ${overflows}, ListenDrops = ${drops ?? '?'} (connections dropped because an accept queue was full)`,
        ]
      : []),
    ...(recentOverflows !== undefined && seconds !== undefined
      ? [`in the last ${seconds} s: ${recentOverflows} more overflows`]
      : []),
  ];

  for (const listener of inState(sockets, 'LISTEN')) {
    const backlog = listener.sendQ;
    // Backlog 0 from /proc means "not known" (/proc/net/tcp does not carry it).
    if (backlog <= 0 || listener.recvQ < backlog * ACCEPT_QUEUE_SHARE_WARN) continue;
    const full = listener.recvQ >= backlog;
    const owner = ownerLabel(listener);
    findings.push({
      kind: 'syn-flood-or-backlog',
      severity: full ? 'critical' : 'warning',
      title: t.acceptQueue(
        formatEndpoint(listener.local),
        full,
        listener.recvQ,
        backlog,
        ownerLabel(listener, t),
      ),
      evidence: [
        `Recv-Q ${listener.recvQ} (connections handshaken, not yet accepted), Send-Q ${backlog} (the backlog)`,
        ...counterLine,
        ...(context.somaxconn !== undefined
          ? [`net.core.somaxconn = ${context.somaxconn} caps every listen() backlog`]
          : []),
      ],
      advice: [
        `${owner} is not calling accept() fast enough (blocked, overloaded, or stopped)`,
        'when the queue is full, new clients SYN and wait, retrying, or get dropped',
        'fix the slow accept loop first; a larger listen() backlog (and net.core.somaxconn) only absorbs bursts',
      ],
      data: {
        local: listener.local,
        acceptQueue: listener.recvQ,
        backlog,
        pid: listener.pid ?? null,
        process: listener.process ?? null,
        listenOverflows: overflows ?? null,
        listenDrops: drops ?? null,
      },
    });
  }

  const synRecv = inState(sockets, 'SYN_RECV');
  for (const [port, group] of sortedByCount(groupBy(synRecv, (s) => String(s.local.port)))) {
    if (group.length < SYN_RECV_WARN) continue;
    const sources = sortedByCount(groupBy(group, (s) => s.remote.address));
    const limit = context.maxSynBacklog;
    findings.push({
      kind: 'syn-flood-or-backlog',
      severity: limit !== undefined && group.length >= limit / 2 ? 'critical' : 'warning',
      title: t.synRecv(group.length, port),
      evidence: [
        `${sources.length} distinct source addresses; most: ${sources
          .slice(0, 3)
          .map(([a, l]) => `${a} (${l.length})`)
          .join(', ')}`,
        ...(limit !== undefined ? [`net.ipv4.tcp_max_syn_backlog = ${limit}`] : []),
        ...counterLine,
      ],
      advice: [
        'a handshake takes one round trip, so SYN_RECV should be short-lived; many means SYN-ACKs go unanswered',
        'many sources: likely a SYN flood; keep net.ipv4.tcp_syncookies = 1 (the default) and filter upstream',
        'few sources: a broken client, or a return path that loses the SYN-ACK (asymmetric routing, a firewall)',
      ],
      data: {
        localPort: Number(port),
        synRecv: group.length,
        sources: sources.length,
        maxSynBacklog: limit ?? null,
      },
    });
  }

  if (findings.length === 0 && recentOverflows !== undefined && recentOverflows > 0) {
    findings.push({
      kind: 'syn-flood-or-backlog',
      severity: 'warning',
      title: t.overflowingNow(recentOverflows, seconds),
      evidence: [
        ...counterLine,
        'no accept queue was full at the moment of the snapshot: the overflows come in bursts',
      ],
      advice: [
        'a server is too slow to accept() during bursts; `tcpstate ls --listening` shows each queue and its backlog',
        'fix the slow accept loop first; a larger listen() backlog (and net.core.somaxconn) absorbs bursts',
      ],
      data: { listenOverflows: overflows ?? null, recentOverflows, seconds },
    });
  }

  if (findings.length === 0 && overflows !== undefined && overflows > 0) {
    findings.push({
      kind: 'syn-flood-or-backlog',
      severity: 'info',
      title: t.overflowedSinceBoot(overflows),
      evidence: counterLine,
      advice: [
        'counters since boot cannot say when; run doctor again, or watch `nstat -az TcpExtListenOverflows`, to see whether it still grows',
      ],
      data: { listenOverflows: overflows, listenDrops: drops ?? null },
    });
  }
  return findings;
}

function tupleKey(local: Endpoint, remote: Endpoint): string {
  return `${local.address}|${local.port}|${remote.address}|${remote.port}`;
}

function finWait2Stuck(
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
  t: FindingTitles,
): Finding[] {
  const finWait2 = inState(sockets, 'FIN_WAIT2');
  if (finWait2.length < FIN_WAIT2_WARN) return [];
  // When the peer is on this host, its end of the same connection is in this list too.
  const byTuple = new Map<string, HostSocket>();
  for (const s of sockets) byTuple.set(tupleKey(s.local, s.remote), s);
  const owned = finWait2.filter((s) => s.inode !== 0);
  const orphaned = finWait2.length - owned.length;
  const localPeers = groupBy(
    finWait2
      .map((s) => byTuple.get(tupleKey(s.remote, s.local)))
      .filter((p): p is HostSocket => p !== undefined && p.state === 'CLOSE_WAIT'),
    ownerKey,
  );
  const fin = context.finTimeoutSec;
  return [
    {
      kind: 'fin-wait2-stuck',
      severity: 'warning',
      title: t.finWait2(finWait2.length),
      evidence: [
        `${owned.length} still owned by a process (shut down for writing: no timeout applies), ${orphaned} orphaned (freed after tcp_fin_timeout${fin !== undefined ? ` = ${fin} s` : ''})`,
        ...sortedByCount(groupBy(finWait2, (s) => s.remote.address))
          .slice(0, EVIDENCE_LINES)
          .map(([peer, list]) => `${list.length} towards ${peer}`),
        ...sortedByCount(localPeers)
          .slice(0, EVIDENCE_LINES)
          .map(
            ([, list]) =>
              `${list.length} of the peers are on this host, in CLOSE_WAIT, owned by ${ownerLabel(list[0])}`,
          ),
      ],
      advice: [
        'FIN_WAIT2 ends when the peer closes: the problem is usually the peer (its sockets sit in CLOSE_WAIT)',
        'orphaned FIN_WAIT2 ends after net.ipv4.tcp_fin_timeout; one your program still holds after shutdown() waits until it calls close()',
      ],
      data: {
        count: finWait2.length,
        owned: owned.length,
        orphaned,
        finTimeoutSec: fin ?? null,
      },
    },
  ];
}

function orphans(context: DiagnoseContext, t: FindingTitles): Finding[] {
  const count = context.sockstat?.orphan;
  const max = context.maxOrphans;
  if (count === undefined || max === undefined || max <= 0) return [];
  const share = count / max;
  if (share < ORPHANS_SHARE_WARN) return [];
  return [
    {
      kind: 'orphans',
      severity: share >= ORPHANS_SHARE_CRITICAL ? 'critical' : 'warning',
      title: t.orphans(count, Math.round(share * 100), max),
      evidence: [
        'orphans are connections their application already closed, still finishing (FIN_WAIT1, LAST_ACK, CLOSING, FIN_WAIT2)',
        'past the limit the kernel resets them and logs "too many orphaned sockets"',
      ],
      advice: [
        'many orphans usually mean peers that stopped acknowledging (gone, or a zero window) after the close',
        'lower net.ipv4.tcp_orphan_retries to give up on them sooner; raise tcp_max_orphans only if memory allows (up to ~64 KB each)',
      ],
      data: { orphans: count, maxOrphans: max },
    },
  ];
}

/** A listener of this host on `dest` (its address or a wildcard) whose accept queue is full. */
function fullLocalListener(sockets: readonly HostSocket[], dest: Endpoint): HostSocket | undefined {
  const local = new Set(sockets.map((s) => s.local.address));
  const loopback =
    dest.address === '127.0.0.1' || dest.address === '::1' || dest.address.startsWith('127.');
  if (!loopback && !local.has(dest.address)) return undefined;
  return sockets.find(
    (l) =>
      l.state === 'LISTEN' &&
      l.local.port === dest.port &&
      (l.local.address === dest.address ||
        l.local.address === '0.0.0.0' ||
        l.local.address === '::') &&
      l.sendQ > 0 &&
      !l.backlogUnknown &&
      l.recvQ >= l.sendQ,
  );
}

function retransmitting(sockets: readonly HostSocket[], t: FindingTitles): Finding[] {
  const stalled = sockets.filter(
    (s) => s.timer?.kind === 'retransmit' && s.timer.retries >= RETRIES_WARN,
  );
  if (stalled.length === 0) return [];
  const worst = Math.max(...stalled.map((s) => s.timer?.retries ?? 0));
  const connecting = stalled.filter((s) => s.state === 'SYN_SENT');
  // A connect() to a listener of this very host whose accept queue is full is not lost on the
  // way: Linux drops the SYN while the queue is full (tcp_abort_on_overflow 0), so it retries.
  const queued = new Map<HostSocket, HostSocket>();
  for (const s of connecting) {
    const listener = fullLocalListener(sockets, s.remote);
    if (listener) queued.set(s, listener);
  }
  const byListener = sortedByCount(
    groupBy([...queued.keys()], (s) => formatEndpoint((queued.get(s) as HostSocket).local)),
  );
  const unexplained = connecting.length - queued.size;
  const byPeer = sortedByCount(groupBy(stalled, (s) => s.remote.address));
  return [
    {
      kind: 'retransmitting',
      severity: worst >= RETRIES_CRITICAL ? 'critical' : 'warning',
      title: t.retransmitting(stalled.length, worst),
      evidence: [
        ...byPeer.slice(0, EVIDENCE_LINES).map(
          ([peer, list]) =>
            `${list.length} towards ${peer} (${[...new Set(list.map((s) => s.state))].join(', ')}), ${list
              .map((s) => ownerLabel(s))
              .filter((v, i, a) => a.indexOf(v) === i)
              .slice(0, 2)
              .join(', ')}`,
        ),
        ...moreLine(byPeer.length, EVIDENCE_LINES, 'peers'),
        ...(unexplained > 0
          ? [`${unexplained} are connect()s whose SYN gets no answer (SYN_SENT)`]
          : []),
        ...byListener.map(([where, list]) => {
          const l = queued.get(list[0]) as HostSocket;
          return `${list.length} connect()s to ${where} wait on its full accept queue (Recv-Q ${l.recvQ} of ${l.sendQ}, ${ownerLabel(l)} does not accept() fast enough): the kernel drops their SYNs while it is full`;
        }),
      ],
      advice: [
        'each retry doubles the wait (RFC 6298 5.5): the peer or the path is not acknowledging',
        ...(unexplained > 0
          ? [
              'SYN_SENT retrying: the destination drops SYNs silently (a firewall, a wrong address, a host that is down)',
            ]
          : []),
        ...(queued.size > 0
          ? [
              'SYN_SENT to a full local accept queue: make the listener accept() faster or raise its backlog (listen() and net.core.somaxconn); see the accept-queue finding',
            ]
          : []),
        'established connections retrying: packet loss or a dead peer; check the path (mtr, tcpdump) and the peer',
      ],
      data: {
        count: stalled.length,
        maxRetries: worst,
        synSent: connecting.length,
        synSentToFullQueue: queued.size,
        peers: byPeer.map(([peer, list]) => ({ address: peer, count: list.length })),
      },
    },
  ];
}

function retransmitRate(context: DiagnoseContext, t: FindingTitles): Finding[] {
  const retrans = growth(context, 'snmpTcp', 'RetransSegs');
  const sent = growth(context, 'snmpTcp', 'OutSegs');
  const seconds = context.earlier?.seconds;
  if (retrans === undefined || sent === undefined || sent < RETRANS_MIN_SEGMENTS) return [];
  const rate = retrans / sent;
  if (rate < RETRANS_RATE_WARN) return [];
  const percent = (rate * 100).toFixed(1);
  return [
    {
      kind: 'retransmitting',
      severity: rate >= RETRANS_RATE_CRITICAL ? 'critical' : 'warning',
      title: t.retransmitRate(percent, seconds),
      evidence: [`${retrans} retransmitted of ${sent} segments sent (Tcp RetransSegs, OutSegs)`],
      advice: [
        'segments or their ACKs are being lost: check the links (errors, drops, a full queue) and the peers',
        '`tcpstate ls --state connected` shows which connections have a retransmit timer running',
      ],
      data: { retransmitted: retrans, sent, rate, seconds: seconds ?? null },
    },
  ];
}
