/**
 * `tcpstate top` as a user sees it: in tmux (a terminal of known size: send-keys, capture-pane)
 * inside a namespace this test makes, holding a known set of connections; and piped, where it
 * prints plain frames. Also the pure screen (render/table-top.ts).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostSocket } from '../../src/host/types.js';
import { colors } from '../../src/render/table-style.js';
import { busiestProcesses, countStates, renderTop } from '../../src/render/table-top.js';
import { hasCommand, isLinux, isRoot } from './helpers/live.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const canTmux = isLinux && isRoot && hasCommand('tmux') && hasCommand('ip');
const tag = `${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const NS = `tcpstate-top-${tag}`;
const TMUX = ['-L', `tcpstate-top-${tag}`];
const PORT = 7070;

function socket(state: HostSocket['state'], pid?: number, process?: string): HostSocket {
  return {
    state,
    family: 4,
    local: { address: '127.0.0.1', port: 7070 },
    remote: { address: '127.0.0.1', port: 40000 },
    recvQ: 0,
    sendQ: 0,
    ...(pid !== undefined ? { pid, process: process ?? 'p' } : {}),
  };
}

describe('the top screen', () => {
  const sockets = [
    socket('LISTEN', 10, 'nginx'),
    socket('ESTABLISHED', 10, 'nginx'),
    socket('ESTABLISHED', 11, 'curl'),
    socket('CLOSE_WAIT', 10, 'nginx'),
    socket('TIME_WAIT'),
  ];
  it('counts states in table order and ranks processes by sockets held', () => {
    expect(countStates(sockets)).toEqual([
      ['LISTEN', 1],
      ['ESTABLISHED', 2],
      ['CLOSE_WAIT', 1],
      ['TIME_WAIT', 1],
    ]);
    expect(busiestProcesses(sockets, 5).map((p) => [p.pid, p.total, p.byState.CLOSE_WAIT])).toEqual(
      [
        [10, 3, 1],
        [11, 1, undefined],
      ],
    );
  });

  it('fits the terminal: no line wider than it, never more lines than its height', () => {
    const recent = Array.from({ length: 50 }, (_, i) => ({
      kind: 'transition' as const,
      time: i,
      family: 4 as const,
      connection: {
        local: { address: '127.0.0.1', port: 1000 + i },
        remote: { address: '127.0.0.1', port: 80 },
      },
      from: 'SYN_SENT' as const,
      to: 'ESTABLISHED' as const,
      ms: 1,
    }));
    const lines = renderTop(
      {
        netns: 'this namespace',
        clock: '12:00:00.000',
        sockets,
        recent,
        recentClock: recent.map((e) => `t${e.time}`),
        source: 'tracefs',
      },
      { width: 50, height: 24 },
      colors(false),
    );
    expect(lines).toHaveLength(24);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    // Newest first: the last transition is the first one listed.
    expect(lines.find((l) => /^t\d/.test(l))).toMatch(/^t49 /);
  });
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', [...TMUX, ...args], { encoding: 'utf8' });
}

/**
 * Polls until `probe` gives a value, at most `attempts` times 100 ms apart: a bound in polls,
 * not in wall-clock time, so a loaded machine (where each capture itself is slow) gets the same
 * number of looks; 1500 looks are minutes, far more than top needs on an idle one (< 2 s).
 */
async function poll<T>(probe: () => T | undefined, what: string, attempts = 1500): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen in ${attempts} looks`);
}

/** Generous: the polls above bound the waits; this only stops a run that hangs outright. */
const TMUX_TEST_TIMEOUT = 900_000;

describe.skipIf(!canTmux)(
  `tcpstate top in tmux ${canTmux ? '' : '(skipped: needs Linux, root, tmux and iproute2)'}`,
  () => {
    let holder: ChildProcess | undefined;

    beforeAll(async () => {
      execFileSync('ip', ['netns', 'add', NS]);
      execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
      // A server with 3 connections held open; one more is opened on "more" on stdin.
      const script = `
const net = require('net');
const held = [];
net.createServer((s) => held.push(s)).listen(${PORT}, '127.0.0.1', () => {
  let n = 0;
  const open = () => { held.push(net.connect(${PORT}, '127.0.0.1')); };
  for (; n < 3; n++) open();
  setTimeout(() => console.log('ready'), 200);
  process.stdin.on('data', () => open());
});`;
      holder = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) =>
        createInterface({ input: holder?.stdout as NodeJS.ReadableStream }).once('line', () =>
          resolve(),
        ),
      );
    }, TMUX_TEST_TIMEOUT);
    afterAll(() => {
      spawnSync('tmux', [...TMUX, 'kill-server']);
      holder?.kill('SIGKILL');
      spawnSync('ip', ['netns', 'del', NS]);
    });

    it(
      'draws counts, processes and new transitions in place, and gives the terminal back on q',
      async () => {
        // remain-on-exit keeps the pane after top exits, to see what it left on the screen.
        tmux(
          'new-session',
          '-d',
          '-s',
          'top',
          '-x',
          '110',
          '-y',
          '36',
          `ip netns exec ${NS} ${process.execPath} ${CLI} top --interval 0.2`,
          ';',
          'set-option',
          '-t',
          'top',
          'remain-on-exit',
          'on',
        );
        const capture = () => tmux('capture-pane', '-p', '-t', 'top');
        const first = await poll(() => {
          const screen = capture();
          return /ESTABLISHED\s+6 /.test(screen) ? screen : undefined;
        }, 'top showing 6 ESTABLISHED sockets');
        expect(first).toMatch(/^tcpstate top {2}this namespace {2}\d\d:\d\d:\d\d\.\d{3}/);
        expect(first).toMatch(/LISTEN\s+1 /);
        // This namespace's node holds all 7 sockets.
        expect(first).toMatch(/\s\d+ node\s+7\s+1\s+6\s/);

        holder?.stdin?.write('more\n');
        const later = await poll(() => {
          const screen = capture();
          return /ESTABLISHED\s+8 /.test(screen) && /SYN_SENT -> ESTABLISHED/.test(screen)
            ? screen
            : undefined;
        }, 'top showing the new connection');
        // Refreshed in place: one header, at the top, never scrolled.
        expect(later.match(/tcpstate top/g)).toHaveLength(1);
        expect(later.split('\n').length).toBeLessThanOrEqual(37);
        expect(later).toMatch(/127\.0\.0\.1:7070\s+CLOSED -> SYN_SENT/);

        tmux('send-keys', '-t', 'top', 'q');
        await poll(
          () =>
            tmux('display-message', '-p', '-t', 'top', '#{pane_dead}').trim() === '1'
              ? true
              : undefined,
          'top quitting on q',
        );
        // The exit status, where tmux can tell it: under the test runner its server sometimes
        // cannot reap the pane's status (#{pane_dead_status} stays empty; seen on CI-like runs), so
        // the code is checked when known; `top` piped (below) checks the exit code in any case.
        await new Promise((r) => setTimeout(r, 300));
        const status = tmux('display-message', '-p', '-t', 'top', '#{pane_dead_status}').trim();
        if (status !== '') expect(status).toBe('0');
        // The alternate screen is gone: the terminal shows what it showed before (nothing).
        expect(capture()).not.toMatch(/tcpstate top|STATE/);
      },
      TMUX_TEST_TIMEOUT,
    );
  },
);

describe.skipIf(!isLinux)('tcpstate top piped', () => {
  it('prints plain frames with no escape codes, as many as asked, and exits', () => {
    const r = spawnSync(process.execPath, [CLI, 'top', '-n', '2', '-i', '0.1'], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: undefined },
    });
    expect(r.status).toBe(0);
    expect(r.stdout.includes('\u001b')).toBe(false);
    expect(r.stdout.match(/^tcpstate top /gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^STATE {10}SOCKETS$/m);
  });
});
