/**
 * Real sockets, made by this test on loopback, in known states; tcpstate must report each with
 * the right state, addresses and owner, and agree with `ss` at the same moment.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/host/kernel/snapshot.js';
import type { HostSocket } from '../../src/host/types.js';
import type { SocketJson } from '../../src/host/view.js';
import { socketJson } from '../../src/host/view.js';
import {
  type Child,
  CLI,
  hasCommand,
  isLinux,
  PY_NEVER_ACCEPTS,
  PY_NEVER_CLOSES,
  runCli,
  ssRows,
  startChild,
  stopChild,
  waitFor,
} from './helpers/live.js';

const CLOSE_WAIT_CLIENTS = 6;
const canRun = isLinux && hasCommand('python3') && hasCommand('ss');

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const key = (s: {
  local: { address: string; port: number };
  remote: { address: string; port: number };
}) => `${s.local.address}|${s.local.port} ${s.remote.address}|${s.remote.port}`;

describe.skipIf(!canRun)('live sockets on loopback (needs Linux, python3 and ss)', () => {
  let server: net.Server;
  let serverPort = 0;
  const clients: net.Socket[] = [];
  const accepted: net.Socket[] = [];
  let established: net.Socket;
  let timeWaitPort = 0;
  let neverCloses: Child | undefined;
  let neverAccepts: Child | undefined;
  let neverClosesPort = 0;
  let neverAcceptsPort = 0;
  const finWait2Ports: number[] = [];
  let testPorts: number[] = [];

  const ours = (sockets: HostSocket[]) =>
    sockets.filter((s) => testPorts.includes(s.local.port) || testPorts.includes(s.remote.port));

  beforeAll(async () => {
    server = net.createServer((s) => {
      accepted.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    serverPort = (server.address() as net.AddressInfo).port;

    established = await connect(serverPort);
    clients.push(established);

    // This side closes first and the server answers at once: this side ends in TIME_WAIT.
    const closer = await connect(serverPort);
    timeWaitPort = closer.localPort ?? 0;
    await new Promise<void>((r) => {
      closer.once('close', () => r());
      closer.end();
    });

    neverCloses = await startChild('python3', ['-c', PY_NEVER_CLOSES]);
    neverClosesPort = Number(neverCloses.firstLine);
    for (let i = 0; i < CLOSE_WAIT_CLIENTS; i++) {
      const c = await connect(neverClosesPort);
      clients.push(c);
      finWait2Ports.push(c.localPort ?? 0);
      // Our FIN: the python side goes to CLOSE_WAIT (it never closes), ours to FIN_WAIT2.
      c.end();
    }

    neverAccepts = await startChild('python3', ['-c', PY_NEVER_ACCEPTS]);
    neverAcceptsPort = Number(neverAccepts.firstLine);
    for (let i = 0; i < 3; i++) {
      const c = net.connect({ host: '127.0.0.1', port: neverAcceptsPort });
      c.on('error', () => {});
      clients.push(c);
    }
    testPorts = [serverPort, neverClosesPort, neverAcceptsPort];

    await waitFor(async () => {
      const s = ours((await takeSnapshot()).sockets);
      const closeWait = s.filter((x) => x.state === 'CLOSE_WAIT').length;
      const finWait2 = s.filter((x) => x.state === 'FIN_WAIT2').length;
      const listen = s.find((x) => x.state === 'LISTEN' && x.local.port === neverAcceptsPort);
      return closeWait === CLOSE_WAIT_CLIENTS &&
        finWait2 === CLOSE_WAIT_CLIENTS &&
        listen &&
        listen.recvQ >= listen.sendQ
        ? true
        : undefined;
    }, 'the sockets to settle');
  });

  afterAll(async () => {
    for (const c of [...clients, ...accepted]) c.destroy();
    stopChild(neverCloses);
    stopChild(neverAccepts);
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  for (const source of ['netlink', 'proc'] as const) {
    describe(`read through ${source}`, () => {
      let sockets: HostSocket[];
      beforeAll(async () => {
        const snapshot = await takeSnapshot({ source });
        expect(snapshot.source).toBe(source);
        sockets = ours(snapshot.sockets);
      });
      const find = (pred: (s: HostSocket) => boolean) => sockets.filter(pred);

      it('LISTEN, owned by this process', () => {
        const [listen] = find((s) => s.state === 'LISTEN' && s.local.port === serverPort);
        expect(listen).toMatchObject({
          local: { address: '127.0.0.1', port: serverPort },
          pid: process.pid,
          family: 4,
        });
        expect(listen.remote.port).toBe(0);
      });

      it('ESTABLISHED on both ends, each with its owner', () => {
        const mine = find(
          (s) => s.state === 'ESTABLISHED' && s.local.port === established.localPort,
        );
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({
          remote: { address: '127.0.0.1', port: serverPort },
          pid: process.pid,
        });
        const theirs = find(
          (s) => s.state === 'ESTABLISHED' && s.remote.port === established.localPort,
        );
        expect(theirs).toHaveLength(1);
        expect(theirs[0].pid).toBe(process.pid);
      });

      it('TIME_WAIT on the side that closed first, owned by no process', () => {
        const [tw] = find((s) => s.local.port === timeWaitPort && s.remote.port === serverPort);
        expect(tw.state).toBe('TIME_WAIT');
        expect(tw.pid).toBeUndefined();
        expect(tw.timer?.kind).toBe('time-wait');
        expect(tw.timer?.remainingMs).toBeGreaterThan(0);
        expect(tw.timer?.remainingMs).toBeLessThanOrEqual(60_000);
      });

      it('CLOSE_WAIT owned by the python child; FIN_WAIT2 on our side', () => {
        const closeWait = find((s) => s.state === 'CLOSE_WAIT');
        expect(closeWait).toHaveLength(CLOSE_WAIT_CLIENTS);
        for (const s of closeWait) {
          expect(s.local.port).toBe(neverClosesPort);
          expect(s.pid).toBe(neverCloses?.pid);
          expect(s.process).toMatch(/^python/);
        }
        const finWait2 = find((s) => s.state === 'FIN_WAIT2');
        expect(finWait2.map((s) => s.local.port).sort()).toEqual([...finWait2Ports].sort());
        for (const s of finWait2) expect(s.pid).toBe(process.pid);
      });

      it('a full accept queue: LISTEN with Recv-Q >= backlog (backlog known through netlink only)', () => {
        const [listen] = find((s) => s.state === 'LISTEN' && s.local.port === neverAcceptsPort);
        expect(listen.pid).toBe(neverAccepts?.pid);
        expect(listen.recvQ).toBeGreaterThanOrEqual(1);
        if (source === 'netlink') {
          expect(listen.sendQ).toBe(1);
          expect(listen.backlogUnknown).toBeUndefined();
        } else {
          expect(listen.backlogUnknown).toBe(true);
        }
      });
    });
  }

  it('matches `ss -tanH` taken at the same moment, for this test’s ports', async () => {
    // Sockets of the never-accepting server are still completing handshakes; compare the rest.
    const stable = [serverPort, neverClosesPort];
    const pick = <T extends { local: string; remote: string }>(rows: T[]) =>
      rows.filter((r) =>
        stable.some((p) => r.local.endsWith(`|${p}`) || r.remote.endsWith(`|${p}`)),
      );
    const mine = pick(
      (await takeSnapshot()).sockets.map((s) => ({
        state: s.state,
        local: `${s.local.address}|${s.local.port}`,
        remote: `${s.remote.address}|${s.remote.port}`,
      })),
    );
    const theirs = pick(ssRows());
    const asSet = (rows: { state: string; local: string; remote: string }[]) =>
      rows.map((r) => `${r.state} ${r.local} ${r.remote}`).sort();
    expect(asSet(mine)).toEqual(asSet(theirs));
    expect(mine.length).toBeGreaterThanOrEqual(2 + 2 * CLOSE_WAIT_CLIENTS + 2);
  });

  describe.skipIf(!existsSync(CLI))(`the built CLI (${CLI}; run npm run build)`, () => {
    it('ls --json --port reports the same sockets with the documented fields', async () => {
      const r = runCli(['ls', '--json', '--port', String(neverClosesPort)]);
      expect(r.status).toBe(0);
      const rows = JSON.parse(r.stdout) as SocketJson[];
      expect(Object.keys(rows[0]).sort()).toEqual(
        [
          'inode',
          'local',
          'pid',
          'process',
          'recvQ',
          'remote',
          'sendQ',
          'state',
          'timer',
          'uid',
        ].sort(),
      );
      const closeWait = rows.filter((x) => x.state === 'CLOSE_WAIT');
      expect(closeWait).toHaveLength(CLOSE_WAIT_CLIENTS);
      expect(new Set(closeWait.map((x) => x.pid))).toEqual(new Set([neverCloses?.pid]));
      const expected = ours((await takeSnapshot()).sockets)
        .filter((s) => s.local.port === neverClosesPort || s.remote.port === neverClosesPort)
        .map((s) => `${s.state} ${key(socketJson(s))}`)
        .sort();
      expect(rows.map((x) => `${x.state} ${key(x)}`).sort()).toEqual(expected);
    });

    it('ls --state accepts any spelling and groups; a bad state is one line, exit 2', () => {
      const a = JSON.parse(
        runCli(['ls', '--json', '--state', 'close-wait', '--port', String(neverClosesPort)]).stdout,
      );
      const b = JSON.parse(
        runCli(['ls', '--json', '--state', 'CLOSE_WAIT', '--port', String(neverClosesPort)]).stdout,
      );
      expect(a).toHaveLength(CLOSE_WAIT_CLIENTS);
      expect(b).toEqual(a);
      const bucket = JSON.parse(
        runCli(['ls', '--json', '--state', 'bucket', '--port', String(serverPort)]).stdout,
      );
      expect(bucket.map((x: SocketJson) => x.state)).toContain('TIME_WAIT');
      const bad = runCli(['ls', '--state', 'nonsense']);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain('"nonsense"');
    });

    it('ls table fits 80 columns without colour', () => {
      const r = runCli(['ls', '--explain', '--port', String(neverClosesPort)]);
      expect(r.status).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^STATE\s+RECV-Q\s+SEND-Q\s+LOCAL\s+REMOTE\s+TIMER\s+PROCESS$/);
      expect(r.stdout).toContain('↳ the peer closed; waiting for this application to call close()');
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
      expect(r.stdout).not.toContain('\u001b[');
      expect(r.stdout).toContain(`${neverCloses?.pid}/py`);
    });

    it('doctor finds the CLOSE_WAIT leak and the full queue, names the pids, exits 1', () => {
      const r = runCli(['doctor', '--json']);
      expect(r.status).toBe(1);
      const report = JSON.parse(r.stdout) as {
        healthy: boolean;
        findings: { kind: string; data: Record<string, unknown> }[];
      };
      expect(report.healthy).toBe(false);
      const leak = report.findings.find(
        (f) => f.kind === 'close-wait-leak' && f.data.pid === neverCloses?.pid,
      );
      expect(leak?.data.count).toBe(CLOSE_WAIT_CLIENTS);
      const queue = report.findings.find(
        (f) =>
          f.kind === 'syn-flood-or-backlog' &&
          (f.data.local as { port: number } | undefined)?.port === neverAcceptsPort,
      );
      expect(queue?.data.pid).toBe(neverAccepts?.pid);
      const text = runCli(['doctor']);
      expect(text.status).toBe(1);
      expect(text.stdout).toContain(`pid ${neverCloses?.pid} (python`);
    });

    it('tcpstate with no arguments summarizes, with meanings, listeners and problems', () => {
      const r = runCli([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/CLOSE_WAIT\s+\d+\s+the peer closed/);
      expect(r.stdout).toContain('Listening ports');
      expect(r.stdout).toMatch(
        new RegExp(
          `${neverAcceptsPort}\\s+127\\.0\\.0\\.1\\s+${neverAccepts?.pid}/python\\S*\\s+\\d+ of 1`,
        ),
      );
      expect(r.stdout).toContain('leaks CLOSE_WAIT');
      expect(r.stdout).toContain('tcpstate doctor');
      for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    });

    it('a wide terminal gets the meaning as a column', () => {
      const r = runCli(['ls', '--explain', '--port', String(neverClosesPort)], { COLUMNS: '160' });
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/PROCESS\s+MEANING$/);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(160);
    });

    it('metrics expose per-state counts and the accept queue', () => {
      const r = runCli(['metrics']);
      expect(r.status).toBe(0);
      const closeWait = Number(
        /^tcpstate_sockets\{state="CLOSE_WAIT"\} (\d+)$/m.exec(r.stdout)?.[1],
      );
      expect(closeWait).toBeGreaterThanOrEqual(CLOSE_WAIT_CLIENTS);
      expect(r.stdout).toMatch(
        new RegExp(
          `^tcpstate_listen_backlog\\{address="127.0.0.1",port="${neverAcceptsPort}"\\} 1$`,
          'm',
        ),
      );
      expect(r.stdout).toMatch(/^tcpstate_findings\{kind="close-wait-leak"\} [1-9]/m);
    });
  });
});
