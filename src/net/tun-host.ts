/**
 * A host on a TUN device: our Stack at one address of a point-to-point subnet, the kernel at
 * another, joined by the device. Packets the kernel routes to the device that are not IPv4 TCP
 * or ICMP for our address are ignored and counted (link/tun/filter.ts); the rest go to the
 * stack in read batches, and the stack's output is written back in one batch per flush.
 * Linux only: imports link/tun, which loads the FFI library on first use.
 */

import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { TunDevice } from '../link/tun/device.js';
import {
  classifyPacket,
  classifyPacket6,
  countPacket,
  type FilterCounters,
  ipv4ToUint32,
  newFilterCounters,
} from '../link/tun/filter.js';
import { echoKey, echoReply, isEchoReply, isEchoRequest } from '../link/tun/icmp-echo.js';
import { checkTunAddresses, configureKernelSide } from '../link/tun/kernel-side.js';
import { Stack } from '../stack/stack.js';
import type { ConnectionConfig } from '../tcp/types.js';
import { SeededRng } from '../util/rng.js';
import { parseIpv6Address } from '../wire/address6.js';
import { StackDriver } from './driver.js';
import { type Impairment, type ImpairmentCounters, impair } from './impairment.js';
import { NetStack } from './net-stack.js';

export { checkTunAddresses };

export interface TunHostOptions {
  ifname: string;
  /** The stack's own address, e.g. "10.77.0.2" or "fd00::2" (then the kernel's is IPv6 too). */
  address: string;
  /** The kernel's address on the device with prefix, e.g. "10.77.0.1/24". */
  kernelAddress: string;
  mtu?: number;
  /**
   * Checksum and segmentation offload on the device (IFF_VNET_HDR, TUNSETOFFLOAD; default on):
   * the kernel hands over and takes TCP super-segments of up to 64 KB. Off: one MTU per packet.
   */
  offload?: boolean;
  /** Seed for ephemeral ports and impairment (default: random); ISN and cookie keys are always random (RFC 6528). */
  seed?: number;
  /** Connection defaults (MSS defaults to MTU - 40). */
  config?: Partial<ConnectionConfig>;
  /** Loss and delay applied to each direction in software (for kernels without netem). */
  impairment?: Impairment;
  /** Sees every packet the stack receives ('in') or sends ('out'), with the wall-clock time. */
  tap?: (direction: 'in' | 'out', packet: Uint8Array, epochMs: number) => void;
}

/**
 * The payload of one super-segment we hand the device: the largest IP packet (65535 bytes) less
 * the largest IPv6 and TCP headers (40 + 60).
 */
const TSO_MAX = 65535 - 100;

export class TunHost {
  readonly filtered: FilterCounters = newFilterCounters();
  /** Packets dropped and passed by --loss, per direction. */
  readonly impaired = {
    in: { dropped: 0, passed: 0 } as ImpairmentCounters,
    out: { dropped: 0, passed: 0 } as ImpairmentCounters,
  };
  /** Echo requests answered by the link because the stack did not (see link/tun/icmp-echo.ts). */
  pingsAnswered = 0;
  private stopped = false;

  private constructor(
    readonly device: TunDevice,
    readonly driver: StackDriver,
    readonly net: NetStack,
  ) {}

  get stack(): Stack {
    return this.driver.stack;
  }

  static async start(opts: TunHostOptions): Promise<TunHost> {
    checkTunAddresses(opts.address, opts.kernelAddress);
    const mtu = opts.mtu ?? 1500;
    const device = await TunDevice.open({ name: opts.ifname, mtu, offload: opts.offload ?? true });
    try {
      await configureKernelSide(device.name, { address: opts.kernelAddress, mtu });
    } catch (err) {
      device.close();
      throw err;
    }
    const seed = opts.seed ?? randomBytes(4).readUInt32LE(0);
    const stack = new Stack({
      address: opts.address,
      rng: new SeededRng(seed),
      // RFC 6528 (3), RFC 4987 (3.6): real peers must not be able to recover the keys from a
      // 32-bit seed, so they come from the system's CSPRNG, not from `rng`.
      isnSecret: crypto.getRandomValues(new Uint8Array(16)),
      cookieSecret: crypto.getRandomValues(new Uint8Array(16)),
      config: {
        mss: mtu - 40,
        // The device cuts our super-segments at its MTU: only when that is our MSS too.
        ...(device.vnetHeader && opts.config?.mss === undefined ? { tsoMaxBytes: TSO_MAX } : {}),
        ...opts.config,
      },
    });
    const tap = opts.tap;
    const epoch = () => performance.timeOrigin + performance.now();
    const impairment = opts.impairment ?? { loss: 0, delayMs: 0 };
    const impairRng = new SeededRng(seed ^ 0x5bd1e995);
    const counters = { in: { dropped: 0, passed: 0 }, out: { dropped: 0, passed: 0 } };
    const toDevice = impair(
      (packets) => {
        for (const p of packets) {
          device.write(p);
          if (tap) tap('out', p, epoch());
        }
      },
      impairment,
      impairRng,
      counters.out,
    );
    // Packets whose TCP checksum the kernel vouched for (vnet header NEEDS_CSUM or DATA_VALID).
    const vouched = new WeakSet<Uint8Array>();
    // Echo requests handed to the stack and not yet seen answered in its output.
    const unanswered = new Set<string>();
    const driver = new StackDriver(stack, {
      transmit: (packets) => {
        if (unanswered.size > 0) {
          for (const p of packets) if (isEchoReply(p)) unanswered.delete(echoKey(p, false));
        }
        toDevice(packets);
      },
    });
    // Host names resolve as the host's own programs resolve them (getaddrinfo: /etc/hosts, DNS).
    const host = new TunHost(device, driver, new NetStack(driver, { lookup: dnsLookup }));
    Object.assign(host.impaired, counters);
    const toStack = impair(
      (packets) => {
        if (tap) for (const p of packets) tap('in', p, epoch());
        const pings = packets.filter(isEchoRequest);
        for (const p of pings) unanswered.add(echoKey(p, true));
        driver.receive(
          packets,
          packets.map((p) => vouched.has(p)),
        );
        // The stack has no ICMP echo of its own: answer for it, so `ping` works.
        for (const p of pings) {
          if (unanswered.delete(echoKey(p, true))) {
            host.pingsAnswered++;
            toDevice([echoReply(p)]);
          }
        }
      },
      impairment,
      impairRng,
      counters.in,
    );
    const ours6 = parseIpv6Address(opts.address);
    const ours = ours6 === undefined ? ipv4ToUint32(opts.address) : 0;
    device.start(
      (batch, kernelVouched) => {
        const deliver: Uint8Array[] = [];
        for (let i = 0; i < batch.length; i++) {
          const p = batch[i];
          const cls = ours6 === undefined ? classifyPacket(p, ours) : classifyPacket6(p, ours6);
          if (cls === 'deliver') {
            deliver.push(p);
            if (kernelVouched?.[i]) vouched.add(p);
          } else countPacket(host.filtered, cls);
        }
        if (deliver.length > 0) toStack(deliver);
      },
      (err) => host.net.emit('error', err),
    );
    return host;
  }

  /** Stops the stack and removes the device (closing its fd deletes it). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.net.close();
    this.device.close();
  }
}
