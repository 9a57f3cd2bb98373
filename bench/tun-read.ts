/**
 * How to read a TUN device without blocking the event loop: measures packets/s delivered to
 * JavaScript by (a) the device's way, a non-blocking fd drained on the main thread with poll(2)
 * on koffi's worker between bursts, and (b) fs.read() on the fd through libuv's thread pool
 * (what fs.createReadStream does). The kernel floods the device with UDP datagrams from a
 * namespace this script makes and deletes. Run as root: npx tsx bench/tun-read.ts
 * Re-executes itself inside the namespace with --inside.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, read as fsRead, openSync } from 'node:fs';
import { TunDevice } from '../src/link/tun/device.js';
import { configureKernelSide } from '../src/link/tun/kernel-side.js';
import { loadLibc } from '../src/link/tun/libc.js';

const COUNT = 200_000;
const SIZE = 1400;
const FLOOD = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = b'x' * ${SIZE}
for i in range(${COUNT}):
    s.sendto(b, ('10.79.0.2', 9))
`;

async function measure(label: string, start: (onPacket: (n: number) => void) => () => void) {
  let packets = 0;
  let first = 0;
  let last = 0;
  const stop = start((n) => {
    if (packets === 0) first = performance.now();
    packets += n;
    last = performance.now();
  });
  const flood = spawn('python3', ['-c', FLOOD], { stdio: 'inherit' });
  await new Promise((r) => flood.on('exit', r));
  await new Promise((r) => setTimeout(r, 300));
  stop();
  const secs = (last - first) / 1000;
  const pps = packets / secs;
  console.log(
    `${label.padEnd(44)} ${packets} of ${COUNT} packets read, ${(pps / 1000).toFixed(0)} kpps, ${((pps * SIZE * 8) / 1e9).toFixed(2)} Gbit/s while the kernel sent`,
  );
}

async function inside(): Promise<void> {
  const dev = await TunDevice.open({ name: 'tsread0', mtu: 1500 });
  await configureKernelSide(dev.name, { address: '10.79.0.1/24', mtu: 1500 });
  execFileSync('ip', ['link', 'set', 'dev', dev.name, 'txqueuelen', '10000']);
  await measure('(a) non-blocking fd + poll(2) on koffi worker', (on) => {
    dev.start((batch) => on(batch.length));
    return () => {};
  });
  const counters = { ...dev.counters };
  console.log(
    `    ${counters.wakeups} poll wake-ups: ${(counters.packetsIn / Math.max(1, counters.wakeups)).toFixed(1)} packets per wake-up`,
  );
  dev.close();
  await new Promise((r) => setTimeout(r, 100));

  // (b) needs a blocking fd: libuv's pool threads sleep in read(2).
  const libc = await loadLibc();
  const fd = openSync('/dev/net/tun', 'r+');
  const ifr = new Uint8Array(40);
  new TextEncoder().encodeInto('tsread1', ifr);
  new DataView(ifr.buffer).setUint16(16, 0x1001, true);
  if (libc.ioctl(fd, 0x400454ca, ifr) < 0) throw new Error(`TUNSETIFF errno ${libc.errno()}`);
  await configureKernelSide('tsread1', { address: '10.79.0.1/24', mtu: 1500 });
  execFileSync('ip', ['link', 'set', 'dev', 'tsread1', 'txqueuelen', '10000']);
  await measure('(b) fs.read on the libuv thread pool', (on) => {
    let running = true;
    const buf = Buffer.allocUnsafe(65536);
    const loop = () => {
      if (!running) return;
      fsRead(fd, buf, 0, buf.length, null, (err, n) => {
        if (err) return;
        on(n > 0 ? 1 : 0);
        loop();
      });
    };
    loop();
    return () => {
      running = false;
    };
  });
  closeSync(fd);
  process.exit(0);
}

if (process.argv.includes('--inside')) {
  await inside();
} else {
  const ns = `ts-benchread-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    spawnSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', import.meta.filename, '--inside'],
      { stdio: 'inherit' },
    );
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}
