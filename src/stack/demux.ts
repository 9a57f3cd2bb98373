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

/**
 * IPv4 4-tuples in one open-addressing hash table (linear probing, backward-shift deletion), keyed
 * by two int32s: the remote address, and local port << 16 | remote port. No Map per local port
 * (a client's connections each have their own port: a Map each cost about 300 bytes) and no
 * boxed number per key; a lookup allocates nothing.
 */
class Ipv4Table<T> {
  private addr = new Int32Array(INITIAL_SLOTS);
  private ports = new Int32Array(INITIAL_SLOTS);
  private vals: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private used = 0;

  private slot(addr: number, ports: number): number {
    const mask = this.vals.length - 1;
    let i = hash(addr, ports) & mask;
    while (this.vals[i] !== undefined && (this.addr[i] !== addr || this.ports[i] !== ports)) {
      i = (i + 1) & mask;
    }
    return i;
  }

  get(addr: number, ports: number): T | undefined {
    return this.vals[this.slot(addr, ports)];
  }

  /** Sets the value; returns the one it replaced. */
  set(addr: number, ports: number, value: T): T | undefined {
    const i = this.slot(addr, ports);
    const old = this.vals[i];
    this.vals[i] = value;
    if (old !== undefined) return old;
    this.addr[i] = addr;
    this.ports[i] = ports;
    // At most half full, so that probes stay short.
    if (++this.used * 2 > this.vals.length) this.resize(this.vals.length * 2);
    return undefined;
  }

  delete(addr: number, ports: number): T | undefined {
    let i = this.slot(addr, ports);
    const old = this.vals[i];
    if (old === undefined) return undefined;
    this.used--;
    // Backward shift: pull later entries of the probe run into the hole (no tombstones).
    const mask = this.vals.length - 1;
    for (let j = (i + 1) & mask; this.vals[j] !== undefined; j = (j + 1) & mask) {
      const home = hash(this.addr[j], this.ports[j]) & mask;
      // j's entry may move to i when its home does not lie cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.vals[i] = this.vals[j];
        this.addr[i] = this.addr[j];
        this.ports[i] = this.ports[j];
        i = j;
      }
    }
    this.vals[i] = undefined;
    return old;
  }

  private resize(slots: number): void {
    const { addr, ports, vals } = this;
    this.addr = new Int32Array(slots);
    this.ports = new Int32Array(slots);
    this.vals = new Array<T | undefined>(slots).fill(undefined);
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v === undefined) continue;
      const j = this.slot(addr[i], ports[i]);
      this.vals[j] = v;
      this.addr[j] = addr[i];
      this.ports[j] = ports[i];
    }
  }
}

const INITIAL_SLOTS = 16;

/** Mixes the two int32 key halves (multiplicative hashing); the table takes the low bits. */
function hash(addr: number, ports: number): number {
  const h = Math.imul(addr ^ Math.imul(ports, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

export class TupleMap<T> {
  private readonly v4 = new Ipv4Table<T>();
  /** IPv6 remote ends (string keys), by local port. */
  private readonly byPort = new Map<number, Map<string, T>>();
  /** Every entry in insertion order, which snapshots and counters list them in. */
  private readonly all = new Set<T>();

  get size(): number {
    return this.all.size;
  }

  get(localPort: number, remote: RemoteKey): T | undefined {
    if (typeof remote === 'number') return this.v4.get(v4Addr(remote), v4Ports(localPort, remote));
    return this.byPort.get(localPort)?.get(remote);
  }

  has(localPort: number, remote: RemoteKey): boolean {
    return this.get(localPort, remote) !== undefined;
  }

  /** Adds or replaces the entry for the tuple. */
  set(localPort: number, remote: RemoteKey, value: T): void {
    let old: T | undefined;
    if (typeof remote === 'number') {
      old = this.v4.set(v4Addr(remote), v4Ports(localPort, remote), value);
    } else {
      let inner = this.byPort.get(localPort);
      if (inner === undefined) {
        inner = new Map();
        this.byPort.set(localPort, inner);
      }
      old = inner.get(remote);
      inner.set(remote, value);
    }
    if (old !== undefined) this.all.delete(old);
    this.all.add(value);
  }

  delete(localPort: number, remote: RemoteKey): boolean {
    let old: T | undefined;
    if (typeof remote === 'number') {
      old = this.v4.delete(v4Addr(remote), v4Ports(localPort, remote));
    } else {
      const inner = this.byPort.get(localPort);
      old = inner?.get(remote);
      if (inner !== undefined && old !== undefined) {
        inner.delete(remote);
        if (inner.size === 0) this.byPort.delete(localPort);
      }
    }
    if (old === undefined) return false;
    this.all.delete(old);
    return true;
  }

  /** Every entry, in insertion order. */
  values(): IterableIterator<T> {
    return this.all.values();
  }
}

/** The remote address of an IPv4 key, as an int32. */
function v4Addr(key: number): number {
  return Math.floor(key / 0x10000) | 0;
}

/** Local port << 16 | remote port, as an int32. */
function v4Ports(localPort: number, key: number): number {
  return (localPort << 16) | (key & 0xffff);
}
