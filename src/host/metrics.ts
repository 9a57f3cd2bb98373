/**
 * Prometheus text exposition (format 0.0.4) of one snapshot: sockets per state, each listening
 * socket's accept queue and backlog, doctor findings, and the kernel's TCP counters.
 */
import { TCP_STATES } from '../state/states.js';
import { diagnose, reuseApplies } from './doctor.js';
import type { DiagnoseContext, FindingKind, HostSocket } from './types.js';

const FINDING_KINDS: readonly FindingKind[] = [
  'close-wait-leak',
  'time-wait-pileup',
  'syn-flood-or-backlog',
  'fin-wait2-stuck',
  'orphans',
  'retransmitting',
];

/** Label values escape backslash, double quote and newline (exposition format spec). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string | number>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
    .join(',');
  return body ? `{${body}}` : '';
}

class Exposition {
  readonly lines: string[] = [];
  metric(name: string, type: 'gauge' | 'counter', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, value: number, pairs: Record<string, string | number> = {}): this {
    this.lines.push(`${name}${labels(pairs)} ${Number.isFinite(value) ? value : 'NaN'}`);
    return this;
  }
}

/** Kernel counters exported as counters: [metric, source section, field, help]. */
const KERNEL_COUNTERS: readonly [string, 'tcpExt' | 'snmpTcp', string, string][] = [
  [
    'tcpstate_kernel_listen_overflows_total',
    'tcpExt',
    'ListenOverflows',
    'Times an accept queue was full (TcpExt ListenOverflows).',
  ],
  [
    'tcpstate_kernel_listen_drops_total',
    'tcpExt',
    'ListenDrops',
    'SYNs dropped at listening sockets (TcpExt ListenDrops).',
  ],
  [
    'tcpstate_kernel_syncookies_sent_total',
    'tcpExt',
    'SyncookiesSent',
    'SYN cookies sent because a SYN queue was full (TcpExt SyncookiesSent).',
  ],
  [
    'tcpstate_kernel_syn_queue_full_drops_total',
    'tcpExt',
    'TCPReqQFullDrop',
    'SYNs dropped because the SYN queue was full and cookies were off (TcpExt TCPReqQFullDrop).',
  ],
  [
    'tcpstate_kernel_time_wait_overflows_total',
    'tcpExt',
    'TCPTimeWaitOverflow',
    'Sockets closed without TIME_WAIT because tcp_max_tw_buckets was reached (TcpExt TCPTimeWaitOverflow).',
  ],
  [
    'tcpstate_kernel_retransmitted_segments_total',
    'snmpTcp',
    'RetransSegs',
    'Segments retransmitted (Tcp RetransSegs).',
  ],
  ['tcpstate_kernel_sent_segments_total', 'snmpTcp', 'OutSegs', 'Segments sent (Tcp OutSegs).'],
  [
    'tcpstate_kernel_active_opens_total',
    'snmpTcp',
    'ActiveOpens',
    'Connections opened by connect() (Tcp ActiveOpens).',
  ],
  [
    'tcpstate_kernel_passive_opens_total',
    'snmpTcp',
    'PassiveOpens',
    'Connections accepted from a LISTEN socket (Tcp PassiveOpens).',
  ],
  [
    'tcpstate_kernel_attempt_fails_total',
    'snmpTcp',
    'AttemptFails',
    'Connection attempts that failed (Tcp AttemptFails).',
  ],
  [
    'tcpstate_kernel_established_resets_total',
    'snmpTcp',
    'EstabResets',
    'Connections reset from ESTABLISHED or CLOSE_WAIT (Tcp EstabResets).',
  ],
];

/** Kernel settings the alerting rules compare against: [context field, sysctl name]. */
const KERNEL_SETTINGS: readonly [keyof DiagnoseContext, string][] = [
  ['twReuse', 'net.ipv4.tcp_tw_reuse'],
  ['maxTwBuckets', 'net.ipv4.tcp_max_tw_buckets'],
  ['somaxconn', 'net.core.somaxconn'],
  ['maxSynBacklog', 'net.ipv4.tcp_max_syn_backlog'],
  ['maxOrphans', 'net.ipv4.tcp_max_orphans'],
  ['finTimeoutSec', 'net.ipv4.tcp_fin_timeout'],
];

/**
 * At most this many destinations get their own TIME_WAIT series (the busiest): enough for the
 * alert, which looks at the busiest, without a series per peer of a busy client.
 */
export const TIME_WAIT_DESTINATION_SERIES = 10;

export interface MetricsInput {
  sockets: readonly HostSocket[];
  context: DiagnoseContext;
  /** Seconds the snapshot took, if measured. */
  scrapeSeconds?: number;
  /** Transition counts per (from, to), when a tracer supplies them. */
  transitions?: ReadonlyMap<string, number>;
}

export function renderMetrics(input: MetricsInput): string {
  const out = new Exposition();
  const counts = new Map<string, number>();
  for (const s of input.sockets) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  out.metric('tcpstate_sockets', 'gauge', 'TCP sockets by state.');
  for (const state of TCP_STATES) out.sample('tcpstate_sockets', counts.get(state) ?? 0, { state });

  const listeners = input.sockets.filter((s) => s.state === 'LISTEN');
  out.metric(
    'tcpstate_listen_accept_queue',
    'gauge',
    'Connections waiting for accept() on a listening socket.',
  );
  for (const s of listeners) {
    out.sample('tcpstate_listen_accept_queue', s.recvQ, {
      address: s.local.address,
      port: s.local.port,
    });
  }
  out.metric('tcpstate_listen_backlog', 'gauge', 'The listen() backlog of a listening socket.');
  for (const s of listeners) {
    if (s.backlogUnknown) continue;
    out.sample('tcpstate_listen_backlog', s.sendQ, {
      address: s.local.address,
      port: s.local.port,
    });
  }

  closeWaitPerProcess(out, input.sockets);
  timeWaitPerDestination(out, input.sockets, input.context);
  synRecvPerPort(out, input.sockets);

  const findings = diagnose(input.sockets, input.context);
  out.metric('tcpstate_findings', 'gauge', 'Problems found by tcpstate doctor, by kind.');
  for (const kind of FINDING_KINDS) {
    out.sample('tcpstate_findings', findings.filter((f) => f.kind === kind).length, { kind });
  }

  const sockstat = input.context.sockstat;
  if (sockstat) {
    out.metric('tcpstate_kernel_orphan_sockets', 'gauge', 'Orphaned TCP sockets (sockstat).');
    out.sample('tcpstate_kernel_orphan_sockets', sockstat.orphan);
    out.metric('tcpstate_kernel_time_wait_sockets', 'gauge', 'TIME_WAIT sockets (sockstat tw).');
    out.sample('tcpstate_kernel_time_wait_sockets', sockstat.tw);
  }
  const range = input.context.ephemeralPorts;
  if (range) {
    out.metric(
      'tcpstate_ephemeral_ports',
      'gauge',
      'Ports in net.ipv4.ip_local_port_range: how many local ports connect() can use towards one destination.',
    );
    out.sample('tcpstate_ephemeral_ports', range.high - range.low + 1);
    out.metric(
      'tcpstate_ephemeral_port_low',
      'gauge',
      'First port of net.ipv4.ip_local_port_range.',
    );
    out.sample('tcpstate_ephemeral_port_low', range.low);
    out.metric(
      'tcpstate_ephemeral_port_high',
      'gauge',
      'Last port of net.ipv4.ip_local_port_range.',
    );
    out.sample('tcpstate_ephemeral_port_high', range.high);
  }
  const settings = KERNEL_SETTINGS.filter(([field]) => typeof input.context[field] === 'number');
  if (settings.length > 0) {
    out.metric('tcpstate_kernel_setting', 'gauge', 'Kernel TCP settings (sysctl), by name.');
    for (const [field, name] of settings) {
      out.sample('tcpstate_kernel_setting', input.context[field] as number, { name });
    }
  }
  for (const [name, section, field, help] of KERNEL_COUNTERS) {
    const value = input.context[section]?.[field];
    if (value === undefined) continue;
    out.metric(name, 'counter', help).sample(name, value);
  }

  if (input.transitions && input.transitions.size > 0) {
    out.metric('tcpstate_transitions_total', 'counter', 'State transitions seen, by from and to.');
    for (const [key, value] of input.transitions) {
      const [from, to] = key.split('>');
      out.sample('tcpstate_transitions_total', value, { from, to });
    }
  }
  if (input.scrapeSeconds !== undefined) {
    out.metric('tcpstate_scrape_duration_seconds', 'gauge', 'Time taken to read the sockets.');
    out.sample('tcpstate_scrape_duration_seconds', input.scrapeSeconds);
  }
  return `${out.lines.join('\n')}\n`;
}

/** Who owns a socket, as labels: pid and process when known, else the uid ("" when unknown). */
function ownerLabels(s: HostSocket): Record<string, string> {
  return {
    pid: s.pid === undefined ? '' : String(s.pid),
    process: s.process ?? '',
    uid: s.uid === undefined ? '' : String(s.uid),
  };
}

/** CLOSE_WAIT sockets per owning process: a leak is one process's count that keeps growing. */
function closeWaitPerProcess(out: Exposition, sockets: readonly HostSocket[]): void {
  const groups = new Map<string, { labels: Record<string, string>; count: number }>();
  for (const s of sockets) {
    if (s.state !== 'CLOSE_WAIT') continue;
    const owner = ownerLabels(s);
    const key = `${owner.pid}|${owner.process}|${owner.uid}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { labels: owner, count: 1 });
  }
  out.metric(
    'tcpstate_close_wait_sockets',
    'gauge',
    'CLOSE_WAIT sockets per owning process (pid and process empty when the owner cannot be read).',
  );
  for (const { labels: pairs, count } of groups.values()) {
    out.sample('tcpstate_close_wait_sockets', count, pairs);
  }
}

/**
 * TIME_WAIT sockets of outgoing connections (local port in the ephemeral range) per (local
 * address, destination): each holds one of the range's ports towards that destination for 60 s.
 * tw_reuse says whether net.ipv4.tcp_tw_reuse lets new connect()s take them again.
 */
function timeWaitPerDestination(
  out: Exposition,
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
): void {
  const range = context.ephemeralPorts;
  if (!range) return;
  const groups = new Map<string, { socket: HostSocket; count: number }>();
  for (const s of sockets) {
    if (s.state !== 'TIME_WAIT' || s.local.port < range.low || s.local.port > range.high) continue;
    const key = `${s.local.address}|${s.remote.address}|${s.remote.port}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { socket: s, count: 1 });
  }
  out.metric(
    'tcpstate_time_wait_outgoing_sockets',
    'gauge',
    `TIME_WAIT sockets of connections this host opened, per local address and destination (the ${TIME_WAIT_DESTINATION_SERIES} busiest); each holds an ephemeral port.`,
  );
  const busiest = [...groups.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, TIME_WAIT_DESTINATION_SERIES);
  for (const { socket, count } of busiest) {
    out.sample('tcpstate_time_wait_outgoing_sockets', count, {
      local_address: socket.local.address,
      remote_address: socket.remote.address,
      remote_port: socket.remote.port,
      tw_reuse: reuseApplies(context.twReuse, socket.remote.address) ? 'yes' : 'no',
    });
  }
}

/** Half-open connections (SYN_RECV) per local port: a handshake lasts one round trip. */
function synRecvPerPort(out: Exposition, sockets: readonly HostSocket[]): void {
  const perPort = new Map<number, number>();
  for (const s of sockets) {
    if (s.state === 'SYN_RECV') perPort.set(s.local.port, (perPort.get(s.local.port) ?? 0) + 1);
  }
  out.metric('tcpstate_syn_recv_sockets', 'gauge', 'SYN_RECV (half-open) sockets per local port.');
  for (const [port, count] of [...perPort].sort((a, b) => a[0] - b[0])) {
    out.sample('tcpstate_syn_recv_sockets', count, { port });
  }
}
