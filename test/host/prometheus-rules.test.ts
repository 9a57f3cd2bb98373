/**
 * The Prometheus alerting rules shipped beside the metrics (prometheus/tcpstate-rules.yml):
 * they name only metrics and labels `tcpstate metrics` really exposes, promtool accepts them
 * (`check rules`), and their unit tests (prometheus/tests/, `promtool test rules`: input series,
 * alerts expected to fire and not to fire) pass, and fail when a rule is broken.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderMetrics } from '../../src/host/metrics.js';
import { many, sock } from './fixtures/sockets.js';
import { CLI, hasCommand, runCli } from './helpers/live.js';

const RULES = 'prometheus/tcpstate-rules.yml';
const TESTS = 'prometheus/tests';
const testFiles = readdirSync(TESTS)
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => join(TESTS, f));
const hasPromtool = hasCommand('promtool');
const NO_PROMTOOL = 'skipped: promtool is not installed (Debian: apt-get install prometheus)';

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules: Rule[] = parse(readFileSync(RULES, 'utf8')).groups.flatMap(
  (g: { rules: Rule[] }) => g.rules,
);

/** One exposition with every kind of series the rules use. */
const exposition = renderMetrics({
  sockets: [
    sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { recvQ: 128, sendQ: 128, pid: 7, process: 'nginx' }),
    ...many(6, (i) =>
      sock('CLOSE_WAIT', '10.0.0.1:80', `10.0.0.2:${40000 + i}`, { pid: 42, process: 'node' }),
    ),
    ...many(3, (i) => sock('TIME_WAIT', `10.0.0.1:${33000 + i}`, '10.0.0.5:5432')),
    ...many(2, (i) => sock('TIME_WAIT', `127.0.0.1:${34000 + i}`, '127.0.0.1:8080')),
    ...many(4, (i) => sock('SYN_RECV', '10.0.0.1:443', `198.51.100.${i + 1}:5000`)),
  ],
  context: {
    ephemeralPorts: { low: 32768, high: 60999 },
    twReuse: 2,
    maxTwBuckets: 262144,
    sockstat: { inuse: 10, orphan: 0, tw: 5, alloc: 10, mem: 1 },
    tcpExt: {
      ListenOverflows: 4,
      ListenDrops: 5,
      SyncookiesSent: 1,
      TCPReqQFullDrop: 0,
      TCPTimeWaitOverflow: 0,
    },
    snmpTcp: { RetransSegs: 9, OutSegs: 100 },
  },
});

/** metric name -> the label names of its samples (union), from the exposition. */
function exposed(text: string): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{(.*)\})? /.exec(line);
    if (!m) continue;
    const set = names.get(m[1]) ?? new Set<string>();
    for (const [, label] of (m[3] ?? '').matchAll(/([a-z_]+)="/g)) set.add(label);
    names.set(m[1], set);
  }
  return names;
}

describe('the alerting rules and the metrics', () => {
  const metrics = exposed(exposition);

  it('cover what doctor finds: CLOSE_WAIT, TIME_WAIT, listen overflows/drops, SYN_RECV', () => {
    const names = rules.map((r) => r.alert);
    for (const wanted of [
      'TcpstateCloseWaitLeak',
      'TcpstateTimeWaitPortsExhausted',
      'TcpstateListenOverflows',
      'TcpstateListenDrops',
      'TcpstateAcceptQueueFull',
      'TcpstateSynRecvPileup',
      'TcpstateSynRecvSurge',
    ]) {
      expect(names).toContain(wanted);
    }
    for (const r of rules) {
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
    }
  });

  it('name only metrics and labels that tcpstate metrics exposes', () => {
    for (const r of rules) {
      const used = [...r.expr.matchAll(/\b(tcpstate_[a-z_]+)(\{([^}]*)\})?/g)];
      expect(used.length, r.alert).toBeGreaterThan(0);
      for (const [, name, , selector] of used) {
        expect(metrics.has(name), `${r.alert} uses ${name}`).toBe(true);
        for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)\s*=/g)) {
          expect(metrics.get(name)?.has(label), `${r.alert}: ${name}{${label}}`).toBe(true);
        }
      }
      // the labels the annotations print exist on the alert's series (or are target labels)
      const all = new Set(['instance', 'job', ...[...metrics.values()].flatMap((s) => [...s])]);
      for (const text of Object.values(r.annotations)) {
        for (const [, label] of text.matchAll(/\$labels\.([a-z_]+)/g)) {
          expect(all.has(label), `${r.alert} prints $labels.${label}`).toBe(true);
        }
      }
    }
  });

  it("the unit tests' input series have the names and labels the metrics really have", () => {
    for (const file of testFiles) {
      const doc = parse(readFileSync(file, 'utf8'));
      for (const t of doc.tests) {
        for (const { series } of t.input_series as { series: string }[]) {
          const m = /^([a-z_]+)\{(.*)\}$/.exec(series);
          expect(m, series).not.toBeNull();
          const [, name, body] = m as RegExpExecArray;
          expect(metrics.has(name), `${file}: ${name}`).toBe(true);
          const labels = [...body.matchAll(/([a-z_]+)="/g)]
            .map(([, l]) => l)
            .filter((l) => l !== 'instance' && l !== 'job');
          expect(new Set(labels), `${file}: ${series}`).toEqual(metrics.get(name));
        }
      }
    }
  });

  it('the metrics carry the series the rules need', () => {
    const lines = exposition.split('\n');
    expect(lines).toContain('tcpstate_close_wait_sockets{pid="42",process="node",uid="1000"} 6');
    expect(lines).toContain('tcpstate_ephemeral_ports 28232');
    expect(lines).toContain(
      'tcpstate_time_wait_outgoing_sockets{local_address="10.0.0.1",remote_address="10.0.0.5",remote_port="5432",tw_reuse="no"} 3',
    );
    // tcp_tw_reuse = 2: reuse towards loopback only
    expect(lines).toContain(
      'tcpstate_time_wait_outgoing_sockets{local_address="127.0.0.1",remote_address="127.0.0.1",remote_port="8080",tw_reuse="yes"} 2',
    );
    expect(lines).toContain('tcpstate_syn_recv_sockets{port="443"} 4');
    expect(lines).toContain('tcpstate_kernel_setting{name="net.ipv4.tcp_max_tw_buckets"} 262144');
    expect(lines).toContain('tcpstate_kernel_syncookies_sent_total 1');
  });
});

describe.skipIf(!hasPromtool)(`promtool (${NO_PROMTOOL.replace('skipped: ', 'else ')})`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tcpstate-promtool-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const promtool = (...args: string[]) =>
    spawnSync('promtool', args, { encoding: 'utf8', timeout: 120_000 });

  it('check rules accepts the rules file', () => {
    const r = promtool('check', 'rules', RULES);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('test rules: every unit test passes (alerts that fire, and that do not)', () => {
    expect(testFiles.length).toBeGreaterThanOrEqual(4);
    const r = promtool('test', 'rules', ...testFiles);
    expect(r.stdout + r.stderr).not.toContain('FAILED');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('test rules fails when a rule is broken (the unit tests can fail)', () => {
    // a leak threshold far above the tests' counts, and a TIME_WAIT alert that ignores tw_reuse
    const broken = readFileSync(RULES, 'utf8')
      .replace('tcpstate_close_wait_sockets >= 5', 'tcpstate_close_wait_sockets >= 500')
      .replaceAll(
        'tcpstate_time_wait_outgoing_sockets{tw_reuse="no"}',
        'tcpstate_time_wait_outgoing_sockets',
      );
    expect(broken).not.toBe(readFileSync(RULES, 'utf8'));
    const dir = join(scratch, 'broken');
    cpSync(TESTS, join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'tcpstate-rules.yml'), broken);
    for (const name of ['close-wait.test.yml', 'time-wait.test.yml']) {
      const r = promtool('test', 'rules', join(dir, 'tests', name));
      expect(r.stdout + r.stderr, name).toContain('FAILED');
      expect(r.status, name).not.toBe(0);
    }
  });

  it('check metrics finds nothing wrong in the exposition', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], {
      input: exposition,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!existsSync(CLI))(`tcpstate metrics --rules (${CLI}; run npm run build)`, () => {
  it('prints the rules file as it is in the repository', () => {
    const r = runCli(['metrics', '--rules']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(RULES, 'utf8'));
  });

  it('--rules with --serve is one line of error, exit 2', () => {
    const r = runCli(['metrics', '--rules', '--serve']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tcpstate: /);
  });
});
