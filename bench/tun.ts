/**
 * Throughput of our stack against the Linux kernel over a TUN device, beside the kernel against
 * itself over a veth pair, same byte count, same namespaces, same application code (Node's net
 * on the kernel's side, our net/ on ours). Prints figures, asserts nothing.
 * Run as root: npx tsx bench/tun.ts [MiB]
 *
 * Namespaces (made here, deleted at the end): K holds the TUN device (our stack at 10.91.0.2,
 * the kernel at 10.91.0.1) and one end of a veth pair (10.92.0.1); P holds the other (10.92.0.2).
 * This script re-runs itself inside K with --inside; the kernel's peers are bench/tun-peer.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { deleteNamespaces, makeVethNamespaces, runInside } from './netns.js';
import { type Result, sinkInto, sourceTo } from './tun-io.js';

const MIB = Number(process.argv.find((x) => /^\d+$/.test(x)) ?? 128);
const BYTES = MIB * 1024 * 1024;
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

async function inside(): Promise<void> {
  const { TunHost } = await import('../src/net/tun-host.js');
  const host = await TunHost.start({
    ifname: 'tsbench0',
    address: '10.91.0.2',
    kernelAddress: '10.91.0.1/24',
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
    const cli = peer(NS_K, ['source', '10.91.0.2', '5001', String(BYTES)]);
    await accepted;
    rows.push(['our server <- kernel client (we read)', await done]);
    cli.kill();
  }

  // our server -> kernel client (we write)
  {
    const server = net.createServer((s) => sourceTo(s, BYTES));
    server.listen(5002);
    const cli = peer(NS_K, ['sink', '10.91.0.2', '5002']);
    rows.push(['our server -> kernel client (we write)', await peerResult(cli)]);
    server.close();
  }

  // our client <- kernel server (we read)
  {
    const srv = peer(NS_K, ['serve-source', '5003', String(BYTES)]);
    await listening(srv);
    rows.push([
      'our client <- kernel server (we read)',
      await sinkInto(net.connect(5003, '10.91.0.1')),
    ]);
    srv.kill();
  }

  // our client -> kernel server (we write)
  {
    const srv = peer(NS_K, ['serve-sink', '5004']);
    await listening(srv);
    const s = net.connect(5004, '10.91.0.1');
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
  process.exit(0);
}

if (process.argv.includes('--inside')) {
  await inside();
} else {
  try {
    makeVethNamespaces(NS_K, NS_P, { k: '10.92.0.1/24', p: '10.92.0.2/24' });
    runInside(NS_K, import.meta.filename, [String(MIB)], {
      TS_BENCH_NS_K: NS_K,
      TS_BENCH_NS_P: NS_P,
    });
  } finally {
    deleteNamespaces(NS_K, NS_P);
  }
}
