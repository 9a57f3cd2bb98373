/**
 * The conventions operators expect of every command: --version/-V, one `tcpstate: ` prefix on
 * every error (commander's own too), --no-color accepted, a LICENSE matching package.json, and
 * piped `ls` output never cut to 80 columns (ss never cuts), while COLUMNS still fits it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, hasCommand, isLinux, isRoot, startChild, stopChild } from './helpers/live.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', COLUMNS: undefined, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI conventions', () => {
  it('prints the package version for --version and -V', () => {
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it('prefixes commander’s own errors with tcpstate:, like every other error', () => {
    const r = run(['ls', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tcpstate: unknown option '--bogus'\n");
  });

  it('accepts --no-color on metrics too', () => {
    expect(run(['metrics', '--no-color']).status).toBe(0);
  });

  it('ships a LICENSE whose license is the one package.json names', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(new URL('LICENSE', root), 'utf8')).toMatch(/^MIT License\n/);
  });
});

const canNetns = isLinux && isRoot && hasCommand('ip') && hasCommand('python3');
const NS = `tcpstate-wide-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const A = '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1';
const B = '2001:db8:aaaa:bbbb:cccc:dddd:eeee:2';

describe.skipIf(!canNetns)(
  `ls piped ${canNetns ? '' : '(skipped: needs root, iproute2, python3)'}`,
  () => {
    let child: Child | undefined;
    beforeAll(async () => {
      execFileSync('ip', ['netns', 'add', NS]);
      execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
      for (const a of [A, B])
        execFileSync('ip', ['-n', NS, 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad']);
      const script = `
import socket, time
s = socket.socket(socket.AF_INET6); s.bind(('${A}', 0)); s.listen(4)
c = socket.socket(socket.AF_INET6); c.bind(('${B}', 0)); c.connect(('${A}', s.getsockname()[1]))
a, _ = s.accept()
print(c.getsockname()[1], flush=True)
time.sleep(3600)`;
      child = await startChild('ip', ['netns', 'exec', NS, 'python3', '-c', script]);
    });
    afterAll(() => {
      stopChild(child);
      spawnSync('ip', ['netns', 'del', NS]);
    });

    it('inside a namespace: the Next hints keep --netns, and doctor is quiet about host-wide files', () => {
      const summary = run(['--netns', NS]);
      expect(summary.status).toBe(0);
      for (const cmd of ['ls', 'doctor', 'watch']) {
        expect(summary.stdout).toMatch(new RegExp(`tcpstate ${cmd} --netns ${NS}`));
      }
      const inside = spawnSync('ip', ['netns', 'exec', NS, process.execPath, CLI, 'doctor'], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(inside.stderr).not.toMatch(/cannot read/);
      expect(run(['doctor', '--netns', NS]).stderr).not.toMatch(/cannot read/);
    });

    it('ls --info gives tcp_info as ss -ti reads it, in the table and in --json', () => {
      const r = run(['ls', '--netns', NS, '--info', '--json', '--state', 'established']);
      expect(r.status).toBe(0);
      const rows = JSON.parse(r.stdout) as {
        local: { port: number };
        remote: { port: number };
        info?: Record<string, number | string | null>;
      }[];
      const client = rows.find((x) => x.local.port === Number(child?.firstLine));
      expect(client?.info).toBeDefined();
      // ss, the reference, on the same socket: fields an idle connection keeps still.
      const ss = execFileSync(
        'ip',
        ['netns', 'exec', NS, 'ss', '-tinH', 'sport', '=', `:${child?.firstLine}`],
        {
          encoding: 'utf8',
        },
      );
      const field = (name: string) => new RegExp(`\\b${name}:(\\d+)`).exec(ss)?.[1];
      expect(client?.info?.cwnd).toBe(Number(field('cwnd')));
      expect(client?.info?.bytesAcked).toBe(Number(field('bytes_acked') ?? 0));
      expect(client?.info?.pmtu).toBe(Number(field('pmtu')));
      expect(ss).toContain(String(client?.info?.congestion));
      const table = run(['ls', '--netns', NS, '-i', '--state', 'established']);
      expect(table.stdout.split('\n')[0]).toMatch(/RTT\/VAR ms +CWND +SSTHRESH +RETRANS .* CC$/);
    });

    it('never cuts rows to 80 columns when piped; COLUMNS still fits them', () => {
      const wide = run(['ls', '--netns', NS]);
      expect(wide.status).toBe(0);
      const row = wide.stdout.split('\n').find((l) => l.includes(`[${B}]:${child?.firstLine}`));
      expect(row).toBeDefined();
      expect(row).toContain(`[${A}]:`);
      expect((row ?? '').length).toBeGreaterThan(80);
      const narrow = run(['ls', '--netns', NS], { COLUMNS: '80' });
      expect(Math.max(...narrow.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    });
  },
);
