/** The host commands' user interface: colour rules, JSON shapes, languages, errors. */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.js';
import { NOT_LINUX_MESSAGE, takeSnapshot } from '../../src/host/kernel/snapshot.js';
import { nobodySkipReason, spawnAsNobody } from '../support/as-nobody.js';
import { CLI, hasCommand, isLinux, isRoot, runCli } from './helpers/live.js';

const ESC = '\u001b[';

describe('away from Linux', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform');
  afterEach(() => {
    if (platform) Object.defineProperty(process, 'platform', platform);
  });

  it('live inspection says it needs Linux and points to pasted output', async () => {
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    const error = await takeSnapshot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe('ENOTLINUX');
    expect((error as HostError).message).toBe(NOT_LINUX_MESSAGE);
    expect(NOT_LINUX_MESSAGE).toContain('tcpstate explain -');
  });
});

describe.skipIf(!isLinux || !existsSync(CLI))(`host commands through ${CLI}`, () => {
  it('colour only when asked: NO_COLOR and non-TTY are plain, FORCE_COLOR colours, --no-color wins', () => {
    expect(runCli([]).stdout).not.toContain(ESC);
    expect(runCli([], { FORCE_COLOR: '1', NO_COLOR: '' }).stdout).toContain(ESC);
    expect(runCli(['--no-color'], { FORCE_COLOR: '1', NO_COLOR: '' }).stdout).not.toContain(ESC);
    expect(runCli(['ls'], { FORCE_COLOR: '1', NO_COLOR: '' }).stdout).toContain(ESC);
  });

  it('summary --json: counts per state, listeners, findings', () => {
    const r = runCli(['summary', '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      total: expect.any(Number),
      source: expect.stringMatching(/^(netlink|proc)$/),
    });
    const counted = summary.states.reduce((n: number, s: { count: number }) => n + s.count, 0);
    expect(counted).toBe(summary.total);
    expect(Array.isArray(summary.listening)).toBe(true);
    expect(Array.isArray(summary.findings)).toBe(true);
  });

  it('meanings follow --lang or the locale', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as net.AddressInfo).port);
    try {
      const pt = runCli(['ls', '--explain', '--port', port, '--lang', 'pt']);
      expect(pt.stdout).toContain('↳ um servidor esperando clientes se conectarem a esta porta');
      const ptLocale = runCli(['ls', '--explain', '--port', port], { LC_ALL: 'pt_BR.UTF-8' });
      expect(ptLocale.stdout).toContain('↳ um servidor esperando');
      const en = runCli(['ls', '--explain', '--port', port], { LANG: 'C', LC_ALL: '' });
      expect(en.stdout).toContain('↳ a server waiting for clients to connect to this port');
    } finally {
      server.close();
    }
    const bad = runCli(['--lang', 'xx']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tcpstate: unknown language "xx"; use en or pt\n');
  });

  it('ss habits work: ls -tanp and -tln are accepted (ls always shows TCP, all, numeric, processes)', () => {
    const r = runCli(['ls', '-tanp', '--json']);
    expect(r.status).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    const listening = JSON.parse(runCli(['ls', '-tln', '--json']).stdout) as { state: string }[];
    expect(listening.every((s) => s.state === 'LISTEN')).toBe(true);
  });

  it('bad filters are one line and exit 2', () => {
    for (const args of [
      ['ls', '--port', '99999'],
      ['ls', '--pid', 'abc'],
      ['ls', '-4', '-6'],
      ['ls', '--source', 'x'],
    ]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^tcpstate: /);
    }
  });

  it('plain `tcpstate` is the summary; an unknown command says so in one line', () => {
    // Sockets come and go between two runs, so compare the shape, not the numbers.
    const shape = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^\S/.test(l))
        .map((l) => l.replace(/^\d+ TCP sockets?/, 'N TCP sockets'));
    const plain = runCli([]);
    expect(plain.status).toBe(0);
    expect(shape(plain.stdout)).toEqual(shape(runCli(['summary']).stdout));
    expect(shape(plain.stdout)).toContain('Listening ports');
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tcpstate: unknown command "frobnicate"; see tcpstate --help\n');
  });

  it('an unknown --netns is one line and exit 1', () => {
    const r = runCli(['doctor', '--netns', 'no-such-namespace-here']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tcpstate: no network namespace named "no-such-namespace-here"/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(nobodySkipReason !== undefined)(
    `as an unprivileged user: other users’ sockets are said once, not left blank${nobodySkipReason ? ` (skipped: ${nobodySkipReason})` : ''}`,
    async () => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = String((server.address() as net.AddressInfo).port);
      try {
        const r = spawnAsNobody([process.execPath, CLI, 'ls', '--port', port], {
          env: { ...process.env, NO_COLOR: '1', COLUMNS: '80' },
        });
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(
          new RegExp(`LISTEN .*127\\.0\\.0\\.1:${port}\\s+\\*\\s+\\?$`, 'm'),
        );
        const notes = r.stderr.split('\n').filter((l) => l.includes("other users' processes"));
        expect(notes).toEqual([
          "tcpstate: note: 1 socket belongs to other users' processes; run as root to see them",
        ]);
      } finally {
        server.close();
      }
    },
  );

  it.skipIf(!isRoot || !hasCommand('ip'))(
    'an empty namespace: a summary that says so (needs root: makes a netns)',
    () => {
      const ns = `tcpstate-t4-empty-${process.pid}`;
      spawnSync('ip', ['netns', 'add', ns]);
      try {
        const r = runCli(['--netns', ns]);
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^0 TCP sockets in netns tcpstate-t4-empty-\d+$/m);
        expect(r.stdout).toContain('none: no connections, and nothing listening');
        expect(r.stdout).toContain('none: no program here accepts TCP connections');
      } finally {
        spawnSync('ip', ['netns', 'del', ns]);
      }
    },
  );
});
