/**
 * `npm run bench:pcap`: how fast `tcpstate pcap` reads and summarises a big capture, against
 * `tshark -r FILE -q -z conv,tcp` on the same file in the same run (target: at least 5x as
 * fast), with the memory each took. Figures are printed, never asserted.
 *
 * The capture is generated here: Ethernet, IPv4, many short connections (handshake, 20 data
 * segments of 1448 bytes with an ACK every two, FIN exchange), the shape of web traffic.
 * Timed, on the same file:
 * - the library: an Analysis fed 4 MiB chunks, then every connection's summary row (final
 *   states, Zeek code, finding codes: what the summary table shows), in this process;
 * - the command, `tcpstate pcap FILE` printing its summary table to /dev/null (from dist/ when
 *   built, else through tsx), with its peak RSS from /usr/bin/time;
 * - tshark, with its peak RSS.
 * Each figure is wall-clock time, with the CPU time beside it; on a loaded machine the two part.
 * Options: `--mb N` (or N) for the size in MiB (default 1024, the issue's 1 GB), `--no-cli`
 * to skip the command, KEEP=1 to keep the file (its path is printed).
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Analysis } from '../src/capture/index.js';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const mbAt = args.indexOf('--mb');
const sizeArg = mbAt >= 0 ? args[mbAt + 1] : args.find((a) => /^\d/.test(a));
const sizeMiB = Number(sizeArg ?? 1024);
const withCli = !args.includes('--no-cli');
if (!Number.isFinite(sizeMiB) || sizeMiB <= 0) {
  console.error('usage: npm run bench:pcap -- [--mb MiB] [--no-cli]');
  process.exit(2);
}
const ROOT = resolve(import.meta.dirname, '..');

const SYN = 0x02;
const FIN = 0x01;
const ACK = 0x10;
const PSH = 0x08;

/** Writes the capture in 4 MiB slabs; returns the number of connections and packets. */
function generate(path: string, bytes: number): { connections: number; packets: number } {
  const fd = openSync(path, 'w');
  const slab = Buffer.alloc(4 * MiB + 65536);
  let used = 0;
  let written = 0;
  const flush = () => {
    writeSync(fd, slab, 0, used);
    written += used;
    used = 0;
  };
  // Classic pcap header, little-endian, microseconds, Ethernet.
  slab.writeUInt32LE(0xa1b2c3d4, 0);
  slab.writeUInt16LE(2, 4);
  slab.writeUInt16LE(4, 6);
  slab.writeUInt32LE(262144, 16);
  slab.writeUInt32LE(1, 20);
  used = 24;
  let time = 1_700_000_000_000_000; // µs
  let packets = 0;
  let connections = 0;
  const packet = (
    src: number,
    dst: number,
    sport: number,
    dport: number,
    seq: number,
    ack: number,
    flags: number,
    len: number,
  ) => {
    const caplen = 14 + 20 + 20 + len;
    const o = used;
    time += 37;
    slab.writeUInt32LE(Math.floor(time / 1e6), o);
    slab.writeUInt32LE(time % 1e6, o + 4);
    slab.writeUInt32LE(caplen, o + 8);
    slab.writeUInt32LE(caplen, o + 12);
    const e = o + 16;
    slab.fill(0, e, e + 12);
    slab.writeUInt16BE(0x0800, e + 12);
    const ip = e + 14;
    slab.writeUInt8(0x45, ip);
    slab.writeUInt8(0, ip + 1);
    slab.writeUInt16BE(40 + len, ip + 2);
    slab.writeUInt32BE(0x4000, ip + 4);
    slab.writeUInt8(64, ip + 8);
    slab.writeUInt8(6, ip + 9);
    slab.writeUInt16BE(0, ip + 10);
    slab.writeUInt32BE(src >>> 0, ip + 12);
    slab.writeUInt32BE(dst >>> 0, ip + 16);
    const t = ip + 20;
    slab.writeUInt16BE(sport, t);
    slab.writeUInt16BE(dport, t + 2);
    slab.writeUInt32BE(seq >>> 0, t + 4);
    slab.writeUInt32BE(ack >>> 0, t + 8);
    slab.writeUInt8(0x50, t + 12);
    slab.writeUInt8(flags, t + 13);
    slab.writeUInt16BE(65535, t + 14);
    slab.writeUInt32BE(0, t + 16);
    slab.fill(0x61, t + 20, t + 20 + len);
    used = t + 20 + len;
    packets++;
    if (used > 4 * MiB) flush();
  };
  while (written + used < bytes) {
    const n = connections++;
    const client = (10 << 24) | (((n >> 16) & 0xff) << 16) | (((n >> 8) & 0xff) << 8) | 1;
    const server = (192 << 24) | (168 << 16) | 2;
    const sport = 1024 + (n % 60000);
    let cs = (n * 7919) >>> 0;
    let ss = (n * 104729) >>> 0;
    packet(client, server, sport, 443, cs, 0, SYN, 0);
    packet(server, client, 443, sport, ss, cs + 1, SYN | ACK, 0);
    cs++;
    ss++;
    packet(client, server, sport, 443, cs, ss, ACK, 0);
    for (let i = 0; i < 20; i++) {
      packet(server, client, 443, sport, ss, cs, PSH | ACK, 1448);
      ss += 1448;
      if (i % 2 === 1) packet(client, server, sport, 443, cs, ss, ACK, 0);
    }
    packet(client, server, sport, 443, cs, ss, FIN | ACK, 0);
    packet(server, client, 443, sport, ss, cs + 1, FIN | ACK, 0);
    packet(client, server, sport, 443, cs + 1, ss + 1, ACK, 0);
  }
  flush();
  closeSync(fd);
  return { connections, packets };
}

interface Timed {
  ms: number;
  /** CPU time (user + system), which a loaded machine stretches less than the wall clock. */
  cpuMs: number;
  /** Peak resident set size in bytes. */
  peakRss: number;
}

/** The library on the file: read in 4 MiB chunks into one buffer, as the command reads it. */
function readOurs(path: string): Timed & { connections: number; heap: number } {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const analysis = new Analysis(path, { keepSegments: 0 });
  const fd = openSync(path, 'r');
  const buf = new Uint8Array(4 * MiB);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    analysis.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  closeSync(fd);
  const result = analysis.end();
  // What the summary table shows of each connection.
  let rows = 0;
  for (const c of result.rows) {
    if (c.final.a && c.zeek && c.findings) rows++;
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (result.problem) throw new Error(`reading failed: ${result.problem.message}`);
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    connections: rows,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heap: process.memoryUsage().heapUsed,
  };
}

/** Runs a command with stdout to /dev/null under /usr/bin/time: wall time and peak RSS. */
function timed(cmd: string, cmdArgs: string[]): Timed | { skipped: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIMED %e %U %S %M', cmd, ...cmdArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * MiB,
  });
  const err = r.stderr?.toString() ?? '';
  const m = /TIMED ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  if (r.status !== 0 || !m) {
    return { skipped: `${cmd} failed: ${err.trim().split('\n')[0] || `status ${r.status}`}` };
  }
  return {
    ms: Number(m[1]) * 1000,
    cpuMs: (Number(m[2]) + Number(m[3])) * 1000,
    peakRss: Number(m[4]) * 1024,
  };
}

function tshark(path: string): Timed | { skipped: string } {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0)
    return { skipped: 'tshark is not installed' };
  return timed('tshark', ['-r', path, '-q', '-z', 'conv,tcp']);
}

function cli(path: string): Timed | { skipped: string } {
  const built = join(ROOT, 'dist/cli/main.js');
  return existsSync(built)
    ? timed(process.execPath, [built, 'pcap', path])
    : timed(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'pcap', path]);
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time'))
    console.log('note: /usr/bin/time is missing: no command or tshark figures');
  const dir = mkdtempSync(join(tmpdir(), 'tcpstate-bench-pcap-'));
  const path = join(dir, `bench-${sizeMiB}MiB.pcap`);
  try {
    const g0 = performance.now();
    const made = generate(path, sizeMiB * MiB);
    const size = statSync(path).size;
    const rate = (ms: number) => `${(size / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
    console.log(
      `capture: ${mib(size)}, ${made.packets} packets, ${made.connections} connections (generated in ${secs(performance.now() - g0)})`,
    );
    // The figures are noisy on a shared machine: the load beside them says how noisy.
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(', ');
    console.log(`load average (1, 5, 15 min): ${load()}`);
    const rss0 = process.memoryUsage().rss;
    const ours = readOurs(path);
    console.log(
      `tcpstate library: ${secs(ours.ms)} (CPU ${secs(ours.cpuMs)}), ${rate(ours.ms)}, ${(made.packets / (ours.ms / 1000) / 1e6).toFixed(2)} M packets/s, ${ours.connections} connections summarised`,
    );
    console.log(
      `  memory: peak RSS ${mib(ours.peakRss)} (${mib(ours.peakRss - rss0)} over the start), heap after ${mib(ours.heap)}: ${(ours.heap / made.connections).toFixed(0)} heap bytes per connection, nothing per packet`,
    );
    const command = withCli ? cli(path) : { skipped: '--no-cli' };
    if ('skipped' in command) console.log(`tcpstate pcap: skipped (${command.skipped})`);
    else
      console.log(
        `tcpstate pcap FILE (summary table): ${secs(command.ms)} (CPU ${secs(command.cpuMs)}), ${rate(command.ms)}, peak RSS ${mib(command.peakRss)}`,
      );
    const ref = tshark(path);
    if ('skipped' in ref) {
      console.log(`tshark: skipped (${ref.skipped}); no ratio`);
      return;
    }
    console.log(
      `tshark -r FILE -q -z conv,tcp: ${secs(ref.ms)} (CPU ${secs(ref.cpuMs)}), ${rate(ref.ms)}, peak RSS ${mib(ref.peakRss)}`,
    );
    // The target is on the wall clock, as the issue asks; the CPU-time ratio is printed beside
    // it because a loaded machine starves both programs differently (V8's collector threads).
    const verdict = (label: string, t: Timed) => {
      const ratio = ref.ms / t.ms;
      console.log(
        `ratio, ${label}: ${ratio.toFixed(1)}x as fast as tshark (target >= 5x): ${ratio >= 5 ? 'met' : 'NOT met'}; in CPU time ${(ref.cpuMs / t.cpuMs).toFixed(1)}x`,
      );
    };
    console.log(`load average after: ${load()}`);
    verdict('library', ours);
    if (!('skipped' in command)) verdict('tcpstate pcap', command);
  } finally {
    if (process.env.KEEP === '1') console.log(`kept: ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
