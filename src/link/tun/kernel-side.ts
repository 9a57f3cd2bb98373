/**
 * Configures the kernel's end of a TUN interface with iproute2: its address (the kernel's own
 * address on the link, with a prefix so it routes the subnet to the device), MTU, and up.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseIpv6Address } from '../../wire/address6.js';
import { TunError } from './errors.js';
import { ipv4ToUint32 } from './filter.js';

const run = promisify(execFile);

export interface KernelSide {
  /** The kernel's address on the link with its prefix, e.g. "10.77.0.1/24" or "fd00::1/64". */
  address: string;
  mtu: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Checks "a.b.c.d/len" and returns its parts; throws TunError('EINVAL') otherwise. */
export function parseCidr(text: string): { address: string; prefix: number } {
  if (text.includes(':')) {
    const c = parseCidr6(text);
    return { address: c.address, prefix: c.prefix };
  }
  const m = CIDR.exec(text);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new TunError('EINVAL', `expected an IPv4 address with a prefix (10.77.0.1/24): ${text}`);
  }
  return { address: m.slice(1, 5).map(Number).join('.'), prefix: Number(m[5]) };
}

/** Checks "ipv6/len" (RFC 4291 2.3) and returns its parts; throws TunError('EINVAL') otherwise. */
export function parseCidr6(text: string): { address: string; bytes: Uint8Array; prefix: number } {
  const slash = text.lastIndexOf('/');
  const bytes = slash < 0 ? undefined : parseIpv6Address(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (bytes === undefined || !/^\d{1,3}$/.test(text.slice(slash + 1)) || prefix > 128) {
    throw new TunError('EINVAL', `expected an IPv6 address with a prefix (fd00::1/64): ${text}`);
  }
  return { address: text.slice(0, slash), bytes, prefix };
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
  // IPv6: nodad, so the address is usable at once (duplicate address detection would hold it
  // "tentative" for a second, and there is no one else on a TUN link to collide with).
  if (address.includes(':'))
    await ip(['-6', 'addr', 'add', `${address}/${prefix}`, 'dev', ifname, 'nodad']);
  else await ip(['addr', 'add', `${address}/${prefix}`, 'dev', ifname]);
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
  if (address.includes(':') || kernelAddress.includes(':')) {
    checkTunAddresses6(address, kernelAddress);
    return;
  }
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

/** `checkTunAddresses` for IPv6: both IPv6, different, and in the kernel's prefix (at most /126). */
function checkTunAddresses6(address: string, kernelAddress: string): void {
  const ours = parseIpv6Address(address);
  if (ours === undefined) {
    throw new TunError(
      'EINVAL',
      `--address must be an IPv6 address beside an IPv6 --kernel-address: ${address}`,
    );
  }
  if (!kernelAddress.includes(':')) {
    throw new TunError(
      'EINVAL',
      `--kernel-address must be IPv6 (fd00::1/64) for an IPv6 --address: ${kernelAddress}`,
    );
  }
  const kernel = parseCidr6(kernelAddress);
  if (ours.every((b, i) => b === kernel.bytes[i])) {
    throw new TunError('EINVAL', `the stack and the kernel need different addresses (${address})`);
  }
  if (kernel.prefix > 126 || !samePrefix6(ours, kernel.bytes, kernel.prefix)) {
    throw new TunError(
      'EINVAL',
      `${address} is not in the kernel's prefix ${kernel.address}/${kernel.prefix}, so the kernel would not route it to the device`,
    );
  }
}

function samePrefix6(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[bit / 8] & mask) !== (b[bit / 8] & mask)) return false;
  }
  return true;
}
