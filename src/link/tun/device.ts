/**
 * Layer link/ (the TUN half, Linux I/O): packets to and from the real kernel. May import:
 * link/sim/, stack/, tcp/, wire/, state/, util/, node: and koffi. Must not: import net/ or
 * anything above it (lint/layers.cjs).
 */

/**
 * A Linux TUN device (IFF_TUN | IFF_NO_PI): each read(2) gives one IP packet the kernel routed
 * to the interface, each write(2) hands one IP packet to the kernel as if it had arrived on it.
 *
 * With `offload` (IFF_VNET_HDR and TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
 * TUN_F_TSO_ECN), each read and write carries a virtio-net header first (vnet.ts): the kernel
 * hands over TCP super-segments of up to 64 KB with only a partial checksum, and takes ours,
 * cutting them to gso_size itself. One system call then moves up to 64 KB instead of one MTU.
 *
 * The fd is non-blocking. Reads never block the event loop: the device drains the fd on the
 * main thread until EAGAIN (bounded per turn, so a flood cannot starve timers), then waits for
 * readability with poll(2) running on koffi's worker thread. An eventfd in the same poll set
 * wakes that wait when the device closes. Closing the fd removes the (non-persistent) device.
 */
import { existsSync } from 'node:fs';
import { TunError } from './errors.js';
import {
  EACCES,
  EAGAIN,
  EBUSY,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EINTR,
  EINVAL,
  EPERM,
  type Libc,
  loadLibc,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
} from './libc.js';
import {
  frameForDevice,
  kernelVouches,
  parseVnetHeader,
  VNET_GSO_NONE,
  VNET_HDR_LEN,
} from './vnet.js';

// <linux/if_tun.h>
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
const TUNSETOFFLOAD = 0x400454d0;
const TUN_F_CSUM = 0x01;
const TUN_F_TSO4 = 0x02;
const TUN_F_TSO6 = 0x04;
const TUN_F_TSO_ECN = 0x08;
/** The largest IP packet (the IPv4 total length and IPv6 payload length are 16 bits). */
const MAX_PACKET = 65535;
// <net/if.h>: struct ifreq is 40 bytes on 64-bit Linux; the name is its first IFNAMSIZ bytes.
const IFNAMSIZ = 16;
const IFREQ_SIZE = 40;

/** Packets read per event-loop turn before yielding to timers and other I/O. */
const READ_BUDGET = 256;
const SLAB_SIZE = 1 << 20;

export interface TunOpenOptions {
  /** Interface name (at most 15 bytes; `%d` lets the kernel pick a number). */
  name: string;
  /** Largest packet we accept from the device; the interface MTU should not exceed it. */
  mtu?: number;
  /** Where /dev/net/tun lives (tests point it elsewhere to check the error path). */
  devicePath?: string;
  /**
   * Checksum and segmentation offload through the virtio-net header (default false). When the
   * kernel refuses TUNSETOFFLOAD the device still carries the header, with `offload` false.
   */
  offload?: boolean;
}

export interface TunCounters {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Writes the kernel refused (its queue full): the packet is lost, TCP retransmits. */
  writeDrops: number;
  /** Times the reader woke from poll(2). */
  wakeups: number;
  /** Super-segments (gso_type set) read from the kernel, and written to it. */
  gsoIn: number;
  gsoOut: number;
}

/**
 * Receives a read batch. `vouched[i]`, with offload only, says the kernel made or checked
 * packet i (NEEDS_CSUM or DATA_VALID): its TCP checksum is not to be verified (it may hold
 * only the pseudo-header sum).
 */
export type PacketHandler = (
  packets: Uint8Array[],
  vouched: readonly boolean[] | undefined,
) => void;

/** Checks an interface name as the kernel would (dev_valid_name), before any system call. */
export function validateIfname(name: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes >= IFNAMSIZ) {
    throw new TunError('EINVAL', `interface name must be 1 to ${IFNAMSIZ - 1} bytes: "${name}"`);
  }
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw new TunError('EINVAL', `invalid interface name: "${name}"`);
  }
}

export class TunDevice {
  readonly counters: TunCounters = {
    packetsIn: 0,
    bytesIn: 0,
    packetsOut: 0,
    bytesOut: 0,
    writeDrops: 0,
    wakeups: 0,
    gsoIn: 0,
    gsoOut: 0,
  };
  private slab = new Uint8Array(SLAB_SIZE);
  private slabOffset = 0;
  private readonly pollFds = new Uint8Array(16);
  private handler: PacketHandler | undefined;
  private onError: ((err: TunError) => void) | undefined;
  private polling = false;
  private closed = false;
  private immediate: NodeJS.Immediate | undefined;
  /** Bytes per read(2): the MTU, or a whole super-segment and its header with the vnet header. */
  private readonly readSize: number;
  /** Header + packet, assembled for one write(2) (vnet header only). */
  private readonly frame: Uint8Array | undefined;

  private constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly wakeFd: number,
    readonly name: string,
    readonly mtu: number,
    /** The device carries a virtio-net header (IFF_VNET_HDR). */
    readonly vnetHeader: boolean,
    /** The kernel accepted TUNSETOFFLOAD: it may hand over super-segments. */
    readonly offload: boolean,
  ) {
    this.readSize = vnetHeader ? VNET_HDR_LEN + MAX_PACKET : mtu;
    this.frame = vnetHeader ? new Uint8Array(VNET_HDR_LEN + MAX_PACKET) : undefined;
    const view = new DataView(this.pollFds.buffer);
    // struct pollfd { int fd; short events; short revents; } x 2, native (little) endian
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
    view.setInt32(8, wakeFd, true);
    view.setInt16(12, POLLIN, true);
  }

  /** Creates (or attaches to) the TUN interface. Fails with one TunError saying why. */
  static async open(opts: TunOpenOptions): Promise<TunDevice> {
    if (process.platform !== 'linux') {
      throw new TunError('ENOTSUP', `TUN devices need Linux (this is ${process.platform})`);
    }
    validateIfname(opts.name);
    const mtu = opts.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
      throw new TunError('EINVAL', `MTU must be an integer from 68 to 65535: ${mtu}`);
    }
    const path = opts.devicePath ?? '/dev/net/tun';
    if (!existsSync(path)) {
      throw new TunError(
        'ENOENT',
        `${path} does not exist (load the tun module, or give the container the device)`,
      );
    }
    const libc = await loadLibc();
    const fd = libc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      const errno = libc.errno();
      if (errno === EACCES || errno === EPERM) {
        throw new TunError('EPERM', `cannot open ${path}: run as root or with CAP_NET_ADMIN`);
      }
      throw new TunError('EIO', `cannot open ${path} (errno ${errno})`);
    }
    const ifr = new Uint8Array(IFREQ_SIZE);
    new TextEncoder().encodeInto(opts.name, ifr.subarray(0, IFNAMSIZ - 1));
    const vnet = opts.offload === true;
    new DataView(ifr.buffer).setUint16(
      IFNAMSIZ,
      IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0),
      true,
    );
    if (libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
      const errno = libc.errno();
      libc.close(fd);
      if (errno === EPERM || errno === EACCES) {
        throw new TunError('EPERM', `creating ${opts.name} needs root or CAP_NET_ADMIN`);
      }
      if (errno === EBUSY) {
        throw new TunError('EBUSY', `interface ${opts.name} exists and is in use`);
      }
      if (errno === EINVAL) {
        throw new TunError('EBUSY', `interface ${opts.name} exists and is not a TUN device`);
      }
      throw new TunError('EIO', `TUNSETIFF ${opts.name} failed (errno ${errno})`);
    }
    const end = ifr.indexOf(0);
    const name = new TextDecoder().decode(ifr.subarray(0, end < 0 ? IFNAMSIZ : end));
    const wakeFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd < 0) {
      libc.close(fd);
      throw new TunError('EIO', `eventfd failed (errno ${libc.errno()})`);
    }
    // TUNSETOFFLOAD takes the flags as the ioctl's argument itself, not through a pointer.
    const offload =
      vnet &&
      libc.ioctlInt(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) === 0;
    return new TunDevice(libc, fd, wakeFd, name, mtu, vnet, offload);
  }

  /** Starts delivering packets, in batches, to `handler`. Call once. */
  start(handler: PacketHandler, onError?: (err: TunError) => void): void {
    if (this.handler) throw new TunError('EINVAL', 'TunDevice.start() called twice');
    this.handler = handler;
    this.onError = onError;
    this.pump();
  }

  /** Hands one IP packet to the kernel. Returns false when the kernel dropped it. */
  write(packet: Uint8Array): boolean {
    if (this.closed) return false;
    const frame = this.frame;
    let n: number;
    if (frame !== undefined) {
      if (packet.byteLength > MAX_PACKET) {
        this.counters.writeDrops++;
        return false;
      }
      const len = frameForDevice(packet, this.mtu, frame);
      if (frame[1] !== 0) this.counters.gsoOut++;
      n = this.libc.write(this.fd, frame, len) - VNET_HDR_LEN;
    } else {
      n = this.libc.write(this.fd, packet, packet.byteLength);
    }
    if (n < 0) {
      this.counters.writeDrops++;
      return false;
    }
    this.counters.packetsOut++;
    this.counters.bytesOut += n;
    return true;
  }

  /** Closes the fd, which removes the interface (it is not persistent). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.immediate) clearImmediate(this.immediate);
    if (this.polling) {
      // Wake the worker blocked in poll(2); its callback closes the fds once it has returned,
      // so the kernel never sees a poll on a closed (and maybe reused) descriptor.
      const one = new Uint8Array(8);
      one[0] = 1;
      this.libc.write(this.wakeFd, one, 8);
    } else {
      this.releaseFds();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private releaseFds(): void {
    this.libc.close(this.fd);
    this.libc.close(this.wakeFd);
  }

  /** Drains the fd (bounded), delivers the batch, then waits or yields. */
  private pump(): void {
    this.immediate = undefined;
    if (this.closed) return;
    const batch: Uint8Array[] = [];
    const vouched: boolean[] | undefined = this.vnetHeader ? [] : undefined;
    const size = this.readSize;
    const skip = this.vnetHeader ? VNET_HDR_LEN : 0;
    let drained = false;
    while (batch.length < READ_BUDGET) {
      if (SLAB_SIZE - this.slabOffset < size) {
        // Packets handed out keep views into the old slab; it is freed when they are.
        this.slab = new Uint8Array(SLAB_SIZE);
        this.slabOffset = 0;
      }
      const room = this.slab.subarray(this.slabOffset, this.slabOffset + size);
      const n = this.libc.read(this.fd, room, size);
      if (n < 0) {
        const errno = this.libc.errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) {
          drained = true;
          break;
        }
        this.fail(new TunError('EIO', `read from ${this.name} failed (errno ${errno})`));
        return;
      }
      if (n <= skip) continue;
      if (vouched !== undefined) {
        const header = parseVnetHeader(room);
        if (header === undefined) continue;
        vouched.push(kernelVouches(header));
        if (header.gsoType !== VNET_GSO_NONE) this.counters.gsoIn++;
      }
      // 8-byte alignment keeps later views cheap; a packet's bytes are never reused.
      batch.push(this.slab.subarray(this.slabOffset + skip, this.slabOffset + n));
      this.slabOffset += (n + 7) & ~7;
      this.counters.packetsIn++;
      this.counters.bytesIn += n - skip;
    }
    if (batch.length > 0) {
      try {
        this.handler?.(batch, vouched);
      } catch (err) {
        this.fail(
          new TunError('EIO', `packet handler threw: ${err instanceof Error ? err.message : err}`),
        );
        return;
      }
    }
    if (this.closed) return;
    if (drained) this.waitReadable();
    else this.immediate = setImmediate(() => this.pump());
  }

  private waitReadable(): void {
    this.polling = true;
    this.libc.pollAsync(this.pollFds, 2, -1, (err, result) => {
      this.polling = false;
      if (this.closed) {
        this.releaseFds();
        return;
      }
      this.counters.wakeups++;
      if (err || result < 0) {
        const errno = this.libc.errno();
        if (!err && errno === EINTR) {
          this.waitReadable();
          return;
        }
        this.fail(new TunError('EIO', `poll on ${this.name} failed (${err ?? `errno ${errno}`})`));
        return;
      }
      this.pump();
    });
  }

  private fail(err: TunError): void {
    this.close();
    if (this.onError) this.onError(err);
    else throw err;
  }
}
