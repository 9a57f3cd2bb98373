/**
 * `npm run bench:tun-loss` (root): the kernel's curl downloads 10 MB from tcpstate's stack over
 * a TUN device, and the same 10 MB from a kernel server (Node's http) over a veth pair, with 5%
 * of TCP packets dropped each way by one nftables rule that covers both paths; median of three
 * rounds each, and the ratio against the target (tcpstate <= 2x the kernel; issue 11).
 * Printed, never asserted. Options: --mb N (default 10), --loss PERCENT (default 5),
 * --rounds N (default 3), --veth-gso (let the veth pair carry 64 KB GSO packets, which the rule
 * then drops whole: the kernel's path sees far fewer loss events than the TUN path, which has
 * no GSO; off by default so that both paths lose the same share of segments).
 *
 * Namespaces (made here with unique names, deleted at the end, on error and on Ctrl-C):
 * K holds curl, the TUN device (tcpstate at 10.91.0.2, the kernel at 10.91.0.1) and one end of
 * a veth pair (10.92.0.1); P holds the other end (10.92.0.2) and the kernel's server
 * (bench/tun-peer.ts serve-http). In K, one rule in chain `loss` of table inet tcpstate_loss,
 * jumped to from the input and output hooks, drops packets at random: every packet between
 * curl and either server passes it once, in whichever direction. Nothing leaves the two
 * namespaces. This script re-runs itself inside K with --inside.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deleteNamespaces, makeVethNamespaces, runInside } from './netns.js';

const PEER = resolve(import.meta.dirname, 'tun-peer.ts');
const NS_K = process.env.TS_LOSS_NS_K ?? `ts-lossk-${process.pid}`;
const NS_P = process.env.TS_LOSS_NS_P ?? `ts-lossp-${process.pid}`;
const OURS = { address: '10.91.0.2', kernel: '10.91.0.1/24', port: 8080 };
const KERNEL = { address: '10.92.0.2', port: 8081 };
const TABLE = 'tcpstate_loss';
const TARGET = 2;
/** A round that takes longer is cut (the issue measured up to 75 s for one). */
const ROUND_LIMIT_S = 600;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`tcpstate: bench:tun-loss: ${name} must be a positive number`);
    process.exit(2);
  }
  return v;
}

const BYTES = Math.round(option('--mb', 10) * 1_000_000);
const LOSS = option('--loss', 5);
const ROUNDS = Math.round(option('--rounds', 3));

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why this machine cannot run the bench, or undefined when it can. */
function missing(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (TUN device, network namespaces, nftables)';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  for (const cmd of ['ip', 'nft', 'curl']) if (!have(cmd)) return `needs ${cmd} on PATH`;
  return undefined;
}

interface Round {
  seconds: number;
  bytes: number;
  intact: boolean;
}

/** curl in this namespace (K), asynchronously: our stack runs in this process's event loop. */
function curl(url: string, dir: string, expectSha: string): Promise<Round> {
  const file = join(dir, 'body');
  return new Promise((res, rej) => {
    const child = spawn(
      'curl',
      [
        '-s',
        '-o',
        file,
        '-w',
        '%{time_total} %{size_download} %{http_code}',
        '--max-time',
        String(ROUND_LIMIT_S),
        url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('error', rej);
    child.on('exit', async (code) => {
      const [time, size, status] = out.trim().split(' ');
      if (code !== 0 || status !== '200') {
        rej(new Error(`curl ${url}: exit ${code}, HTTP ${status ?? '?'}`));
        return;
      }
      const { createHash } = await import('node:crypto');
      const got = createHash('sha256').update(readFileSync(file)).digest('hex');
      rmSync(file, { force: true });
      res({ seconds: Number(time), bytes: Number(size), intact: got === expectSha });
    });
  });
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((res, rej) => {
    child.stderr?.on('data', (d: Buffer) => d.toString().includes('listening') && res());
    child.on('exit', (code) => rej(new Error(`kernel server exited ${code}`)));
  });
}

const nft = (script: string) => execFileSync('nft', ['-f', '-'], { input: script });

/** Packets the rule saw (both hooks) and dropped so far, from the table's counters. */
function ruleCounters(): { seen: number; dropped: number } {
  const count = (chain: string) => {
    const text = execFileSync('nft', ['list', 'chain', 'inet', TABLE, chain]).toString();
    return Number(/counter packets (\d+)/.exec(text)?.[1] ?? Number.NaN);
  };
  return { seen: count('in') + count('out'), dropped: count('loss') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function inside(): Promise<void> {
  const { TunHost } = await import('../src/net/tun-host.js');
  const { serveHttp, patternSha256 } = await import('../src/net/demo-apps.js');
  const dir = mkdtempSync(join(tmpdir(), 'tcpstate-tun-loss-'));
  const host = await TunHost.start({
    ifname: 'tsloss0',
    address: OURS.address,
    kernelAddress: OURS.kernel,
    // One segment per packet, as the veth pair: a super-segment would be dropped whole.
    offload: false,
  });
  const server = serveHttp(host.net, OURS.port);
  const kernelServer = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS_P,
      process.execPath,
      '--import',
      'tsx',
      PEER,
      'serve-http',
      String(KERNEL.port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    await listening(kernelServer);
    nft(`table inet ${TABLE} {
  chain loss {
    meta l4proto tcp numgen random mod 100 < ${LOSS} counter drop
  }
  chain in {
    type filter hook input priority 0; policy accept;
    counter jump loss
  }
  chain out {
    type filter hook output priority 0; policy accept;
    counter jump loss
  }
}
`);
    const sha = patternSha256(BYTES);
    const ours: Round[] = [];
    const kernel: Round[] = [];
    console.log(
      `bench:tun-loss: ${BYTES / 1e6} MB by curl (the kernel's TCP) over HTTP, ${LOSS}% of TCP packets dropped each way by one nftables rule on both paths, ${ROUNDS} rounds; veth ${process.argv.includes('--veth-gso') ? 'with GSO (64 KB packets dropped whole)' : 'one segment per packet, as TUN'}`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const before = ruleCounters();
      const o = await curl(`http://${OURS.address}:${OURS.port}/bytes/${BYTES}`, dir, sha);
      const mid = ruleCounters();
      const k = await curl(`http://${KERNEL.address}:${KERNEL.port}/bytes/${BYTES}`, dir, sha);
      const after = ruleCounters();
      ours.push(o);
      kernel.push(k);
      const line = (label: string, r: Round, from: typeof before, to: typeof before) => {
        const seen = to.seen - from.seen;
        const dropped = to.dropped - from.dropped;
        return `${label} ${r.seconds.toFixed(2).padStart(7)} s, ${r.bytes} bytes, ${r.intact ? 'intact' : 'NOT intact'}; the rule dropped ${dropped} of ${seen} packets (${((100 * dropped) / Math.max(1, seen)).toFixed(1)}%)`;
      };
      console.log(`round ${round}:`);
      console.log(`  ${line('tcpstate (TUN):      ', o, before, mid)}`);
      console.log(`  ${line('kernel server (veth):', k, mid, after)}`);
    }
    const mo = median(ours.map((r) => r.seconds));
    const mk = median(kernel.map((r) => r.seconds));
    const ratio = mo / mk;
    console.log(
      `median: tcpstate ${mo.toFixed(2)} s, kernel ${mk.toFixed(2)} s: ${ratio.toFixed(2)}x (target <= ${TARGET}x: ${ratio <= TARGET ? 'met' : 'NOT met'})`,
    );
    const allIntact = [...ours, ...kernel].every((r) => r.intact && r.bytes === BYTES);
    console.log(`every download complete and intact: ${allIntact ? 'yes' : 'NO'}`);
    console.log(`tcpstate's stack: ${JSON.stringify(host.stack.counters)}`);
  } finally {
    spawnSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
    kernelServer.kill();
    server.close();
    host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function outside(): void {
  const why = missing();
  if (why !== undefined) {
    console.log(`bench:tun-loss: skipped: ${why}`);
    return;
  }
  const cleanup = () => deleteNamespaces(NS_K, NS_P);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    // One TCP segment per packet, as on the TUN path: a GSO packet of 64 KB through the rule
    // would be dropped as one packet and take dozens of segments with it.
    makeVethNamespaces(NS_K, NS_P, {
      k: '10.92.0.1/24',
      p: `${KERNEL.address}/24`,
      oneSegmentPerPacket: !process.argv.includes('--veth-gso'),
    });
    const status = runInside(NS_K, import.meta.filename, process.argv.slice(2), {
      TS_LOSS_NS_K: NS_K,
      TS_LOSS_NS_P: NS_P,
    });
    if (status !== 0) process.exitCode = status ?? 1;
  } finally {
    cleanup();
  }
}

if (process.argv.includes('--inside')) {
  inside()
    .then(() => process.exit(0))
    .catch((err: Error) => {
      console.error(`tcpstate: bench:tun-loss: ${err.message}`);
      process.exit(1);
    });
} else {
  outside();
}
