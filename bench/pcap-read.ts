/**
 * `npm run bench:pcap`: how fast `tcpstate pcap` reads and summarises a big capture, against
 * `tshark -r FILE -q -z conv,tcp` on the same file in the same run (target: at least 5x as
 * fast), with the memory it took. Figures are printed, never asserted.
 *
 * The capture is generated here: Ethernet, IPv4, many short connections (handshake, 20 data
 * segments of 1448 bytes with an ACK every two, FIN exchange), the shape of web traffic.
 * Options: the size in MiB as the first argument (default 64; 1024 for the 1 GB figure), and
 * KEEP=1 to keep the file (its path is printed).
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analysis } from '../src/capture/index.js';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 64);
if (!Number.isFinite(sizeMiB) || sizeMiB <= 0) {
  console.error('usage: npm run bench:pcap -- [MiB]');
  process.exit(2);
}

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

async function readOurs(
  path: string,
): Promise<{ ms: number; connections: number; peakRss: number; heap: number }> {
  const start = performance.now();
  let peakRss = process.memoryUsage().rss;
  const analysis = new Analysis(path, { keepSegments: 0 });
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    analysis.push(chunk as Buffer);
    if (++n % 32 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const result = analysis.end();
  // The summary the CLI's table shows: final states and Zeek's code per connection.
  let established = 0;
  for (const c of result.connections) if (c.summary.zeek.conn_state === 'SF') established++;
  const ms = performance.now() - start;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (result.problem) throw new Error(`reading failed: ${result.problem.message}`);
  return {
    ms,
    connections: result.connections.length + 0 * established,
    peakRss,
    heap: process.memoryUsage().heapUsed,
  };
}

function tshark(path: string): { ms: number } | { skipped: string } {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0)
    return { skipped: 'tshark is not installed' };
  const start = performance.now();
  const r = spawnSync('tshark', ['-r', path, '-q', '-z', 'conv,tcp'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * MiB,
  });
  const ms = performance.now() - start;
  if (r.status !== 0)
    return { skipped: `tshark failed: ${r.stderr.toString().trim().split('\n')[0]}` };
  return { ms };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tcpstate-bench-pcap-'));
  const path = join(dir, `bench-${sizeMiB}MiB.pcap`);
  try {
    const g0 = performance.now();
    const made = generate(path, sizeMiB * MiB);
    const size = statSync(path).size;
    console.log(
      `capture: ${(size / MiB).toFixed(0)} MiB, ${made.packets} packets, ${made.connections} connections (generated in ${((performance.now() - g0) / 1000).toFixed(1)} s)`,
    );
    const rss0 = process.memoryUsage().rss;
    const ours = await readOurs(path);
    const mbs = size / MiB / (ours.ms / 1000);
    console.log(
      `tcpstate: ${(ours.ms / 1000).toFixed(2)} s, ${mbs.toFixed(0)} MiB/s, ${(made.packets / (ours.ms / 1000) / 1e6).toFixed(2)} M packets/s, ${ours.connections} connections`,
    );
    console.log(
      `memory: peak RSS ${(ours.peakRss / MiB).toFixed(0)} MiB (${((ours.peakRss - rss0) / MiB).toFixed(0)} MiB over the start), heap after ${(ours.heap / MiB).toFixed(0)} MiB, for a ${(size / MiB).toFixed(0)} MiB file: ${((ours.peakRss - rss0) / made.connections).toFixed(0)} bytes per connection`,
    );
    const ref = tshark(path);
    if ('skipped' in ref) {
      console.log(`tshark: skipped (${ref.skipped}); no ratio`);
    } else {
      const ratio = ref.ms / ours.ms;
      console.log(
        `tshark -q -z conv,tcp: ${(ref.ms / 1000).toFixed(2)} s, ${(size / MiB / (ref.ms / 1000)).toFixed(0)} MiB/s`,
      );
      console.log(
        `ratio: tcpstate is ${ratio.toFixed(1)}x as fast as tshark (target >= 5x): ${ratio >= 5 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    if (process.env.KEEP === '1') console.log(`kept: ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
