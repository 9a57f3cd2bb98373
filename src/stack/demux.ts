/**
 * The stack's connection table: connections by (local port, remote address, remote port), with
 * numbers for IPv4 keys so that an IPv4 packet's lookup builds no string. The three fields are 64
 * bits, more than a JS number holds exactly, so the table is two-level: local port, then the
 * remote address and port as one 48-bit number (`remoteKey`). An IPv6 remote end is a short
 * string instead (address.ts `remoteKey6`); the two kinds never collide. The local address is
 * the stack's own, one per family. Internal to stack/: nothing outside sees these keys.
 */

/** A remote end's key: a number for IPv4, a string for IPv6. */
export type RemoteKey = number | string;

/** The remote end of a 4-tuple as one exact number: address * 2^16 + port (below 2^48). */
export function remoteKey(address: number, port: number): number {
  return address * 0x10000 + port;
}

export class TupleMap<T> {
  private readonly byPort = new Map<number, Map<RemoteKey, T>>();
  /** Every entry in insertion order, which snapshots and counters list them in. */
  private readonly all = new Set<T>();

  get size(): number {
    return this.all.size;
  }

  get(localPort: number, remote: RemoteKey): T | undefined {
    return this.byPort.get(localPort)?.get(remote);
  }

  has(localPort: number, remote: RemoteKey): boolean {
    return this.get(localPort, remote) !== undefined;
  }

  /** Adds or replaces the entry for the tuple. */
  set(localPort: number, remote: RemoteKey, value: T): void {
    let inner = this.byPort.get(localPort);
    if (inner === undefined) {
      inner = new Map();
      this.byPort.set(localPort, inner);
    }
    const old = inner.get(remote);
    if (old !== undefined) this.all.delete(old);
    inner.set(remote, value);
    this.all.add(value);
  }

  delete(localPort: number, remote: RemoteKey): boolean {
    const inner = this.byPort.get(localPort);
    const old = inner?.get(remote);
    if (inner === undefined || old === undefined) return false;
    inner.delete(remote);
    this.all.delete(old);
    if (inner.size === 0) this.byPort.delete(localPort);
    return true;
  }

  /** Every entry, in insertion order. */
  values(): IterableIterator<T> {
    return this.all.values();
  }
}
