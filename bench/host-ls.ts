/**
 * `tcpstate ls --json` on a namespace holding 100,000 TCP sockets, against `ss -tanp` and
 * `netstat -tanp` on the same namespace, in the same run. Prints figures; asserts nothing.
 *
 *   npm run build && npx tsx bench/host-ls.ts [connections=50000] [rounds=5]
 *
 * Needs root (it makes a network namespace, deleted at the end), python3 and iproute2.
 * netstat comes from net-tools (skipped with a message when absent).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { takeSnapshot } from '../src/host/kernel/snapshot.js';
import { parseProcNetTcp } from '../src/host/proc-net-tcp.js';

const connections = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 5);
const NS = `tcpstate-bench-${process.pid}`;

/**
 * Each holder opens `n` connections to its own listener over loopback, accepts them, and holds
 * both ends (2n descriptors). Several holders, because the descriptor limit of one process
 * (RLIMIT_NOFILE, often 20,000 or less in containers) cannot always be raised.
 */
const HOLDER = `
import resource, socket, sys, time
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(4096)
s.setblocking(False)
held = []
for i in range(n):
    held.append(socket.create_connection(s.getsockname()))
    if i % 1000 == 999 or i == n - 1:
        while True:
            try:
                held.append(s.accept()[0])
            except BlockingIOError:
                break
print(len(held), flush=True)
time.sleep(36000)
`;
/** Connections per holder: 2 descriptors each, under a 20,000 descriptor limit. */
const PER_HOLDER = 9_000;

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time (ms) of running argv with stdout captured, and the output's size. */
function timeCommand(argv: string[]): { ms: number; bytes: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    bytes = r.stdout.length;
  }
  return { ms: median(times), bytes };
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: it makes a network namespace');
  if (!existsSync('dist/cli/main.js')) throw new Error('run `npm run build` first');
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  execFileSync('ip', [
    'netns',
    'exec',
    NS,
    'sysctl',
    '-qw',
    'net.ipv4.ip_local_port_range=10000 65000',
  ]);
  const started = Date.now();
  const holders: ChildProcess[] = [];
  try {
    let held = 0;
    for (let left = connections; left > 0; left -= PER_HOLDER) {
      const holder = spawn(
        'ip',
        ['netns', 'exec', NS, 'python3', '-c', HOLDER, String(Math.min(left, PER_HOLDER))],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      holders.push(holder);
      held += Number(
        await new Promise<string>((resolve, reject) => {
          holder.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
          holder.once('exit', (code) => reject(new Error(`a socket holder exited with ${code}`)));
        }),
      );
    }
    const seen = (await takeSnapshot({ netns: NS })).sockets.length;
    console.log(
      `netns ${NS}: ${held} connected sockets held by ${holders.length} processes, made in ${Date.now() - started} ms; tcpstate sees ${seen}`,
    );
    console.log(`median wall time of ${rounds} rounds\n`);

    const rows: [string, number, string][] = [];
    // netlink and /proc alternate round by round, so a change in the machine's load hits both.
    for (const owners of [false, true]) {
      const times = { netlink: [] as number[], proc: [] as number[] };
      for (let i = 0; i < rounds; i++) {
        for (const source of ['netlink', 'proc'] as const) {
          const t0 = process.hrtime.bigint();
          await takeSnapshot({ netns: NS, source, owners, kernelInfo: false });
          times[source].push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }
      for (const source of ['netlink', 'proc'] as const) {
        const label = `library takeSnapshot: ${source}${owners ? ' + process owners' : ''}`;
        rows.push([label, median(times[source]), '']);
      }
    }
    // Where /proc's time goes: the kernel formatting text, or our parser.
    const netDir = `/proc/${holders[0].pid}/net`;
    const files = ['tcp', 'tcp6'].map((f) => `${netDir}/${f}`);
    let texts: Buffer[] = [];
    const readMs = await timeAsync(async () => {
      texts = files.map((f) => readFileSync(f));
    });
    rows.push([
      `  of which: read ${netDir}/tcp{,6}`,
      readMs,
      `${texts.reduce((n, t) => n + t.length, 0)} bytes`,
    ]);
    const parseMs = await timeAsync(async () => {
      for (const [i, t] of texts.entries()) parseProcNetTcp(t, i === 0 ? 4 : 6);
    });
    rows.push(['  of which: parseProcNetTcp on those bytes', parseMs, '']);

    const node = process.execPath;
    const cli = ['dist/cli/main.js', 'ls', '--json', '--netns', NS];
    const ours = timeCommand([node, ...cli]);
    rows.push(['tcpstate ls --json (netlink)', ours.ms, `${ours.bytes} bytes out`]);
    const oursProc = timeCommand([node, ...cli, '--source', 'proc']);
    rows.push(['tcpstate ls --json --source proc', oursProc.ms, `${oursProc.bytes} bytes out`]);
    const bare = timeCommand([node, '-e', '0']);
    rows.push(['(node -e 0: Node start-up alone)', bare.ms, '']);
    const ssp = timeCommand(['ss', '-N', NS, '-tanp']);
    rows.push(['ss -tanp', ssp.ms, `${ssp.bytes} bytes out`]);
    const ss = timeCommand(['ss', '-N', NS, '-tan']);
    rows.push(['ss -tan (no processes)', ss.ms, `${ss.bytes} bytes out`]);
    let netstatMs: number | undefined;
    if (have('netstat')) {
      const ns = timeCommand(['ip', 'netns', 'exec', NS, 'netstat', '-tanp']);
      netstatMs = ns.ms;
      rows.push(['netstat -tanp (via ip netns exec)', ns.ms, `${ns.bytes} bytes out`]);
    } else {
      console.log('netstat is not installed (Debian: apt-get install net-tools): skipped');
    }
    for (const [name, ms, extra] of rows) {
      console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(9)} ms  ${extra}`);
    }
    console.log('');
    console.log(`ratio tcpstate ls --json / ss -tanp:      ${(ours.ms / ssp.ms).toFixed(2)}`);
    if (netstatMs !== undefined) {
      console.log(`ratio tcpstate ls --json / netstat -tanp: ${(ours.ms / netstatMs).toFixed(2)}`);
    }
  } finally {
    for (const holder of holders) holder.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  spawnSync('ip', ['netns', 'del', NS]);
  process.exitCode = 1;
});
