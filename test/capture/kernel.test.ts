/**
 * The differential test against the kernel (as root): a client and a server namespace made by
 * the test, joined through a third that bridges them in user space (kernel/bridge.py, which can
 * hold one direction's segments in flight); Linux sockets go through known stories (each on
 * its own port) while tcpdump records on the client's veth (Ethernet) and on `any` (SLL2), and
 * dumpcap writes pcapng. Each endpoint's inferred sequence of states must equal the kernel's own transitions
 * for that socket, read from tracefs (sock/inet_sock_set_state) at the same time.
 *
 * Two kernel habits are mapped (see kernelSequence): a socket entering TIME_WAIT is handed to
 * a timewait sock and the full socket reports CLOSE (`FIN_WAIT2 -> CLOSE`), so in the stories
 * without a reset, the kernel's `X -> CLOSED` from FIN_WAIT1, FIN_WAIT2 or CLOSING is
 * TIME_WAIT; and a close() in CLOSING is traced as `CLOSING -> CLOSING`, which changes nothing.
 *
 * The simultaneous close: this kernel has no netem (nor the plug qdisc or nft's queue), so the
 * FINs are made to cross by holding them. The bridge holds the server's segments; the server
 * shuts down its sending side (its FIN is held: FIN_WAIT1); then the client does, and its FIN
 * reaches the server (FIN_WAIT1 -> CLOSING; its ACK is held too); the bridge lets go, and the
 * client gets the server's FIN before the ACK of its own (FIN_WAIT1 -> CLOSING), then both
 * ACKs (CLOSING -> TIME_WAIT on both). That connection's addresses have routes with an RTO of
 * at least 3 s, so that no FIN is retransmitted while held, whatever the machine's load.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCapture, type CaptureResult } from '../../src/capture/index.js';
import { KernelTrace, type KernelTransition, whyNoTracefs } from '../interop/kernel-trace.js';
import { exited, missingTools, Netns, waitForOutput, whyNoNetns } from '../interop/netns.js';

const skip = whyNoNetns() ?? whyNoTracefs() ?? missingTools('tcpdump', 'nft', 'python3', 'ethtool');
const STORIES = resolve(import.meta.dirname, 'kernel/stories.py');
const BRIDGE = resolve(import.meta.dirname, 'kernel/bridge.py');
const NET = `10.213.${(process.pid % 250) + 1}`;
const CLIENT = `${NET}.1`;
const SERVER = `${NET}.2`;
/** The simultaneous close's own addresses, with the long-RTO routes. */
const SERVER_SLOW = `${NET}.3`;
const CLIENT_SLOW = `${NET}.4`;

interface Story {
  name: string;
  port: number;
  server?: string;
  client: string;
  reset?: boolean;
  dropFin?: boolean;
  dropLastAck?: boolean;
  /** Both sides close at once, their FINs held in flight until both are sent. */
  simultaneous?: boolean;
  finding?: string;
}

const STORY_LIST: Story[] = [
  {
    name: 'the client closes first',
    port: 5001,
    server: 'read-close',
    client: 'send-close',
    finding: 'a:closed-first',
  },
  {
    name: 'the server closes first',
    port: 5002,
    server: 'send-close',
    client: 'read-close',
    finding: 'b:closed-first',
  },
  {
    name: 'the client resets',
    port: 5003,
    server: 'read-close',
    client: 'send-rst',
    reset: true,
    finding: 'a:reset',
  },
  {
    name: 'the server resets',
    port: 5004,
    server: 'read-rst',
    client: 'send-read',
    reset: true,
    finding: 'b:reset',
  },
  { name: 'a refused connect', port: 5005, client: 'refused', reset: true, finding: 'b:refused' },
  {
    name: 'a lost FIN (nftables drops the first)',
    port: 5006,
    server: 'read-close',
    client: 'send-close',
    dropFin: true,
    finding: 'a:retransmissions',
  },
  {
    name: 'a lost last ACK (nftables drops it)',
    port: 5009,
    server: 'read-pause-close',
    client: 'send-close',
    dropLastAck: true,
    finding: '-:lost-ack',
  },
  {
    name: 'a half-close with data after it',
    port: 5007,
    server: 'half-close',
    client: 'half-close',
    finding: 'a:closed-first',
  },
  {
    // The client stays to read the server's late FIN: an orphaned FIN_WAIT2 socket would be
    // handed to a timewait sock at once, and its kernel line would not be TIME_WAIT.
    name: 'a CLOSE_WAIT that lingers',
    port: 5008,
    server: 'read-linger-close',
    client: 'half-close',
    finding: 'b:close-wait',
  },
  {
    name: 'a simultaneous close (both FINs in flight at once)',
    port: 5010,
    server: 'sim-close',
    client: 'sim-close',
    simultaneous: true,
    finding: '-:simultaneous-close',
  },
];

const serverOf = (s: Story) => (s.simultaneous ? SERVER_SLOW : SERVER);

/** An nftables rule in the namespace's input hook that drops what `match` matches. */
function drop(ns: Netns, match: string): void {
  const nft = ns.run('nft', ['-f', '-'], {
    input: `table inet tsdrop {\n chain input_drop {\n  type filter hook input priority 0;\n  ${match} drop\n }\n}\n`,
  });
  if (nft.status !== 0) throw new Error(`nft: ${nft.stderr}`);
}

/** Waits for a story's process, killing it after 20 s so that a stuck story cannot hang the run. */
async function finished(child: ChildProcess): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await exited(child);
  } finally {
    clearTimeout(timer);
  }
}

const captures: Record<string, CaptureResult> = {};
let kernel: KernelTransition[] = [];
let dir = '';

async function recordStories(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'tcpstate-pcap-kernel-'));
  const cl = new Netns('pcapc');
  const sv = new Netns('pcaps');
  const mid = new Netns('pcapm');
  try {
    for (const [ns, dev, peer] of [
      [cl, 'vc', 'm1'],
      [sv, 'vs', 'm2'],
    ] as const) {
      spawnSync('ip', [
        'link',
        'add',
        dev,
        'netns',
        ns.name,
        'type',
        'veth',
        'peer',
        'name',
        peer,
        'netns',
        mid.name,
      ]);
      ns.run('ip', ['link', 'set', dev, 'up']);
      mid.run('ip', ['link', 'set', peer, 'up']);
    }
    // The bridge's namespace is a wire: no addresses, nothing of its own sent.
    mid.run('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    cl.run('ip', ['addr', 'add', `${CLIENT}/24`, 'dev', 'vc']);
    cl.run('ip', ['addr', 'add', `${CLIENT_SLOW}/24`, 'dev', 'vc']);
    sv.run('ip', ['addr', 'add', `${SERVER}/24`, 'dev', 'vs']);
    sv.run('ip', ['addr', 'add', `${SERVER_SLOW}/24`, 'dev', 'vs']);
    for (const [ns, dev, to] of [
      [cl, 'vc', SERVER_SLOW],
      [sv, 'vs', CLIENT_SLOW],
    ] as const) {
      const r = ns.run('ip', ['route', 'add', `${to}/32`, 'dev', dev, 'rto_min', '3s']);
      if (r.status !== 0) throw new Error(`ip route ... rto_min: ${r.stderr}`);
    }
    const bridge = mid.spawn('python3', [BRIDGE, 'm1', 'm2']);
    await waitForOutput(bridge, 'bridging');
    // Offloads off: the capture shows the segments as TCP sent them, not merged.
    for (const [ns, dev] of [
      [cl, 'vc'],
      [sv, 'vs'],
    ] as const) {
      const r = ns.run('ethtool', ['-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off']);
      if (r.status !== 0) throw new Error(`ethtool -K ${dev} (offloads off): ${r.stderr}`);
    }
    const recorders = [
      cl.spawn('tcpdump', ['-i', 'vc', '-U', '-n', '-w', join(dir, 'veth.pcap'), 'tcp']),
      cl.spawn('tcpdump', [
        '-i',
        'any',
        '-U',
        '-n',
        '--time-stamp-precision',
        'nano',
        '-w',
        join(dir, 'any.pcap'),
        'tcp',
      ]),
    ];
    const hasDumpcap = spawnSync('sh', ['-c', 'command -v dumpcap']).status === 0;
    if (hasDumpcap)
      recorders.push(
        cl.spawn('dumpcap', ['-i', 'vc', '-f', 'tcp', '-w', join(dir, 'veth.pcapng')]),
      );
    await Promise.all(
      recorders.map((r) =>
        waitForOutput(
          r,
          r.spawnfile === 'ip' && hasDumpcap && r === recorders[2] ? 'File:' : 'listening on',
        ),
      ),
    );
    const trace = KernelTrace.start('pcap');
    try {
      for (const s of STORY_LIST) {
        if (s.dropFin) {
          drop(sv, `tcp dport ${s.port} tcp flags & fin == fin`);
        }
        const server = s.server
          ? sv.spawn('python3', [STORIES, 'server', serverOf(s), String(s.port), s.server])
          : undefined;
        if (server) await waitForOutput(server, 'listening');
        const client = cl.spawn('python3', [
          STORIES,
          'client',
          serverOf(s),
          String(s.port),
          s.client,
          ...(s.simultaneous ? [CLIENT_SLOW] : []),
        ]);
        if (s.simultaneous && server) {
          await Promise.all([waitForOutput(server, 'ready'), waitForOutput(client, 'ready')]);
          // The server's ACK of the client's data is through before anything is held.
          await new Promise((r) => setTimeout(r, 100));
          bridge.stdin?.write(`hold ${s.port}\n`);
          await waitForOutput(bridge, 'holding');
          server.stdin?.write('close\n');
          await waitForOutput(server, 'closed');
          await new Promise((r) => setTimeout(r, 100));
          client.stdin?.write('close\n');
          await waitForOutput(client, 'closed');
          await new Promise((r) => setTimeout(r, 100));
          bridge.stdin?.write('release\n');
          await waitForOutput(bridge, 'released');
        }
        if (s.dropLastAck && server) {
          // Between the client's FIN and the server's, only the client's last ACK is a bare ACK.
          await waitForOutput(server, 'eof');
          drop(sv, `tcp dport ${s.port} tcp flags == ack`);
          await waitForOutput(server, 'closed');
          await new Promise((r) => setTimeout(r, 100));
          sv.run('nft', ['delete', 'table', 'inet', 'tsdrop']);
        }
        if (s.dropFin) {
          // The first FIN is dropped; the retransmission (one RTO later, 200 ms or more) is not.
          await waitForOutput(client, 'closed');
          await new Promise((r) => setTimeout(r, 50));
          sv.run('nft', ['delete', 'table', 'inet', 'tsdrop']);
        }
        await finished(client);
        if (server) await finished(server);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      kernel = trace.stop(`${NET}.`);
    }
    for (const r of recorders) r.kill('SIGINT');
    await Promise.all(recorders.map((r) => exited(r)));
    for (const f of ['veth.pcap', 'any.pcap', ...(hasDumpcap ? ['veth.pcapng'] : [])]) {
      captures[f] = analyzeCapture(f, readFileSync(join(dir, f)));
    }
  } finally {
    await cl.delete();
    await sv.delete();
    await mid.delete();
  }
}

function kernelSequence(local: string, remote: string, reset: boolean): string[] {
  // A close() in CLOSING makes the kernel "set" CLOSING again (tcp_close_state's table maps
  // CLOSING to itself, and tcp_set_state traces every call): no change of state, nothing on
  // the wire, so not one of the transitions compared.
  const seq = kernel
    .filter((k) => k.local === local && k.remote === remote && k.from !== k.to)
    .map((k) => {
      const tw =
        !reset && k.to === 'CLOSED' && ['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING'].includes(k.from);
      return `${k.from}>${tw ? 'TIME_WAIT' : k.to}`;
    });
  // connect() enters SYN_SENT before the kernel picks the source port, so that line has port 0
  // and no 4-tuple of its own: the socket's first line from SYN_SENT says it was there.
  if (seq[0]?.startsWith('SYN_SENT>')) seq.unshift('CLOSED>SYN_SENT');
  return seq;
}

describe.skipIf(skip !== undefined)(
  `capture inference against the kernel${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    beforeAll(recordStories, 120_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    for (const file of ['veth.pcap', 'any.pcap', 'veth.pcapng']) {
      for (const s of STORY_LIST) {
        it(`${file}: ${s.name}`, (ctx) => {
          const result = captures[file];
          if (!result) return ctx.skip();
          expect(result.problem).toBeUndefined();
          const conns = result.connections.filter((c) => c.b === `${serverOf(s)}:${s.port}`);
          expect(conns).toHaveLength(1);
          const [c] = conns;
          for (const side of ['a', 'b'] as const) {
            const [local, remote] = side === 'a' ? [c.a, c.b] : [c.b, c.a];
            const inferred = c.events.flatMap((e) =>
              e.type === 'state' && e.side === side ? [`${e.from}>${e.to}`] : [],
            );
            expect(inferred.join(' '), `${side} ${local}`).toBe(
              kernelSequence(local, remote, s.reset ?? false).join(' '),
            );
          }
          if (s.finding) {
            expect(c.summary.findings.map((f) => `${f.side ?? '-'}:${f.code}`)).toContain(
              s.finding,
            );
          }
        });
      }
    }
  },
);
