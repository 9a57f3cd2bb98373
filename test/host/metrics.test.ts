import { describe, expect, it } from 'vitest';
import { CLOSE_WAIT_WARN } from '../../src/host/doctor.js';
import { escapeLabel, renderMetrics } from '../../src/host/metrics.js';
import { many, sock } from './fixtures/sockets.js';

/** Every non-comment line of the exposition: name{labels} value. */
const SAMPLE = /^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN)$/;

describe('Prometheus exposition', () => {
  const text = renderMetrics({
    sockets: [
      sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { recvQ: 3, sendQ: 511 }),
      sock('LISTEN', '[::]:22', '[::]:0', { backlogUnknown: true }),
      ...many(CLOSE_WAIT_WARN, (i) =>
        sock('CLOSE_WAIT', '10.0.0.1:80', `10.0.0.2:${i + 1}`, { pid: 5, process: 'x' }),
      ),
    ],
    context: {
      sockstat: { inuse: 7, orphan: 2, tw: 0, alloc: 7, mem: 1 },
      tcpExt: { ListenOverflows: 4, ListenDrops: 5 },
      snmpTcp: { RetransSegs: 9, OutSegs: 100 },
    },
    scrapeSeconds: 0.01,
    transitions: new Map([['ESTABLISHED>CLOSE_WAIT', 3]]),
  });
  const lines = text.trimEnd().split('\n');

  it('is well-formed: HELP and TYPE before samples, every sample parses', () => {
    for (const line of lines) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/);
      else expect(line).toMatch(SAMPLE);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('counts every state, zeros included', () => {
    expect(lines.filter((l) => l.startsWith('tcpstate_sockets{'))).toHaveLength(11);
    expect(lines).toContain('tcpstate_sockets{state="LISTEN"} 2');
    expect(lines).toContain(`tcpstate_sockets{state="CLOSE_WAIT"} ${CLOSE_WAIT_WARN}`);
    expect(lines).toContain('tcpstate_sockets{state="TIME_WAIT"} 0');
  });

  it('gives accept queues, and backlogs only where known', () => {
    expect(lines).toContain('tcpstate_listen_accept_queue{address="0.0.0.0",port="80"} 3');
    expect(lines).toContain('tcpstate_listen_backlog{address="0.0.0.0",port="80"} 511');
    expect(lines.some((l) => l.startsWith('tcpstate_listen_backlog{address="::"'))).toBe(false);
  });

  it('gives findings by kind, kernel counters and transitions', () => {
    expect(lines).toContain('tcpstate_findings{kind="close-wait-leak"} 1');
    expect(lines).toContain('tcpstate_findings{kind="orphans"} 0');
    expect(lines).toContain('tcpstate_kernel_listen_overflows_total 4');
    expect(lines).toContain('tcpstate_kernel_retransmitted_segments_total 9');
    expect(lines).toContain('tcpstate_kernel_orphan_sockets 2');
    expect(lines).toContain('tcpstate_transitions_total{from="ESTABLISHED",to="CLOSE_WAIT"} 3');
    expect(
      lines.filter((l) => l === '# TYPE tcpstate_kernel_listen_overflows_total counter'),
    ).toHaveLength(1);
  });

  it('escapes label values', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
