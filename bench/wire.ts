/**
 * Wire-layer micro-benchmark: parsePacket (both checksums verified) and emitPacket (both
 * computed) for full-sized data segments (1460-byte payload with timestamps, as the stack sends
 * at MSS 1460 minus nothing: 1500-byte packets when the options fit) and for bare ACKs.
 *   npx tsx bench/wire.ts [seconds per case, default 1]
 */
import {
  emitPacket,
  flagsFrom,
  PcapWriter,
  parsePacket,
  readPcap,
  type TcpSegment,
} from '../src/wire/index.js';

const seconds = Number(process.argv[2] ?? 1);
const ip = { src: '10.0.0.1', dst: '10.0.0.2', identification: 0x1234 };

function segment(payloadLength: number): TcpSegment {
  const payload = new Uint8Array(payloadLength);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 131) & 0xff;
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: 0x12345678,
    ack: 0x9abcdef0,
    flags: flagsFrom(payloadLength > 0 ? 'P.' : '.'),
    window: 502,
    urgentPointer: 0,
    options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', value: 1000, echo: 2000 }],
    payload,
  };
}

/**
 * Operations per second of `fn`: the best of three runs of `seconds` / 3 each, since the
 * machine is shared and the best run is the one least disturbed.
 */
function rate(fn: () => void): number {
  for (let i = 0; i < 20_000; i++) fn(); // warm-up for the JIT
  return Math.max(run(fn), run(fn), run(fn));
}

function run(fn: () => void): number {
  let ops = 0;
  const start = performance.now();
  const end = start + (seconds * 1000) / 3;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function report(name: string, perSecond: number, payloadBytes: number, packetBytes: number): void {
  const payloadGbit = (perSecond * payloadBytes * 8) / 1e9;
  const wireGbit = (perSecond * packetBytes * 8) / 1e9;
  console.log(
    `${name.padEnd(34)} ${(perSecond / 1e6).toFixed(3).padStart(7)} Mpkt/s` +
      (payloadBytes > 0
        ? `  ${payloadGbit.toFixed(2).padStart(6)} Gbit/s payload  ${wireGbit.toFixed(2).padStart(6)} Gbit/s packets`
        : ''),
  );
}

let sink = 0;
for (const payloadLength of [1448, 1460, 0]) {
  const seg = segment(payloadLength);
  const packet = emitPacket(ip, seg);
  const label =
    payloadLength > 0
      ? `${payloadLength}-byte payload (${packet.length} B)`
      : `bare ACK (${packet.length} B)`;
  report(
    `parsePacket ${label}`,
    rate(() => {
      const r = parsePacket(packet);
      if (r.ok) sink += r.value.tcp.payload.length;
    }),
    payloadLength,
    packet.length,
  );
  report(
    `emitPacket  ${label}`,
    rate(() => {
      sink += emitPacket(ip, seg).length;
    }),
    payloadLength,
    packet.length,
  );
}

const writer = new PcapWriter();
const big = emitPacket(ip, segment(1448));
for (let i = 0; i < 10_000; i++) writer.addPacket(i / 10, big);
const file = writer.toBytes();
const readsPerSecond = rate(() => {
  const r = readPcap(file);
  if (r.ok) sink += r.value.packets.length;
});
console.log(
  `readPcap 10,000 x ${big.length} B            ${((readsPerSecond * 10_000) / 1e6).toFixed(3).padStart(7)} Mpkt/s`,
);
if (sink === 42) console.log('');
