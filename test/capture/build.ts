/**
 * Capture files built by the tests: classic pcap and pcapng writers (either byte order, any
 * timestamp precision, several interfaces and sections, options), link-layer framings, IPv4 and
 * IPv6 packets (with extension headers and fragments), TCP segments, and a small conversation
 * builder that keeps both sides' sequence numbers.
 */

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

function u16(v: number, le: boolean): number[] {
  return le ? [v & 0xff, (v >> 8) & 0xff] : [(v >> 8) & 0xff, v & 0xff];
}

function u32(v: number, le: boolean): number[] {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
}

function concat(parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface Packet {
  /** Milliseconds since the epoch (fractional). */
  timeMs: number;
  data: Uint8Array;
  /** On the wire, when the capture cut the packet. */
  originalLength?: number;
  /** pcapng: the interface. */
  iface?: number;
}

export function classicPcap(
  packets: Packet[],
  opts: { linktype?: number; le?: boolean; nano?: boolean; snaplen?: number } = {},
): Uint8Array {
  const le = opts.le ?? true;
  const parts: ArrayLike<number>[] = [
    u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(2, le),
    u16(4, le),
    u32(0, le),
    u32(0, le),
    u32(opts.snaplen ?? 262144, le),
    u32(opts.linktype ?? 101, le),
  ];
  for (const p of packets) {
    const seconds = Math.floor(p.timeMs / 1000);
    const sub = opts.nano
      ? Math.round((p.timeMs - seconds * 1000) * 1e6)
      : Math.round((p.timeMs - seconds * 1000) * 1e3);
    parts.push(
      u32(seconds, le),
      u32(sub, le),
      u32(p.data.length, le),
      u32(p.originalLength ?? p.data.length, le),
      p.data,
    );
  }
  return concat(parts);
}

export interface PcapngInterface {
  linktype: number;
  snaplen?: number;
  /** if_tsresol's byte (6 = µs, 9 = ns, 0x80|n = 2^-n); absent: the default µs. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: number;
  /** Other options to be skipped by length (code, bytes). */
  extraOptions?: Array<[number, number[]]>;
}

export interface PcapngSection {
  le?: boolean;
  interfaces: PcapngInterface[];
  packets: Packet[];
  /** Write packets of interface 0 as Simple Packet Blocks. */
  simple?: boolean;
  /** An unknown block after the interfaces, skipped by its length. */
  unknownBlock?: boolean;
}

function block(type: number, body: number[], le: boolean): number[] {
  while (body.length % 4 !== 0) body.push(0);
  const length = body.length + 12;
  return [...u32(type, le), ...u32(length, le), ...body, ...u32(length, le)];
}

function option(code: number, value: number[], le: boolean): number[] {
  const out = [...u16(code, le), ...u16(value.length, le), ...value];
  while (out.length % 4 !== 0) out.push(0);
  return out;
}

export function pcapng(sections: PcapngSection[]): Uint8Array {
  const parts: number[][] = [];
  for (const s of sections) {
    const le = s.le ?? true;
    const shbOptions = [
      ...option(4, [...new TextEncoder().encode('tcpstate test')], le),
      0,
      0,
      0,
      0,
    ];
    parts.push(
      block(
        0x0a0d0d0a,
        [
          ...u32(0x1a2b3c4d, le),
          ...u16(1, le),
          ...u16(0, le),
          ...u32(0xffffffff, le),
          ...u32(0xffffffff, le),
          ...shbOptions,
        ],
        le,
      ),
    );
    for (const i of s.interfaces) {
      const opts: number[] = [];
      for (const [code, value] of i.extraOptions ?? []) opts.push(...option(code, value, le));
      if (i.tsresol !== undefined) opts.push(...option(9, [i.tsresol], le));
      if (i.tsoffset !== undefined) {
        const v = le
          ? [...u32(i.tsoffset, true), ...u32(0, true)]
          : [...u32(0, false), ...u32(i.tsoffset, false)];
        opts.push(...option(14, v, le));
      }
      if (opts.length > 0) opts.push(0, 0, 0, 0);
      parts.push(block(1, [...u16(i.linktype, le), 0, 0, ...u32(i.snaplen ?? 0, le), ...opts], le));
    }
    if (s.unknownBlock) parts.push(block(0x0bad, [1, 2, 3, 4, 5, 6, 7, 8], le));
    for (const p of s.packets) {
      const iface = s.interfaces[p.iface ?? 0];
      const res = iface.tsresol ?? 6;
      const unitsPerSecond = res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res;
      const units = BigInt(
        Math.round(((p.timeMs - (iface.tsoffset ?? 0) * 1000) / 1000) * unitsPerSecond),
      );
      const high = Number(units >> 32n);
      const low = Number(units & 0xffffffffn);
      if (s.simple && (p.iface ?? 0) === 0) {
        parts.push(block(3, [...u32(p.originalLength ?? p.data.length, le), ...p.data], le));
      } else {
        parts.push(
          block(
            6,
            [
              ...u32(p.iface ?? 0, le),
              ...u32(high, le),
              ...u32(low, le),
              ...u32(p.data.length, le),
              ...u32(p.originalLength ?? p.data.length, le),
              ...p.data,
              // an epb_flags option, to be skipped
              ...option(2, u32(1, le), le),
              0,
              0,
              0,
              0,
            ],
            le,
          ),
        );
      }
    }
  }
  return concat(parts);
}

// Link layers.

export function ethernet(ip: Uint8Array, vlans: number[] = [], etherType?: number): Uint8Array {
  const type = etherType ?? (ip[0] >> 4 === 6 ? 0x86dd : 0x0800);
  // Each VLAN tag: its TPID (0x8100, 0x88a8, 0x9100), then a TCI (priority, VLAN id).
  const tags = vlans.flatMap((tpid, i) => [(tpid >> 8) & 0xff, tpid & 0xff, 0, 10 + i]);
  return concat([
    [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2],
    tags,
    [(type >> 8) & 0xff, type & 0xff],
    ip,
  ]);
}

export function sll(ip: Uint8Array): Uint8Array {
  const type = ip[0] >> 4 === 6 ? 0x86dd : 0x0800;
  return concat([
    [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0],
    [(type >> 8) & 0xff, type & 0xff],
    ip,
  ]);
}

export function sll2(ip: Uint8Array): Uint8Array {
  const type = ip[0] >> 4 === 6 ? 0x86dd : 0x0800;
  return concat([
    [(type >> 8) & 0xff, type & 0xff, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0],
    ip,
  ]);
}

/** BSD loopback: the address family in the writer's byte order. */
export function bsdNull(ip: Uint8Array, le = true, af6 = 30): Uint8Array {
  const af = ip[0] >> 4 === 6 ? af6 : 2;
  return concat([u32(af, le), ip]);
}

// IP.

export interface Ipv4Options {
  /** Flags and fragment offset field (MF = 0x2000, offset in 8-byte units). */
  fragment?: number;
  protocol?: number;
}

export function ipv4(
  src: string,
  dst: string,
  payload: Uint8Array,
  opts: Ipv4Options = {},
): Uint8Array {
  const total = 20 + payload.length;
  const h = [
    0x45,
    0,
    (total >> 8) & 0xff,
    total & 0xff,
    0,
    1,
    ...u16(opts.fragment ?? 0x4000, false),
    64,
    opts.protocol ?? 6,
    0,
    0,
  ];
  return concat([h, src.split('.').map(Number), dst.split('.').map(Number), payload]);
}

function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => u16(Number.parseInt(g, 16), false));
}

/** IPv6 with extension headers: each [next header code, total length in bytes]. */
export function ipv6(
  src: string,
  dst: string,
  payload: Uint8Array,
  ext: Array<{ type: number; bytes?: number; fragment?: number }> = [],
  protocol = 6,
): Uint8Array {
  const chain: number[][] = [];
  const types = ext.map((e) => e.type);
  for (let i = 0; i < ext.length; i++) {
    const next = i + 1 < ext.length ? types[i + 1] : protocol;
    const e = ext[i];
    if (e.type === 44) {
      chain.push([next, 0, ...u16(e.fragment ?? 0, false), 0, 0, 0, 1]);
    } else if (e.type === 51) {
      const len = e.bytes ?? 12;
      chain.push([next, len / 4 - 2, ...Array(len - 2).fill(0)]);
    } else {
      const len = e.bytes ?? 8;
      chain.push([next, len / 8 - 1, ...Array(len - 2).fill(0)]);
    }
  }
  const extBytes = chain.flat();
  const first = ext.length > 0 ? types[0] : protocol;
  const plen = extBytes.length + payload.length;
  return concat([
    [0x60, 0, 0, 0, ...u16(plen, false), first, 64],
    ipv6Bytes(src),
    ipv6Bytes(dst),
    extBytes,
    payload,
  ]);
}

// TCP.

export interface TcpFields {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  payload?: number;
  /** Window scale option (SYNs). */
  wscale?: number;
}

export function tcp(f: TcpFields): Uint8Array {
  const opts: number[] = [];
  if (f.flags & SYN) {
    opts.push(2, 4, 0x05, 0xb4);
    if (f.wscale !== undefined) opts.push(1, 3, 3, f.wscale);
  }
  while (opts.length % 4 !== 0) opts.push(1);
  const hl = 20 + opts.length;
  const header = [
    ...u16(f.sport, false),
    ...u16(f.dport, false),
    ...u32(f.seq >>> 0, false),
    ...u32((f.ack ?? 0) >>> 0, false),
    (hl / 4) << 4,
    f.flags,
    ...u16(f.win ?? 65535, false),
    0,
    0,
    0,
    0,
    ...opts,
  ];
  return concat([header, new Uint8Array(f.payload ?? 0).fill(0x61)]);
}

// Conversations.

type Who = 'a' | 'b';

/**
 * Two endpoints exchanging segments, with sequence numbers kept for them: `send('a', SYN)`,
 * `send('b', SYN | ACK)`, `send('a', ACK, 100)`. Each returns the raw IPv4 packet, stamped
 * with the builder's clock (`at` moves it).
 */
export class Conversation {
  readonly packets: Packet[] = [];
  now = 1_700_000_000_000;
  private readonly nxt: Record<Who, number>;
  private readonly rcv: Partial<Record<Who, number>> = {};

  constructor(
    readonly addr: Record<Who, string> = { a: '10.1.0.1', b: '10.1.0.2' },
    readonly port: Record<Who, number> = { a: 40000, b: 80 },
    iss: Record<Who, number> = { a: 1000, b: 900000 },
    readonly v6 = false,
  ) {
    this.nxt = { ...iss };
  }

  at(ms: number): this {
    this.now += ms;
    return this;
  }

  /**
   * One segment from `who`: payload bytes, and `seq` to override (a retransmission). The ACK
   * number is what `who` has received, unless `ack` says otherwise.
   */
  send(
    who: Who,
    flags: number,
    payload = 0,
    o: { seq?: number; ack?: number; win?: number; wscale?: number } = {},
  ): Packet {
    const other: Who = who === 'a' ? 'b' : 'a';
    const seq = o.seq ?? this.nxt[who];
    const seg = tcp({
      sport: this.port[who],
      dport: this.port[other],
      seq,
      ack: flags & ACK ? (o.ack ?? this.rcv[who] ?? 0) : 0,
      flags,
      win: o.win,
      payload,
      wscale: o.wscale,
    });
    const end = (seq + payload + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    if (o.seq === undefined) this.nxt[who] = end;
    // The receiver's next expected number, as a delivered segment moves it.
    const had = this.rcv[other];
    if (!(flags & RST) && (had === undefined || ((end - had) | 0) > 0)) this.rcv[other] = end;
    const data = this.v6
      ? ipv6(this.addr[who], this.addr[other], seg)
      : ipv4(this.addr[who], this.addr[other], seg);
    const p = { timeMs: this.now, data };
    this.packets.push(p);
    return p;
  }

  /** Drops the last packet from the capture (the capture missed it; it still happened). */
  unseen(): this {
    this.packets.pop();
    return this;
  }

  pcap(): Uint8Array {
    return classicPcap(this.packets);
  }
}
