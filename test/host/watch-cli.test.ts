/** `tcpstate watch` user errors and the unprivileged path, through the built CLI. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nobodySkipReason, spawnAsNobody } from '../support/as-nobody.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

function run(args: string[], asNobody = false) {
  const argv = [process.execPath, CLI, 'watch', ...args];
  const r = asNobody
    ? spawnAsNobody(argv, { timeout: 15_000 })
    : spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('watch: bad arguments get one line and exit 2', () => {
  it.each([
    [['--duration', 'soon'], '--duration must be a number above 0'],
    [['--duration', '0'], '--duration must be a number above 0'],
    [['--interval', '-5'], '--interval must be a number above 0'],
    [['-4', '-6'], '-4 and -6 together match nothing'],
    [['--state', 'napping'], 'unknown state "napping"'],
    [['--port', '70000'], '"70000" is not a port number'],
    [['--source', 'bpf'], '--source must be auto, tracefs or poll'],
  ])('%j', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe.skipIf(nobodySkipReason !== undefined)(
  `watch without root${nobodySkipReason ? ` (skipped: ${nobodySkipReason})` : ''}`,
  () => {
    it('refuses --source tracefs in one line', () => {
      const r = run(['--source', 'tracefs'], true);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe('tcpstate: reading kernel transitions from tracefs needs root');
    });

    it('falls back to polling, says why and what it can miss, once', () => {
      const r = run(['--json', '--duration', '0.3'], true);
      expect(r.code).toBe(0);
      const notes = r.stderr.trim().split('\n');
      expect(
        notes.filter((n) => n.includes('needs root; polling /proc/net/tcp instead')),
      ).toHaveLength(1);
      expect(notes.filter((n) => n.includes('can be missed'))).toHaveLength(1);
      const last = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
      expect(last.type).toBe('summary');
    });
  },
);
