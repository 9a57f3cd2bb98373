import { describe, expect, it } from 'vitest';
import {
  CLOSE_WAIT_WARN,
  diagnose,
  FIN_WAIT2_WARN,
  isProblem,
  RETRIES_WARN,
  SYN_RECV_WARN,
} from '../../src/host/doctor.js';
import type { DiagnoseContext } from '../../src/host/types.js';
import { many, sock } from './fixtures/sockets.js';

const context: DiagnoseContext = {
  ephemeralPorts: { low: 32768, high: 60999 },
  twReuse: 2,
  finTimeoutSec: 60,
  somaxconn: 4096,
  maxSynBacklog: 1024,
  maxOrphans: 1000,
  maxTwBuckets: 262144,
  tcpExt: { ListenOverflows: 0, ListenDrops: 0 },
};

describe('diagnose', () => {
  it('a healthy host has no findings', () => {
    const sockets = [
      sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { sendQ: 511, pid: 1, process: 'nginx' }),
      sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.2:50000', { pid: 1, process: 'nginx' }),
      sock('CLOSE_WAIT', '10.0.0.1:80', '10.0.0.2:50001', { pid: 1, process: 'nginx' }),
      sock('TIME_WAIT', '10.0.0.1:40000', '10.0.0.3:5432'),
    ];
    expect(diagnose(sockets, context)).toEqual([]);
  });

  it('close-wait-leak: groups by process and names the pid', () => {
    const sockets = [
      ...many(CLOSE_WAIT_WARN + 1, (i) =>
        sock('CLOSE_WAIT', '10.0.0.1:8080', `10.0.0.2:${50000 + i}`, {
          pid: 4321,
          process: 'leaky',
          recvQ: i === 0 ? 12 : 0,
        }),
      ),
      ...many(2, (i) =>
        sock('CLOSE_WAIT', '10.0.0.1:9090', `10.0.0.2:${51000 + i}`, { pid: 99, process: 'ok' }),
      ),
    ];
    const findings = diagnose(sockets, context);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f.kind).toBe('close-wait-leak');
    expect(f.severity).toBe('warning');
    expect(f.data).toMatchObject({
      pid: 4321,
      process: 'leaky',
      count: CLOSE_WAIT_WARN + 1,
      notReadToEnd: 1,
    });
    expect(f.title).toContain('pid 4321 (leaky)');
    expect(f.advice.join(' ')).toMatch(/close\(\)/);
    expect(isProblem(f)).toBe(true);
  });

  it('close-wait-leak without owners suggests root', () => {
    const sockets = many(CLOSE_WAIT_WARN, (i) =>
      sock('CLOSE_WAIT', '10.0.0.1:8080', `10.0.0.2:${i + 1}`, { uid: 33 }),
    );
    const [f] = diagnose(sockets, { unreadableOwners: true });
    expect(f.title).toContain('uid 33');
    expect(f.advice.join(' ')).toMatch(/root/);
  });

  it('time-wait-pileup: per destination against the ephemeral range, never tcp_tw_recycle as advice', () => {
    const range = { low: 50000, high: 50999 };
    const sockets = many(800, (i) => sock('TIME_WAIT', `10.0.0.1:${50000 + i}`, '10.0.0.9:5432'));
    const [f] = diagnose(sockets, { ...context, ephemeralPorts: range });
    expect(f.kind).toBe('time-wait-pileup');
    expect(f.severity).toBe('critical');
    expect(f.title).toContain('80%');
    expect(f.title).toContain('10.0.0.9:5432');
    const advice = f.advice.join(' ');
    expect(advice).toMatch(/tcp_tw_reuse/);
    expect(advice).toMatch(/do not .*tcp_tw_recycle/);
    expect(advice).not.toMatch(/set .*tcp_tw_recycle/);
  });

  it('time-wait-pileup: weighed with tcp_tw_reuse, so it is not critical where connects still succeed', () => {
    const range = { low: 50000, high: 50999 };
    const towards = (dest: string) =>
      many(800, (i) => sock('TIME_WAIT', `127.0.0.1:${50000 + i}`, dest));
    // twReuse 2 (the default) covers loopback: new connects take the ports again after 1 s.
    const [loop] = diagnose(towards('127.0.0.1:5432'), { ...context, ephemeralPorts: range });
    expect(loop.severity).toBe('info');
    expect(loop.evidence[0]).toMatch(/about 1000 new connections per second/);
    expect(isProblem(loop)).toBe(false);
    // Off, or not loopback with 2: the ports really run out; the limit is said per second.
    const [off] = diagnose(towards('127.0.0.1:5432'), {
      ...context,
      twReuse: 0,
      ephemeralPorts: range,
    });
    expect(off.severity).toBe('critical');
    expect(off.evidence[0]).toMatch(/1000 ports per 60 s .* about 16 new connections per second/);
  });

  it('server-side TIME_WAIT is only a note', () => {
    const sockets = many(10_000, (i) =>
      sock('TIME_WAIT', '10.0.0.1:80', `10.0.${i >> 8}.${i & 255}:1234`),
    );
    const findings = diagnose(sockets, context);
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([['time-wait-pileup', 'info']]);
    expect(findings.some(isProblem)).toBe(false);
  });

  it('syn-flood-or-backlog: a full accept queue (Recv-Q >= Send-Q), with the kernel counters', () => {
    const sockets = [
      sock('LISTEN', '127.0.0.1:7000', '0.0.0.0:0', {
        recvQ: 2,
        sendQ: 1,
        pid: 77,
        process: 'python3',
      }),
    ];
    const [f] = diagnose(sockets, { ...context, tcpExt: { ListenOverflows: 7, ListenDrops: 9 } });
    expect(f.kind).toBe('syn-flood-or-backlog');
    expect(f.severity).toBe('critical');
    expect(f.title).toContain('full');
    expect(f.evidence.join(' ')).toContain('ListenOverflows = 7');
    expect(f.data).toMatchObject({ acceptQueue: 2, backlog: 1, pid: 77 });
  });

  it('does not call a queue full when the backlog is unknown (/proc)', () => {
    const sockets = [
      sock('LISTEN', '127.0.0.1:7000', '0.0.0.0:0', { recvQ: 5, backlogUnknown: true }),
    ];
    expect(diagnose(sockets, {}).map((f) => f.kind)).toEqual([]);
  });

  it('syn-flood-or-backlog: many SYN_RECV on one port', () => {
    const sockets = many(SYN_RECV_WARN, (i) =>
      sock('SYN_RECV', '10.0.0.1:443', `198.51.100.${i % 200}:${1000 + i}`),
    );
    const [f] = diagnose(sockets, context);
    expect(f.kind).toBe('syn-flood-or-backlog');
    expect(f.data).toMatchObject({ localPort: 443, synRecv: SYN_RECV_WARN });
  });

  it('fin-wait2-stuck names the local peer in CLOSE_WAIT', () => {
    const sockets = Array.from({ length: FIN_WAIT2_WARN }, (_, i) => [
      sock('FIN_WAIT2', `127.0.0.1:${40000 + i}`, '127.0.0.1:9000', { pid: 5, process: 'client' }),
      sock('CLOSE_WAIT', '127.0.0.1:9000', `127.0.0.1:${40000 + i}`, { pid: 6, process: 'server' }),
    ]).flat();
    const kinds = diagnose(sockets, context).map((f) => f.kind);
    expect(kinds).toEqual(['close-wait-leak', 'fin-wait2-stuck']);
    const fin = diagnose(sockets, context)[1];
    expect(fin.evidence.join('\n')).toContain('owned by pid 6 (server)');
  });

  it('past accept-queue overflows (counters since boot) are a note, not a problem', () => {
    const findings = diagnose([], { tcpExt: { ListenOverflows: 3, ListenDrops: 3 } });
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([['syn-flood-or-backlog', 'info']]);
  });

  it('orphans against tcp_max_orphans', () => {
    const [f] = diagnose([], {
      ...context,
      sockstat: { inuse: 0, orphan: 950, tw: 0, alloc: 0, mem: 0 },
    });
    expect(f).toMatchObject({ kind: 'orphans', severity: 'critical' });
    expect(
      diagnose([], { ...context, sockstat: { inuse: 0, orphan: 10, tw: 0, alloc: 0, mem: 0 } }),
    ).toEqual([]);
  });

  it('retransmitting: connections with many retries, SYN_SENT called out', () => {
    const sockets = [
      sock('SYN_SENT', '10.0.0.1:40000', '192.0.2.1:443', {
        timer: { kind: 'retransmit', remainingMs: 4000, retries: RETRIES_WARN },
      }),
      sock('ESTABLISHED', '10.0.0.1:40001', '192.0.2.2:443', {
        timer: { kind: 'retransmit', remainingMs: 200, retries: 1 },
      }),
    ];
    const [f] = diagnose(sockets, context);
    expect(f.kind).toBe('retransmitting');
    expect(f.data).toMatchObject({ count: 1, synSent: 1, maxRetries: RETRIES_WARN });
  });

  it('retransmitting: a SYN_SENT to a full local accept queue is explained by the queue, not a firewall', () => {
    const sockets = [
      sock('LISTEN', '127.0.0.1:8080', '0.0.0.0:0', {
        recvQ: 2,
        sendQ: 1,
        pid: 9,
        process: 'slow',
      }),
      sock('SYN_SENT', '127.0.0.1:40000', '127.0.0.1:8080', {
        timer: { kind: 'retransmit', remainingMs: 4000, retries: RETRIES_WARN },
      }),
    ];
    const f = diagnose(sockets, context).find((x) => x.kind === 'retransmitting');
    expect(f?.data).toMatchObject({ synSent: 1, synSentToFullQueue: 1 });
    expect(f?.evidence.join('\n')).toMatch(
      /1 connect\(\)s to 127\.0\.0\.1:8080 wait on its full accept queue \(Recv-Q 2 of 1, pid 9 \(slow\)/,
    );
    expect(f?.advice.join('\n')).not.toMatch(/firewall/);
  });

  it('works on pasted output: sockets only, no context', () => {
    const sockets = many(CLOSE_WAIT_WARN, (i) =>
      sock('CLOSE_WAIT', '10.0.0.1:80', `10.0.0.2:${i + 1}`, { inode: undefined, uid: undefined }),
    );
    const [f] = diagnose(sockets);
    expect(f.kind).toBe('close-wait-leak');
  });

  it('counters sampled twice tell overflows happening now from those since boot', () => {
    const earlier = {
      seconds: 1,
      tcpExt: { ListenOverflows: 40 },
      snmpTcp: { RetransSegs: 0, OutSegs: 0 },
    };
    const now = diagnose([], { tcpExt: { ListenOverflows: 45 }, earlier });
    expect(now.map((f) => [f.kind, f.severity])).toEqual([['syn-flood-or-backlog', 'warning']]);
    expect(now[0].data).toMatchObject({ recentOverflows: 5, seconds: 1 });
    const past = diagnose([], { tcpExt: { ListenOverflows: 40 }, earlier });
    expect(past.map((f) => f.severity)).toEqual(['info']);
  });

  it('a retransmission rate over the window, judged only over enough segments', () => {
    const earlier = { seconds: 2, snmpTcp: { RetransSegs: 100, OutSegs: 10_000 } };
    const lossy = diagnose([], { snmpTcp: { RetransSegs: 150, OutSegs: 11_000 }, earlier });
    expect(lossy).toHaveLength(1);
    expect(lossy[0]).toMatchObject({ kind: 'retransmitting', severity: 'warning' });
    expect(lossy[0].title).toContain('5.0%');
    expect(diagnose([], { snmpTcp: { RetransSegs: 101, OutSegs: 11_000 }, earlier })).toEqual([]);
    expect(diagnose([], { snmpTcp: { RetransSegs: 150, OutSegs: 10_100 }, earlier })).toEqual([]);
  });
});
