/**
 * `tcpstate watch` keeps connections apart and stays in its namespace, against the real kernel:
 * network namespaces made by this test (unique names, removed after), traffic on their own
 * loopback only.
 *
 * 1. Identity: a namespace whose ip_local_port_range holds 4 ports, so the kernel reuses local
 *    ports (and, slab permitting, socket addresses) at once; N sequential connections, half closed
 *    by the client first, half by the server first, to two ports. Watch must report N client and
 *    N server lifetimes, each from its birth to its end, and no time in a state that began in an
 *    earlier connection.
 * 2. Namespace: two namespaces with the same addresses and the same ports (the client binds its
 *    local port too, so the 4-tuples are identical); watch run in one, or pointed at the other
 *    with --netns, shows only that namespace's connections.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracefsUnavailable } from '../../src/host/kernel/tracefs.js';
import { stopWhenQuiet } from '../support/stop-watch.js';
import { hasCommand, isLinux, isRoot } from './helpers/live.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const canRun =
  isLinux && isRoot && hasCommand('ip') && tracefsUnavailable() === undefined && hasCommand('node');
const tag = `${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const REUSE_NS = `tcpstate-reuse-${tag}`;
const NS_A = `tcpstate-a-${tag}`;
const NS_B = `tcpstate-b-${tag}`;
const P1 = 5101;
const P2 = 5102;
const LOW_PORT = 40000;
const HIGH_PORT = 40003;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function makeNetns(name: string): void {
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
}

function removeNetns(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // never made (an earlier step failed)
  }
}

interface Endpoint {
  address: string;
  port: number;
}
interface Transition {
  type: 'transition';
  time: number;
  local: Endpoint;
  remote: Endpoint;
  from: string;
  to: string;
  ms: number | null;
  skaddr: string | null;
  pid: number | null;
}
interface Life {
  local: Endpoint;
  remote: Endpoint;
  states: string[];
  open: boolean;
  joinedMidway: boolean;
  durationMs: number | null;
}
interface Summary {
  type: 'summary';
  connections: Life[];
}

interface Watch {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `[ip netns exec NS] node CLI watch ARGS`, resolved once it says it is watching. */
async function startWatch(netns: string | undefined, args: string[]): Promise<Watch> {
  const command = netns ? 'ip' : process.execPath;
  const argv = netns
    ? ['netns', 'exec', netns, process.execPath, CLI, 'watch', ...args]
    : [CLI, 'watch', ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) =>
    stdout.push(l),
  );
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
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
  return { child, stdout, stderr: () => stderr, exited };
}

/**
 * A node script run inside a namespace: servers on P1 and P2; `count` sequential connections,
 * alternating P1 (the client closes first, with close(2), and the server 300 ms after) and P2
 * (the server closes first), each begun after
 * the one before has closed on both sides. `localPort` pins the client's ports: the i-th
 * connection binds localPort + i.
 */
function trafficScript(count: number, localPort?: number): string {
  return `
const net = require('net');
const closeFirst = new Map([[${P1}, 'client'], [${P2}, 'server']]);
let serverSide = 0;
const servers = [${P1}, ${P2}].map((port) => net.createServer({ allowHalfOpen: true }, (s) => {
  s.resume();
  if (closeFirst.get(port) === 'server') setTimeout(() => s.end(), 20);
  else s.on('end', () => setTimeout(() => s.end(), 300));
  s.on('close', () => { serverSide++; });
}).listen(port, '127.0.0.1'));
let done = 0;
function next() {
  if (done === ${count}) { setTimeout(() => { servers.forEach((s) => s.close()); }, 50); return; }
  const port = done % 2 === 0 ? ${P1} : ${P2};
  const c = net.connect({ port, host: '127.0.0.1'${localPort ? `, localPort: ${localPort} + done` : ''} }, () => {
    c.write('x');
    // close(2), not shutdown: the socket is orphaned in FIN_WAIT2 and handed to a time-wait socket
    if (closeFirst.get(port) === 'client') setTimeout(() => c.destroy(), 20);
  });
  c.resume();
  c.on('error', (e) => { console.error(e.message); process.exit(3); });
  c.on('close', () => {
    done++;
    const wait = () => (serverSide >= done ? setTimeout(next, 30) : setTimeout(wait, 5));
    wait();
  });
}
setTimeout(next, 50);
`;
}

function runTraffic(netns: string, count: number, localPort?: number): void {
  execFileSync(
    'ip',
    ['netns', 'exec', netns, process.execPath, '-e', trafficScript(count, localPort)],
    {
      stdio: 'pipe',
      timeout: 30_000,
    },
  );
}

function parse(lines: string[]): { transitions: Transition[]; summary: Summary | undefined } {
  const objects = lines.map((l) => JSON.parse(l) as Transition | Summary);
  return {
    transitions: objects.filter((o): o is Transition => o.type === 'transition'),
    summary: objects.find((o): o is Summary => o.type === 'summary'),
  };
}

/**
 * A client that closed first with close(2): orphaned in FIN_WAIT2, the kernel hands it to a
 * time-wait socket, where its lifetime ends; /proc shows that socket in FIN_WAIT2, or in
 * TIME_WAIT once the server's FIN came (300 ms later: only a very loaded machine looks so late).
 */
function expectOrphanedClient(states: string[]): void {
  expect(states.slice(0, 4)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2']);
  expect(states.slice(4)).toEqual(states.length === 5 ? ['TIME_WAIT'] : []);
}

const isClient = (e: { remote: Endpoint }) => e.remote.port === P1 || e.remote.port === P2;
const isServerChild = (e: { local: Endpoint; remote: Endpoint }) =>
  (e.local.port === P1 || e.local.port === P2) && e.remote.port !== 0;

describe.skipIf(!canRun)(
  `watch: connection identity and namespaces ${canRun ? '' : '(skipped: needs Linux, root, iproute2 and tracefs)'}`,
  () => {
    beforeAll(() => {
      makeNetns(REUSE_NS);
      ip(
        'netns',
        'exec',
        REUSE_NS,
        'sysctl',
        '-qw',
        `net.ipv4.ip_local_port_range=${LOW_PORT} ${HIGH_PORT}`,
      );
      makeNetns(NS_A);
      makeNetns(NS_B);
    });
    afterAll(() => {
      for (const ns of [REUSE_NS, NS_A, NS_B]) removeNetns(ns);
    });

    it('N connections on reused ports and sockets: N lifetimes, each from its birth to its end', async () => {
      const N = 8;
      const watch = await startWatch(REUSE_NS, [
        '--json',
        '--port',
        String(P1),
        '--port',
        String(P2),
      ]);
      runTraffic(REUSE_NS, N);
      expect(await stopWhenQuiet(watch)).toBe(0);
      const { transitions, summary } = parse(watch.stdout);
      const lives = summary?.connections ?? [];

      const clients = lives.filter(isClient);
      const children = lives.filter(isServerChild);
      // The narrowed range made the kernel reuse ports: otherwise this test proves nothing.
      const ports = clients.map((l) => l.local.port);
      expect(ports.every((p) => p >= LOW_PORT && p <= HIGH_PORT)).toBe(true);
      expect(new Set(ports).size).toBeLessThan(N);

      expect(clients).toHaveLength(N);
      expect(children).toHaveLength(N);
      for (const l of clients) {
        expect(l.open).toBe(false);
        expect(l.joinedMidway).toBe(false);
        if (l.remote.port === P1) {
          expectOrphanedClient(l.states);
        } else {
          expect(l.states).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK']);
        }
      }
      for (const l of children) {
        expect(l.open).toBe(false);
        expect(l.states.slice(0, 2)).toEqual(['SYN_RECV', 'ESTABLISHED']);
        expect(l.states.filter((s) => s === 'SYN_RECV')).toHaveLength(1);
        // P2's server closes first: TIME_WAIT, or FIN_WAIT2 when node closed it before the
        // client's FIN came (then it ends handed to a time-wait socket).
        expect(l.states.at(-1)).toMatch(
          l.local.port === P1 ? /^LAST_ACK$/ : /^(TIME_WAIT|FIN_WAIT2)$/,
        );
      }
      expect(clients.filter((l) => l.remote.port === P1)).toHaveLength(N / 2);

      // The live lines: a connection's first line has no time in a state before it, and no line
      // counts time from before its connection's birth.
      const births = new Map<string, number>();
      const keyOf = (t: Transition) => t.skaddr ?? `${t.local.port}|${t.remote.port}`;
      for (const t of transitions.filter(isClient)) {
        if (t.from === 'CLOSED') {
          expect(t.ms).toBeNull();
          births.set(keyOf(t), t.time);
          continue;
        }
        const born = births.get(keyOf(t));
        expect(born).toBeDefined();
        expect(t.ms).not.toBeNull();
        expect(t.ms ?? 0).toBeLessThanOrEqual(t.time - (born ?? 0));
      }
      expect(transitions.filter((t) => isClient(t) && t.from === 'CLOSED')).toHaveLength(N);
    }, 40_000);

    it('two namespaces with the same addresses and ports: watch shows only its own', async () => {
      // A makes 4 connections, B 8, with the same addresses and the same local ports.
      const inA = await startWatch(NS_A, ['--json', '--port', String(P1)]);
      const towardB = await startWatch(undefined, [
        '--json',
        '--netns',
        NS_B,
        '--port',
        String(P1),
      ]);
      const inHost = await startWatch(undefined, ['--json', '--port', String(P1)]);
      runTraffic(NS_A, 4, 45000);
      runTraffic(NS_B, 8, 45000);
      for (const w of [inA, towardB, inHost]) expect(await stopWhenQuiet(w)).toBe(0);

      const clientsOf = (w: Watch) =>
        (parse(w.stdout).summary?.connections ?? []).filter(
          (l) => l.remote.port === P1 && l.local.port >= 45000 && l.local.port < 45010,
        );
      // Only P1 is watched: half of each namespace's connections.
      expect(clientsOf(inA)).toHaveLength(2);
      expect(clientsOf(towardB)).toHaveLength(4);
      expect(clientsOf(inHost)).toHaveLength(0);
      for (const w of [inA, towardB]) {
        for (const l of clientsOf(w)) {
          expectOrphanedClient(l.states);
        }
      }
      const childrenOf = (w: Watch) =>
        (parse(w.stdout).summary?.connections ?? []).filter(
          (l) => l.local.port === P1 && l.remote.port >= 45000 && l.remote.port < 45010,
        );
      expect(childrenOf(inA)).toHaveLength(2);
      expect(childrenOf(towardB)).toHaveLength(4);
      expect(childrenOf(inHost)).toHaveLength(0);
    }, 40_000);
  },
);
