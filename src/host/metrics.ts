/**
 * Prometheus text exposition (format 0.0.4) of one snapshot: sockets per state, each listening
 * socket's accept queue and backlog, doctor findings, and the kernel's TCP counters.
 */
import { TCP_STATES } from '../state/states.js';
import { diagnose } from './doctor.js';
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
