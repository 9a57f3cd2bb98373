/**
 * `tcpstate watch` against the real kernel: the built CLI as a child, a scripted loopback
 * connection on a port of its own, and the transitions the kernel reported for it.
 *
 * What Linux reports (checked on 6.x): the client goes CLOSED -> SYN_SENT (before its port is
 * chosen, so the first event has local port 0) -> ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2, and
 * then FIN_WAIT2 -> CLOSED, not -> TIME_WAIT: tcp_time_wait() replaces the socket with a small
 * time-wait socket and closes the full one, and only the full socket's change is traced. The
 * server's request socket (TCP_NEW_SYN_RECV) is never traced either; the child socket appears as
 * LISTEN -> SYN_RECV (it starts as a copy of the listener) -> ESTABLISHED -> CLOSE_WAIT ->
 * LAST_ACK -> CLOSED. Unless --raw, watch looks such a CLOSED up in /proc/net/tcp, finds the
 * time-wait socket, and reports FIN_WAIT2 -> TIME_WAIT (with `reported: "CLOSED"`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { tracefsUnavailable } from '../../src/host/kernel/tracefs.js';
import { stopWhenQuiet } from '../support/stop-watch.js';
import { hasCommand, isLinux, isRoot } from './helpers/live.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
/** The trace option that prints skaddr (Linux 6.3+). */
const hasFieldsOption = existsSync('/sys/kernel/tracing/options/fields');
const noTrace = !isLinux || !isRoot || tracefsUnavailable() !== undefined;

interface Transition {
  type: 'transition';
  time: number;
  date: string;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  from: string;
  to: string;
  ms: number | null;
  reported: string | null;
  skaddr: string | null;
  pid: number | null;
  process: string | null;
}
/** A socket polling found without having seen it change state. */
interface Seen {
  type: 'seen';
  local: { address: string; port: number };
  remote: { address: string; port: number };
  state: string;
}
interface Summary {
  type: 'summary';
  connections: {
    local: { port: number };
    remote: { port: number };
    states: string[];
    open: boolean;
  }[];
}

/** A port no socket uses right now: the kernel's pick for an ephemeral bind, then released. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface Watch {
  child: ChildProcess;
  stdout: string[];
  exited: Promise<number | null>;
}

/** Starts the CLI and resolves once it says it is watching. */
async function startWatchCli(args: string[]): Promise<Watch> {
  const child = spawn(process.execPath, [CLI, 'watch', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) =>
    stdout.push(l),
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watch did not start: ${stderr}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('close', (code) => reject(new Error(`watch exited with ${code}: ${stderr}`)));
  });
  return { child, stdout, exited };
}

/** Client connects, writes, closes first after `holdMs`; the server closes when it sees EOF. */
async function scriptedConnection(port: number, holdMs: number, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.resume();
      socket.on('end', () => socket.end());
    });
    server.on('error', reject);
    server.listen(port, host, () => {
      const client = net.connect(port, host, () => {
        client.write('hello');
        setTimeout(() => client.end(), holdMs);
      });
      client.resume();
      client.on('error', reject);
      client.on('close', () => setTimeout(() => server.close(() => resolve()), holdMs));
    });
  });
}

function parse(lines: string[]): {
  transitions: Transition[];
  seen: Seen[];
  all: (Transition | Seen)[];
  summary?: Summary;
} {
  const objects = lines.map((l) => JSON.parse(l) as Transition | Seen | Summary);
  const all = objects.filter((o): o is Transition | Seen => o.type !== 'summary');
  return {
    transitions: all.filter((o): o is Transition => o.type === 'transition'),
    seen: all.filter((o): o is Seen => o.type === 'seen'),
    all,
    summary: objects.find((o): o is Summary => o.type === 'summary'),
  };
}

const path = (ts: Transition[]) => ts.map((t) => `${t.from}>${t.to}`);

describe.skipIf(noTrace)(
  `watch via tracefs ${noTrace ? '(skipped: needs Linux, root and tracefs with sock/inet_sock_set_state)' : ''}`,
  () => {
    it('reports both sides of a loopback connection in order, then removes its tracing instance', async () => {
      expect(existsSync(CLI)).toBe(true);
      const port = await freePort();
      const watch = await startWatchCli(['--json', '--port', String(port)]);
      await scriptedConnection(port, 50);
      expect(await stopWhenQuiet(watch)).toBe(0);
      const { transitions, summary } = parse(watch.stdout);

      const client = transitions.filter((t) => t.remote.port === port);
      const server = transitions.filter((t) => t.local.port === port && t.remote.port !== 0);
      const listener = transitions.filter((t) => t.local.port === port && t.remote.port === 0);
      expect(path(client)).toEqual([
        'CLOSED>SYN_SENT',
        'SYN_SENT>ESTABLISHED',
        'ESTABLISHED>FIN_WAIT1',
        'FIN_WAIT1>FIN_WAIT2',
        'FIN_WAIT2>TIME_WAIT',
      ]);
      expect(client.map((t) => t.reported)).toEqual([null, null, null, null, 'CLOSED']);
      expect(client[0].local.port).toBe(0);
      expect(new Set(client.slice(1).map((t) => t.local.port)).size).toBe(1);
      expect(path(server)).toEqual([
        'LISTEN>SYN_RECV',
        'SYN_RECV>ESTABLISHED',
        'ESTABLISHED>CLOSE_WAIT',
        'CLOSE_WAIT>LAST_ACK',
        'LAST_ACK>CLOSED',
      ]);
      expect(path(listener)).toEqual(['CLOSED>LISTEN', 'LISTEN>CLOSED']);
      // The tracepoint reports changes only: nothing is merely `seen`.
      expect(parse(watch.stdout).seen).toEqual([]);
      // Time in epoch ms as in every transition event, with its ISO text beside it.
      for (const t of client) expect(t.date).toBe(new Date(t.time).toISOString());
      // The client held ESTABLISHED for at least the 50 ms it waited before closing.
      expect(client[2].ms).toBeGreaterThanOrEqual(45);
      expect(client[0].ms).toBeNull();
      // This test's own process made the calls that changed the client's states.
      expect(client[0].pid).toBe(process.pid);

      const clientLife = summary?.connections.find((c) => c.remote.port === port);
      expect(clientLife?.states).toEqual([
        'SYN_SENT',
        'ESTABLISHED',
        'FIN_WAIT1',
        'FIN_WAIT2',
        'TIME_WAIT',
      ]);
      expect(clientLife?.open).toBe(false);
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}`)).toBe(false);
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}-sk`)).toBe(
        false,
      );
      if (hasFieldsOption) {
        // One socket, one kernel address, from connect() to close; the server's child is another.
        expect(new Set(client.map((t) => t.skaddr)).size).toBe(1);
        expect(client[0].skaddr).toMatch(/^0x[0-9a-f]+$/);
        expect(new Set(server.map((t) => t.skaddr)).size).toBe(1);
        expect(server[0].skaddr).not.toBe(client[0].skaddr);
      }
    }, 60_000);

    it('with --raw, reports the client entering TIME_WAIT as the kernel does: FIN_WAIT2 -> CLOSED', async () => {
      const port = await freePort();
      const watch = await startWatchCli(['--json', '--raw', '--port', String(port)]);
      await scriptedConnection(port, 10);
      expect(await stopWhenQuiet(watch)).toBe(0);
      const client = parse(watch.stdout).transitions.filter((t) => t.remote.port === port);
      expect(path(client).slice(-2)).toEqual(['FIN_WAIT1>FIN_WAIT2', 'FIN_WAIT2>CLOSED']);
      expect(client.every((t) => t.reported === null)).toBe(true);
    }, 60_000);

    it('cleans up when its reader goes away (watch | head)', async () => {
      const port = await freePort();
      const watch = await startWatchCli(['--port', String(port), '--no-color']);
      // Like `head -1`: read one line, then close the pipe; the next write fails with EPIPE.
      const gotLine = new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (watch.stdout.length > 0) {
            clearInterval(timer);
            resolve();
          }
        }, 10);
      });
      await scriptedConnection(port, 10);
      await gotLine;
      watch.child.stdout?.destroy();
      await scriptedConnection(port, 10);
      const code = await Promise.race([
        watch.exited,
        new Promise<string>((r) => setTimeout(() => r('still running'), 5000)),
      ]);
      if (code === 'still running') watch.child.kill('SIGKILL');
      expect(code).not.toBe('still running');
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}`)).toBe(false);
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}-sk`)).toBe(
        false,
      );
    }, 60_000);

    it.skipIf(!existsSync('/proc/net/tcp6'))(
      'follows an IPv6 connection on ::1 the same way',
      async () => {
        const port = await freePort();
        const watch = await startWatchCli(['--json', '-6', '--port', String(port)]);
        await scriptedConnection(port, 10, '::1');
        expect(await stopWhenQuiet(watch)).toBe(0);
        const { transitions } = parse(watch.stdout);
        const client = transitions.filter((t) => t.remote.port === port);
        expect(path(client)).toEqual([
          'CLOSED>SYN_SENT',
          'SYN_SENT>ESTABLISHED',
          'ESTABLISHED>FIN_WAIT1',
          'FIN_WAIT1>FIN_WAIT2',
          'FIN_WAIT2>TIME_WAIT',
        ]);
        expect(client.every((t) => t.local.address === '::1' && t.remote.address === '::1')).toBe(
          true,
        );
        if (hasFieldsOption) expect(new Set(client.map((t) => t.skaddr)).size).toBe(1);
      },
      60_000,
    );

    it.skipIf(!hasCommand('unshare') || !hasCommand('mountpoint'))(
      'mounts tracefs when it is not mounted, and unmounts it after (in a private mount namespace)',
      async () => {
        const port = await freePort();
        // The connecting process stays a moment after closing: watch tells a connection's
        // namespace by its task's /proc/PID/ns/net, which must still be there when the line is read.
        const connect = `const net=require('net');const s=net.createServer(c=>{c.resume();c.on('end',()=>c.end())}).listen(${port},'127.0.0.1',()=>{const c=net.connect(${port},'127.0.0.1',()=>c.end());c.resume();c.on('close',()=>{s.close();setTimeout(()=>{},500)})})`;
        // Only this namespace loses the mount; the rest of the machine keeps its tracefs.
        const script = [
          // other test files may mount or unmount tracefs at the same time: unmount only if mounted
          'if mountpoint -q /sys/kernel/tracing; then umount /sys/kernel/tracing || exit 90; fi',
          // Connect once watch says it is watching (bounded at 60 s), stop it with Ctrl-C after.
          'log=$(mktemp)',
          `"${process.execPath}" "${CLI}" watch --json --port ${port} 2>"$log" &`,
          'watcher=$!',
          'i=0; until grep -q "stop with Ctrl-C" "$log"; do i=$((i+1)); [ $i -gt 600 ] && exit 92; sleep 0.1; done',
          `"${process.execPath}" -e "${connect}"`,
          'sleep 1; kill -INT $watcher; wait $watcher; rc=$?; rm -f "$log"',
          'mountpoint -q /sys/kernel/tracing && exit 91',
          'exit $rc',
        ].join('\n');
        const r = spawnSync(
          'unshare',
          ['--mount', '--propagation', 'private', 'sh', '-c', script],
          {
            encoding: 'utf8',
            timeout: 90_000,
          },
        );
        expect(r.status).toBe(0);
        const client = parse(r.stdout.trim().split('\n')).transitions.filter(
          (t) => t.remote.port === port,
        );
        expect(path(client).slice(0, 2)).toEqual(['CLOSED>SYN_SENT', 'SYN_SENT>ESTABLISHED']);
      },
      120_000,
    );

    it('stops on SIGINT, prints the summary and removes its instance', async () => {
      const port = await freePort();
      const watch = await startWatchCli(['--port', String(port), '--no-color']);
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}`)).toBe(true);
      await scriptedConnection(port, 10);
      expect(await stopWhenQuiet(watch)).toBe(0);
      const text = watch.stdout.join('\n');
      expect(text).toMatch(/SYN_SENT -> ESTABLISHED/);
      expect(text).toMatch(/FIN_WAIT2 -> TIME_WAIT\*/);
      expect(text).toMatch(/SYN_SENT > ESTABLISHED > FIN_WAIT1 > FIN_WAIT2 > TIME_WAIT\n/);
      expect(text).toMatch(/Connections seen \(3\):/);
      expect(text).toMatch(/SYN_RECV > ESTABLISHED > CLOSE_WAIT > LAST_ACK > CLOSED/);
      expect(existsSync(`/sys/kernel/tracing/instances/tcpstate-${watch.child.pid}`)).toBe(false);
    }, 60_000);
  },
);

describe.skipIf(!isLinux)(
  `watch by polling /proc ${isLinux ? '' : '(skipped: needs Linux /proc/net/tcp)'}`,
  () => {
    it('sees a connection become ESTABLISHED and then move on', async () => {
      const port = await freePort();
      const watch = await startWatchCli([
        '--source',
        'poll',
        '--interval',
        '20',
        '--json',
        '--port',
        String(port),
      ]);
      await scriptedConnection(port, 300);
      expect(await stopWhenQuiet(watch)).toBe(0);
      const { all, seen } = parse(watch.stdout);
      // The listener opened after the watch's first read: a socket seen, not a transition.
      expect(seen.filter((s) => s.local.port === port && s.remote.port === 0)).toEqual([
        expect.objectContaining({ state: 'LISTEN' }),
      ]);
      // A loopback handshake is usually over between two reads: the client is then `seen` ESTABLISHED.
      const client = all.filter((t) => t.remote.port === port);
      const to = (t: Transition | Seen) => (t.type === 'seen' ? t.state : t.to);
      const established = client.findIndex((t) => to(t) === 'ESTABLISHED');
      expect(established).toBeGreaterThanOrEqual(0);
      const later = client.slice(established + 1).map(to);
      expect(later.length).toBeGreaterThan(0);
      expect(['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSED']).toContain(later[0]);
    }, 60_000);
  },
);
