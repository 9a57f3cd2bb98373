/**
 * The plain-text parts of `tcpstate pcap`'s report that the sim's renderers do not draw: each
 * side's states with the time spent in each, Zeek's codes, and the findings.
 */
import { duration } from './findings.js';
import type { ConnectionReport, SideSummary } from './report-types.js';
import { ZEEK_MEANINGS } from './zeek.js';

/** `CLOSED → SYN_SENT (12 ms) → ESTABLISHED (3.2 s) → …`; an assumed start is marked. */
export function stateLine(s: SideSummary): string {
  return s.states
    .map((span, i) => {
      const name = i === 0 && s.initial.assumed ? `${span.state} (assumed)` : span.state;
      if (span.state === 'CLOSED' && i === s.states.length - 1) return name;
      // Before the first packet nothing is known of how long it lasted.
      if (i === 0 && (span.state === 'CLOSED' || span.state === 'LISTEN')) return name;
      const time = span.open
        ? `at least ${duration(span.ms)}: the capture ended`
        : duration(span.ms);
      return `${name} (${time})`;
    })
    .join(' → ');
}

export function reportText(r: ConnectionReport): string {
  const out: string[] = [];
  out.push('states:');
  out.push(`  a ${r.a}: ${stateLine(r.summary.a)}`);
  out.push(`  b ${r.b}: ${stateLine(r.summary.b)}`);
  const z = r.summary.zeek;
  out.push(
    `zeek: conn_state ${z.conn_state} (${ZEEK_MEANINGS[z.conn_state]}), history ${z.history || '-'}`,
  );
  const counts = (['a', 'b'] as const)
    .map((side) => {
      const s = r.summary[side];
      return `${side} sent ${s.packets} packets, ${s.bytes} bytes`;
    })
    .join('; ');
  out.push(counts);
  if (r.summary.findings.length > 0) {
    out.push('findings:');
    for (const f of r.summary.findings) out.push(`  - ${f.text}`);
  }
  return `${out.join('\n')}\n`;
}
