/**
 * --netns and SYN_SENT: a namespace made by this test, where a connect() goes to an address
 * behind a veth that never answers, so the socket stays in SYN_SENT, retransmitting.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/host/kernel/snapshot.js';
import type { HostSocket } from '../../src/host/types.js';
import type { SocketJson } from '../../src/host/view.js';
import {
  type Child,
  CLI,
  hasCommand,
  isLinux,
  isRoot,
  pyConnectNowhere,
  runCli,
  ssRows,
  startChild,
  stopChild,
  waitFor,
} from './helpers/live.js';

const canRun = isLinux && isRoot && hasCommand('ip') && hasCommand('python3') && hasCommand('ss');
const NS = `tcpstate-t4-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const LOCAL = '10.213.0.1';
const NOWHERE = '10.213.0.2';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

describe.skipIf(!canRun)(
  '--netns and SYN_SENT (needs root, iproute2, python3: makes a network namespace)',
  () => {
    let child: Child | undefined;
    let localPort = 0;

    beforeAll(async () => {
      ip('netns', 'add', NS);
      ip('-n', NS, 'link', 'set', 'lo', 'up');
      // A veth pair inside the namespace; the SYN goes out of v0 to a made-up MAC and v1 drops
      // it (not its address, not its MAC), so nobody ever answers.
      ip('-n', NS, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
      ip('-n', NS, 'addr', 'add', `${LOCAL}/24`, 'dev', 'v0');
      ip('-n', NS, 'link', 'set', 'v0', 'up');
      ip('-n', NS, 'link', 'set', 'v1', 'up');
      ip('-n', NS, 'neigh', 'add', NOWHERE, 'lladdr', '02:00:00:00:02:13', 'dev', 'v0');
      child = await startChild('ip', [
        'netns',
        'exec',
        NS,
        'python3',
        '-c',
        pyConnectNowhere(NOWHERE, 80),
      ]);
      localPort = Number(child.firstLine);
    });

    afterAll(() => {
      stopChild(child);
      try {
        ip('netns', 'del', NS);
      } catch {
        // already gone
      }
    });

    const synSent = (sockets: HostSocket[]) =>
      sockets.find((s) => s.state === 'SYN_SENT' && s.local.port === localPort);

    for (const source of ['netlink', 'proc'] as const) {
      it(`finds the SYN_SENT socket by namespace name, with its owner (${source})`, async () => {
        const socket = await waitFor(
          async () => synSent((await takeSnapshot({ netns: NS, source })).sockets),
          'SYN_SENT in the namespace',
        );
        expect(socket).toMatchObject({
          local: { address: LOCAL, port: localPort },
          remote: { address: NOWHERE, port: 80 },
          pid: child?.pid,
          process: expect.stringMatching(/^python/),
        });
        expect(socket.timer?.kind).toBe('retransmit');
      });
    }

    it('finds it by pid too, and not in this namespace', async () => {
      const byPid = await takeSnapshot({ netns: String(child?.pid) });
      expect(synSent(byPid.sockets)?.pid).toBe(child?.pid);
      expect(byPid.netns).toBe(`pid ${child?.pid}`);
      expect(synSent((await takeSnapshot()).sockets)).toBeUndefined();
    });

    it('agrees with ss run inside the namespace', async () => {
      const mine = (await takeSnapshot({ netns: NS })).sockets
        .map(
          (s) =>
            `${s.state} ${s.local.address}|${s.local.port} ${s.remote.address}|${s.remote.port}`,
        )
        .sort();
      const theirs = ssRows(NS)
        .map((r) => `${r.state} ${r.local} ${r.remote}`)
        .sort();
      expect(mine).toEqual(theirs);
      expect(mine).toHaveLength(1);
    });

    it('retries show up as the SYN is retransmitted (RFC 6298 backoff)', async () => {
      const socket = await waitFor(
        async () => {
          const s = synSent((await takeSnapshot({ netns: NS })).sockets);
          return s && (s.timer?.retries ?? 0) >= 1 ? s : undefined;
        },
        'a SYN retransmission',
        5_000,
      );
      expect(socket.timer?.retries).toBeGreaterThanOrEqual(1);
    });

    it.skipIf(!existsSync(CLI))('the CLI: ls --json --netns NAME; a wrong name is one line', () => {
      const r = runCli(['ls', '--json', '--netns', NS]);
      expect(r.status).toBe(0);
      const rows = JSON.parse(r.stdout) as SocketJson[];
      expect(rows.map((x) => x.state)).toEqual(['SYN_SENT']);
      expect(rows[0].pid).toBe(child?.pid);
      const bad = runCli(['ls', '--netns', `${NS}-missing`]);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('no network namespace named');
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });
  },
);
