/**
 * `npm run bench:tun` (root): throughput of our stack against the Linux kernel over a TUN
 * device, beside the kernel against itself over a veth pair, in the same run.
 *
 * 1. curl (the kernel's TCP) downloads --mb MB (default 200) over HTTP from `tcpstate tun
 *    --serve http`'s handler on our stack, and uploads as much to it (PUT, answered with the
 *    body's sha256, which is checked); the same from the same handler on Node's http in the
 *    other namespace over veth (the kernel on both ends, veth with its default offloads). Our
 *    stack runs twice: with the device's offloads (virtio-net header, TSO/GSO: 64 KB
 *    super-segments each way) and without (one MTU per packet). Median of --rounds (default 3)
 *    rounds, each round in a rotated order; the target per direction, with offloads, is a rate
 *    >= 0.7x the kernel's (moonshot 1x), printed `met` / `NOT met`.
 * 2. With --net [--mib N]: Node's net against ours, both ways, both roles (the older table).
 * Prints figures, asserts nothing.
 *
 * Namespaces (made here with unique names, deleted at the end): K holds curl, the TUN devices
 * (our stack at 10.91.0.2 with offloads and 10.93.0.2 without, the kernel at .1 of each) and one
 * end of a veth pair (10.92.0.1); P holds the other (10.92.0.2) and the kernel's servers.
 * This script re-runs itself inside K with --inside; the kernel's peers are bench/tun-peer.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deleteNamespaces, makeVethNamespaces, runInside } from './netns.js';
import { type Result, sinkInto, sourceTo } from './tun-io.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`tcpstate: bench:tun: ${name} must be a positive number`);
    process.exit(2);
  }
  return v;
}

const MIB = option('--mib', 128);
const BYTES = MIB * 1024 * 1024;
const CURL_BYTES = Math.round(option('--mb', 200) * 1e6);
const ROUNDS = Math.round(option('--rounds', 3));
const TARGET = 0.7;
const PEER = resolve(import.meta.dirname, 'tun-peer.ts');
// The re-run inside K has another pid: it learns the names from its parent.
const NS_K = process.env.TS_BENCH_NS_K ?? `ts-benchk-${process.pid}`;
const NS_P = process.env.TS_BENCH_NS_P ?? `ts-benchp-${process.pid}`;

function gbps(r: Result): number {
  return (r.bytes * 8) / (r.ms / 1000) / 1e9;
}

function peer(ns: string, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', PEER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function peerResult(child: ChildProcess): Promise<Result> {
  return new Promise((res, rej) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('exit', (code) => {
      try {
        res(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
      } catch {
        rej(new Error(`peer ${child.spawnargs.join(' ')} exited ${code} without a result: ${out}`));
      }
    });
  });
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((res) =>
    child.stderr?.on('data', (d: Buffer) => d.toString().includes('listening') && res()),
  );
}

interface Transfer {
  seconds: number;
  bytes: number;
  intact: boolean;
}

/** curl in this namespace (K), asynchronously: our stack runs in this process's event loop. */
function curl(args: string[], check: (body: string, bytes: number) => boolean): Promise<Transfer> {
  return new Promise((res, rej) => {
    const child = spawn(
      'curl',
      ['-s', '-w', '\n%{time_total} %{size_download} %{size_upload} %{http_code}', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('error', rej);
    child.on('exit', (code) => {
      const lines = out.trim().split('\n');
      const [time, down, up, status] = (lines.at(-1) ?? '').split(' ');
      if (code !== 0 || status !== '200') {
        rej(new Error(`curl ${args.join(' ')}: exit ${code}, HTTP ${status ?? '?'}`));
        return;
      }
      const bytes = Math.max(Number(down), Number(up));
      res({ seconds: Number(time), bytes, intact: check(lines.slice(0, -1).join('\n'), bytes) });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (bytes: number, seconds: number) => (bytes * 8) / seconds / 1e9;

/** Part 1: curl against our stack (offloads on, off) and against the kernel over veth. */
async function curlRows(): Promise<void> {
  const { TunHost } = await import('../src/net/tun-host.js');
  const { serveHttp, patternChunk } = await import('../src/net/demo-apps.js');
  const dir = mkdtempSync(join(tmpdir(), 'tcpstate-bench-tun-'));
  const upload = join(dir, 'upload');
  // The upload's body: the download's pattern, written once; its sha256 checks every upload.
  const hash = createHash('sha256');
  const fd = openSync(upload, 'w');
  for (let i = 0, done = 0; done < CURL_BYTES; i++, done += 65536) {
    const chunk = patternChunk(i).subarray(0, Math.min(65536, CURL_BYTES - done));
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  const uploadSha = hash.digest('hex');
  const on = await TunHost.start({
    ifname: 'tsbench0',
    address: '10.91.0.2',
    kernelAddress: '10.91.0.1/24',
  });
  const off = await TunHost.start({
    ifname: 'tsbench1',
    address: '10.93.0.2',
    kernelAddress: '10.93.0.1/24',
    offload: false,
  });
  const servers = [serveHttp(on.net, 8080), serveHttp(off.net, 8080)];
  const kernel = peer(NS_P, ['serve-http', '8081']);
  const targets = [
    { label: 'kernel server (veth)', url: 'http://10.92.0.2:8081' },
    {
      label: `tcpstate, offload ${on.device.offload ? 'on' : 'REFUSED'}`,
      url: 'http://10.91.0.2:8080',
    },
    { label: 'tcpstate, offload off', url: 'http://10.93.0.2:8080' },
  ];
  const results = targets.map(() => ({ down: [] as Transfer[], up: [] as Transfer[] }));
  try {
    await listening(kernel);
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `bench:tun: curl, ${CURL_BYTES / 1e6} MB each way, ${ROUNDS} rounds, MTU 1500, Node ${process.version}; load ${load()}`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < targets.length; k++) {
        const t = (k + round) % targets.length;
        const { url } = targets[t];
        results[t].down.push(
          await curl(
            ['-o', '/dev/null', `${url}/bytes/${CURL_BYTES}`],
            (_b, n) => n === CURL_BYTES,
          ),
        );
        results[t].up.push(
          await curl(['-T', upload, `${url}/upload`], (body) => body.includes(uploadSha)),
        );
      }
    }
    const gbps = (xs: Transfer[]) => rate(CURL_BYTES, median(xs.map((x) => x.seconds)));
    const base = { down: gbps(results[0].down), up: gbps(results[0].up) };
    for (const dir of ['down', 'up'] as const) {
      console.log(dir === 'down' ? 'download (curl <- server):' : 'upload (curl -> server, PUT):');
      for (let t = 0; t < targets.length; t++) {
        const xs = results[t][dir];
        const g = gbps(xs);
        const ratio = g / base[dir];
        const verdict =
          t === 0
            ? ''
            : t === 1
              ? `  target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'}${ratio >= 1 ? ' (moonshot met)' : ''}`
              : '';
        const intact = xs.every((x) => x.intact) ? 'intact' : 'NOT intact';
        console.log(
          `  ${targets[t].label.padEnd(24)} ${g.toFixed(3).padStart(6)} Gbit/s  median ${median(xs.map((x) => x.seconds)).toFixed(3)} s of ${xs.map((x) => x.seconds.toFixed(2)).join(', ')}  ratio ${ratio.toFixed(2)}x  ${intact}${verdict}`,
        );
      }
    }
    const c = on.device.counters;
    console.log(
      `offload device: ${c.packetsIn} packets in (${c.gsoIn} super-segments), ${c.packetsOut} out (${c.gsoOut} super-segments); load ${load()}`,
    );
  } finally {
    kernel.kill();
    for (const s of servers) s.close();
    on.stop();
    off.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Part 2 (--net): Node's net against our net/, both directions and roles. */
async function netRows(): Promise<void> {
  const { TunHost } = await import('../src/net/tun-host.js');
  const host = await TunHost.start({
    ifname: 'tsbench2',
    address: '10.94.0.2',
    kernelAddress: '10.94.0.1/24',
  });
  const net = host.net;
  const rows: Array<[string, Result]> = [];

  // kernel <-> kernel over veth, both directions
  {
    const srv = peer(NS_P, ['serve-sink', '6001']);
    await listening(srv);
    const cli = peer(NS_K, ['source', '10.92.0.2', '6001', String(BYTES)]);
    rows.push(['kernel -> kernel (veth), Node net', await peerResult(srv)]);
    await peerResult(cli).catch(() => undefined);
  }

  // The kernel's own ceiling on this machine: python with 1 MiB reads and writes (far fewer
  // system calls per byte than Node's 64 KiB 'data' events).
  {
    const py = (role: string) => `
import socket, sys, time, json
if '${role}' == 'sink':
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', 6002)); s.listen(); sys.stderr.write('listening\\n'); sys.stderr.flush()
    c, _ = s.accept(); n = 0; first = None
    while True:
        b = c.recv(1 << 20)
        if not b: break
        if first is None: first = time.perf_counter()
        n += len(b)
    print(json.dumps({'bytes': n, 'ms': (time.perf_counter() - first) * 1000}))
else:
    c = socket.create_connection(('10.92.0.2', 6002)); buf = b'x' * (1 << 20)
    for i in range(${MIB}): c.sendall(buf)
    c.close()
`;
    const spawnPy = (ns: string, role: string) =>
      spawn('ip', ['netns', 'exec', ns, 'python3', '-c', py(role)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const srv = spawnPy(NS_P, 'sink');
    await listening(srv);
    spawnPy(NS_K, 'source');
    rows.push(['kernel -> kernel (veth), python 1 MiB I/O', await peerResult(srv)]);
  }

  // our server <- kernel client (we read)
  {
    let done: Promise<Result> = new Promise(() => {});
    const accepted = new Promise<void>((res) => {
      const server = net.createServer((s) => {
        done = sinkInto(s);
        done.then(() => server.close());
        res();
      });
      server.listen(5001);
    });
    const cli = peer(NS_K, ['source', '10.94.0.2', '5001', String(BYTES)]);
    await accepted;
    rows.push(['our server <- kernel client (we read)', await done]);
    cli.kill();
  }

  // our server -> kernel client (we write)
  {
    const server = net.createServer((s) => sourceTo(s, BYTES));
    server.listen(5002);
    const cli = peer(NS_K, ['sink', '10.94.0.2', '5002']);
    rows.push(['our server -> kernel client (we write)', await peerResult(cli)]);
    server.close();
  }

  // our client <- kernel server (we read)
  {
    const srv = peer(NS_K, ['serve-source', '5003', String(BYTES)]);
    await listening(srv);
    rows.push([
      'our client <- kernel server (we read)',
      await sinkInto(net.connect(5003, '10.94.0.1')),
    ]);
    srv.kill();
  }

  // our client -> kernel server (we write)
  {
    const srv = peer(NS_K, ['serve-sink', '5004']);
    await listening(srv);
    const s = net.connect(5004, '10.94.0.1');
    s.on('connect', () => sourceTo(s, BYTES));
    rows.push(['our client -> kernel server (we write)', await peerResult(srv)]);
  }

  // Ratios are to the kernel with the same application code (Node's net on both ends).
  const base = gbps(rows[0][1]);
  console.log(`${MIB} MiB per run, MTU 1500, Node ${process.version}, 2 shared cores`);
  for (const [label, r] of rows) {
    const ok = r.bytes === BYTES ? '' : ` (got ${r.bytes} of ${BYTES} bytes!)`;
    console.log(
      `${label.padEnd(42)} ${gbps(r).toFixed(3).padStart(7)} Gbit/s  ${(r.ms / 1000).toFixed(2).padStart(6)} s  ratio to kernel<->kernel ${(gbps(r) / base).toFixed(3)}${ok}`,
    );
  }
  console.log(
    `device: ${JSON.stringify(host.device.counters)}; ignored: ${JSON.stringify(host.filtered)}`,
  );
  host.stop();
}

if (process.argv.includes('--inside')) {
  try {
    await curlRows();
    if (process.argv.includes('--net')) await netRows();
    process.exit(0);
  } catch (err) {
    console.error(`tcpstate: bench:tun: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
} else if (process.getuid?.() !== 0) {
  console.log('bench:tun: skipped: needs root (TUN devices, network namespaces)');
} else {
  const cleanup = () => deleteNamespaces(NS_K, NS_P);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    makeVethNamespaces(NS_K, NS_P, { k: '10.92.0.1/24', p: '10.92.0.2/24' });
    const status = runInside(NS_K, import.meta.filename, process.argv.slice(2), {
      TS_BENCH_NS_K: NS_K,
      TS_BENCH_NS_P: NS_P,
    });
    if (status !== 0) process.exitCode = status ?? 1;
  } finally {
    cleanup();
  }
}
