/**
 * Throughput of two tcp/ Connections passing segments to each other directly (no IP, no
 * checksums, no link): the ceiling the stack benchmark can reach. Prints Gbit/s of payload
 * moved per wall-clock second for a few MSS / option settings.
 *
 *   npx tsx bench/tcp-connection.ts [megabytes]
 */
import { Connection } from '../src/tcp/connection.js';
import type { ConnectionConfig } from '../src/tcp/types.js';

const A = { address: '10.0.0.1', port: 40000 };
const B = { address: '10.0.0.2', port: 80 };

function run(total: number, config: Partial<ConnectionConfig>): number {
  let now = 0;
  const a = Connection.connect(now, { local: A, remote: B, iss: 1, config });
  const syn = a.pollTransmit(now);
  if (!syn) throw new Error('no SYN');
  const b = Connection.acceptSyn(now, syn, { local: B, remote: A, iss: 2, config });
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  let got = 0;
  const started = performance.now();
  for (let i = 0; got < total && i < 100_000_000; i++) {
    now += 0.01;
    while (sent < total) {
      const n =
        a.state === 'ESTABLISHED'
          ? a.send(chunk.subarray(0, Math.min(chunk.length, total - sent)))
          : 0;
      if (n === 0) break;
      sent += n;
    }
    for (let s = a.pollTransmit(now); s; s = a.pollTransmit(now)) b.handleSegment(now, s);
    for (let r = b.read(); r.byteLength > 0; r = b.read()) got += r.byteLength;
    for (let s = b.pollTransmit(now); s; s = b.pollTransmit(now)) a.handleSegment(now, s);
    for (const c of [a, b]) {
      while (c.pollEvent());
      const t = c.pollTimeout();
      if (t !== undefined && t <= now) c.handleTimeout(now);
    }
  }
  const secs = (performance.now() - started) / 1000;
  if (got !== total) throw new Error(`only ${got} of ${total} bytes arrived`);
  return (total * 8) / secs / 1e9;
}

const mb = Number(process.argv[2] ?? 200);
const total = mb * 1024 * 1024;
const cases: Array<[string, Partial<ConnectionConfig>]> = [
  ['MSS 1460, defaults (wscale, TS, SACK, delayed ACK)', {}],
  ['MSS 1460, no options', { windowScale: false, timestamps: false, sack: false }],
  ['MSS 9000 (jumbo)', { mss: 8960 }],
  [
    'MSS 65495 (loopback-sized)',
    { mss: 65495, sendBufferSize: 4 << 20, receiveBufferSize: 4 << 20 },
  ],
];
for (const [name, config] of cases) {
  run(8 * 1024 * 1024, config);
  const gbps = run(total, config);
  console.log(`${name.padEnd(52)} ${gbps.toFixed(2)} Gbit/s (${mb} MiB)`);
}

/** Heap per idle ESTABLISHED connection (both ends counted separately), after a handshake and a small exchange. */
function idleBytes(count: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const keep: Connection[] = [];
  for (let i = 0; i < count; i++) {
    const a = Connection.connect(0, { local: A, remote: { ...B, port: 1 + (i % 60000) }, iss: i });
    const syn = a.pollTransmit(0);
    if (!syn) throw new Error('no SYN');
    const b = Connection.acceptSyn(0, syn, { local: B, remote: A, iss: i * 7 });
    for (let t = 1; t < 4; t++) {
      for (let s = b.pollTransmit(t); s; s = b.pollTransmit(t)) a.handleSegment(t, s);
      for (let s = a.pollTransmit(t); s; s = a.pollTransmit(t)) b.handleSegment(t, s);
      if (t === 1) a.send(new Uint8Array(100));
      b.read();
    }
    while (a.pollEvent());
    while (b.pollEvent());
    keep.push(a, b);
  }
  gc?.();
  const per = (process.memoryUsage().heapUsed - before) / keep.length;
  if (keep.some((c) => c.state !== 'ESTABLISHED')) throw new Error('not all established');
  return per;
}
const n = 20_000;
const per = idleBytes(n);
const note = (globalThis as { gc?: () => void }).gc
  ? ''
  : ' (run with node --expose-gc for a steadier figure)';
console.log(
  `idle ESTABLISHED connection: ${(per / 1024).toFixed(2)} KiB each over ${2 * n}${note}`,
);
