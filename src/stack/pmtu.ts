/**
 * Path MTU discovery's host side (RFC 1191 for IPv4, RFC 8201 for IPv6): which reported MTUs a
 * host believes, and the per-destination cache that lets the next connection to a host start
 * with what an earlier one learned. Pure: time is an argument, as everywhere in stack/.
 *
 * What a report must pass before it reaches a connection (stack.ts checks the quoted segment
 * against SND.UNA..SND.NXT first, RFC 5927 4.1):
 * - IPv4 (fragmentation needed, ICMP type 3 code 4): an MTU below 68, the smallest every IPv4
 *   link carries (RFC 791 3.2; RFC 1191 3 "MUST never reduce below 68"), is ignored; one below
 *   Linux's `net.ipv4.route.min_pmtu` (552 = 512 + 20 + 20) is raised to it, as Linux does, so a
 *   forged report cannot make a connection send tiny segments (RFC 5927 7.2).
 * - IPv6 (packet too big, ICMPv6 type 2): below the 1280-byte IPv6 minimum the report is
 *   ignored (RFC 8201 4: a node MUST NOT reduce its estimate below it; Linux's tcp_v6_err).
 * - A report at or above the MTU in use says nothing new (RFC 1191 3: never raise on a report).
 */

/** RFC 791 (3.2): every IPv4 host and router must forward 68-byte datagrams unfragmented. */
export const IPV4_MIN_MTU = 68;
/** Linux's net.ipv4.route.min_pmtu (DEFAULT_MIN_PMTU, 512 + 20 + 20): the floor it applies. */
export const IPV4_MIN_PMTU = 552;
/** RFC 8200 (5): the IPv6 minimum link MTU. */
export const IPV6_MIN_PMTU = 1280;
/**
 * How long a learned PMTU is kept before the path is tried at full size again (RFC 1191 6.3
 * suggests 10 minutes; Linux's net.ipv4.route.mtu_expires and net.ipv6.route.mtu_expires: 600 s).
 */
export const PMTU_EXPIRES_MS = 600_000;
/** Destinations the cache remembers at most; the oldest entry goes first. */
export const PMTU_CACHE_SIZE = 4096;

export type PmtuVerdict =
  | { ok: true; mtu: number }
  | { ok: false; reason: 'below-minimum' | 'not-lower' };

/**
 * What a host does with a reported next-hop MTU for a path now at `current` bytes: the MTU it
 * will use (maybe raised to the floor), or why it ignores the report.
 */
export function acceptPmtu(family: 4 | 6, reported: number, current: number): PmtuVerdict {
  let mtu = reported;
  if (family === 4) {
    if (mtu < IPV4_MIN_MTU) return { ok: false, reason: 'below-minimum' };
    mtu = Math.max(mtu, IPV4_MIN_PMTU);
  } else if (mtu < IPV6_MIN_PMTU) return { ok: false, reason: 'below-minimum' };
  if (mtu >= current) return { ok: false, reason: 'not-lower' };
  return { ok: true, mtu };
}

/**
 * Learned path MTUs by destination address (its text as connections name it), each with its
 * expiry: Linux keeps the same in its route exceptions (fib_nh_exception, rt6_exception).
 */
export class PmtuCache {
  private readonly entries = new Map<string, { mtu: number; expires: number }>();

  constructor(
    private readonly expiresMs = PMTU_EXPIRES_MS,
    private readonly maxEntries = PMTU_CACHE_SIZE,
  ) {}

  /** The learned MTU towards `address`, or undefined when none is known (or it expired). */
  get(now: number, address: string): number | undefined {
    const e = this.entries.get(address);
    if (e === undefined) return undefined;
    if (now >= e.expires) {
      this.entries.delete(address);
      return undefined;
    }
    return e.mtu;
  }

  /** When the entry for `address` expires (undefined without one). */
  expiry(address: string): number | undefined {
    return this.entries.get(address)?.expires;
  }

  /** Keeps `mtu` for `address` until PMTU_EXPIRES_MS from now. */
  learn(now: number, address: string, mtu: number): void {
    this.entries.delete(address);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(address, { mtu, expires: now + this.expiresMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
