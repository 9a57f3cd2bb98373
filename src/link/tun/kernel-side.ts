/**
 * Configures the kernel's end of a TUN interface with iproute2: its address (the kernel's own
 * address on the link, with a prefix so it routes the subnet to the device), MTU, and up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TunError } from './errors.js';
import { ipv4ToUint32 } from './filter.js';

const run = promisify(execFile);

export interface KernelSide {
  /** The kernel's address on the link with its prefix, e.g. "10.77.0.1/24". */
  address: string;
  mtu: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Checks "a.b.c.d/len" and returns its parts; throws TunError('EINVAL') otherwise. */
export function parseCidr(text: string): { address: string; prefix: number } {
  const m = CIDR.exec(text);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new TunError('EINVAL', `expected an IPv4 address with a prefix (10.77.0.1/24): ${text}`);
  }
  return { address: m.slice(1, 5).map(Number).join('.'), prefix: Number(m[5]) };
}

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new TunError('EIPROUTE', '`ip` (iproute2) is not installed');
    }
    const why = (e.stderr ?? e.message).trim().split('\n')[0];
    throw new TunError('EIPROUTE', `ip ${args.join(' ')}: ${why}`);
  }
}

export async function configureKernelSide(ifname: string, side: KernelSide): Promise<void> {
  const { address, prefix } = parseCidr(side.address);
  await ip(['addr', 'add', `${address}/${prefix}`, 'dev', ifname]);
  await ip(['link', 'set', 'dev', ifname, 'mtu', String(side.mtu), 'up']);
}

function sameSubnet(a: number, b: number, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/**
 * Checks the stack's address against the kernel's "a.b.c.d/len" before anything touches the
 * system: both valid, different, and in one subnet the kernel will route to the device.
 */
export function checkTunAddresses(address: string, kernelAddress: string): void {
  let ours: number;
  try {
    ours = ipv4ToUint32(address);
  } catch {
    throw new TunError('EINVAL', `--address must be an IPv4 address: ${address}`);
  }
  const kernel = parseCidr(kernelAddress);
  const theirs = ipv4ToUint32(kernel.address);
  if (ours === theirs) {
    throw new TunError('EINVAL', `the stack and the kernel need different addresses (${address})`);
  }
  if (kernel.prefix > 30 || !sameSubnet(ours, theirs, kernel.prefix)) {
    throw new TunError(
      'EINVAL',
      `${address} is not in the kernel's subnet ${kernel.address}/${kernel.prefix}, so the kernel would not route it to the device`,
    );
  }
}
