/**
 * TCP sockets through netlink sock_diag, the interface `ss` uses (linux/inet_diag.h): one dump
 * request per address family, answered with one `inet_diag_msg` per socket. Faster than
 * /proc/net/tcp on large hosts (binary, no text formatting in the kernel) and it carries what
 * /proc lacks: the listen backlog (idiag_wqueue of a LISTEN socket is sk_max_ack_backlog).
 *
 * Netlink headers and inet_diag_msg's counters are in host byte order, read here as
 * little-endian (every platform koffi ships for: x64, arm64, riscv64, loong64); ports and
 * addresses in inet_diag_sockid are in network order.
 */
import { formatIpv4, formatIpv6 } from '../address.js';
import { HostError } from '../errors.js';
import { stateFromKernel, timerFromKernel } from '../proc-net-tcp.js';
import type { HostSocket, HostTcpInfo } from '../types.js';
import { AF_NETLINK, type HostLibc, NETLINK_SOCK_DIAG, SOCK_CLOEXEC, SOCK_RAW } from './libc.js';

const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSG_HDRLEN = 16;
/** struct inet_diag_req_v2: family, protocol, ext, pad, states, then a 48-byte inet_diag_sockid. */
const REQ_LEN = NLMSG_HDRLEN + 56;
/** struct inet_diag_msg: 4 bytes, inet_diag_sockid (48), expires, rqueue, wqueue, uid, inode. */
const MSG_LEN = 72;
/** Every state bit, including TCP_NEW_SYN_RECV (12) so half-open request sockets come too. */
const ALL_STATES = 0xffffffff;
/** The kernel fills at most ~32 KB per recv of a dump; a larger buffer only wastes memory. */
const RECV_BUFFER = 64 * 1024;

/** idiag_ext bits: 1 << (INET_DIAG_INFO - 1) and 1 << (INET_DIAG_CONG - 1). */
const EXT_INFO = 1 << (2 - 1);
const EXT_CONG = 1 << (4 - 1);
const INET_DIAG_INFO = 2;
const INET_DIAG_CONG = 4;
/** struct tcp_info up to tcpi_delivery_rate (Linux 4.9+); shorter ones lack the rate. */
const TCP_INFO_DELIVERY_RATE_END = 168;

function request(family: number, seq: number, ext = 0): Uint8Array {
  const buf = new Uint8Array(REQ_LEN);
  const view = new DataView(buf.buffer);
  view.setUint32(0, REQ_LEN, true);
  view.setUint16(4, SOCK_DIAG_BY_FAMILY, true);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  view.setUint32(8, seq, true);
  buf[16] = family;
  buf[17] = IPPROTO_TCP;
  buf[18] = ext;
  view.setUint32(20, ALL_STATES, true);
  return buf;
}

/** Opens a sock_diag socket in the calling thread's current network namespace. */
export function openSockDiag(libc: HostLibc): number {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) throw new HostError('ENETLINK', `netlink socket failed (errno ${libc.errno()})`);
  return fd;
}

/** Dumps all TCP sockets of one family over an open sock_diag socket (which it does not close). */
export function dumpTcp(
  libc: HostLibc,
  fd: number,
  family: 4 | 6,
  options: { info?: boolean } = {},
): HostSocket[] {
  const req = request(
    family === 4 ? AF_INET : AF_INET6,
    family,
    options.info ? EXT_INFO | EXT_CONG : 0,
  );
  if (libc.send(fd, req, req.length, 0) !== req.length) {
    throw new HostError('ENETLINK', `netlink send failed (errno ${libc.errno()})`);
  }
  const buf = Buffer.allocUnsafe(RECV_BUFFER);
  const batch = new SockDiagDecoder();
  for (;;) {
    const n = libc.recv(fd, buf, buf.length, 0);
    if (n < 0) throw new HostError('ENETLINK', `netlink recv failed (errno ${libc.errno()})`);
    if (n === 0 || batch.feed(buf, n) === 'done') return batch.sockets;
  }
}

/** Decodes the answers of one dump, one recv() buffer at a time. */
export class SockDiagDecoder {
  readonly sockets: HostSocket[] = [];
  private readonly v4Cache = new Map<number, string>();
  private readonly v6Cache = new Map<string, string>();

  /** Decodes `length` bytes of netlink messages; 'done' at NLMSG_DONE; throws on NLMSG_ERROR. */
  feed(buf: Buffer, length: number): 'more' | 'done' {
    let off = 0;
    while (off + NLMSG_HDRLEN <= length) {
      const len = buf.readUInt32LE(off);
      const type = buf.readUInt16LE(off + 4);
      if (len < NLMSG_HDRLEN || off + len > length) break;
      if (type === NLMSG_DONE) return 'done';
      if (type === NLMSG_ERROR) {
        const error = -buf.readInt32LE(off + NLMSG_HDRLEN);
        throw new HostError('ENETLINK', `sock_diag answered with errno ${error}`);
      }
      if (type === SOCK_DIAG_BY_FAMILY && len >= NLMSG_HDRLEN + MSG_LEN) {
        const socket = decode(buf, off + NLMSG_HDRLEN, this.v4Cache, this.v6Cache);
        if (socket) {
          const info = attributes(buf, off + NLMSG_HDRLEN + MSG_LEN, off + len);
          if (info) socket.info = info;
          this.sockets.push(socket);
        }
      }
      off += (len + 3) & ~3;
    }
    return 'more';
  }
}

function address(
  buf: Buffer,
  at: number,
  family: number,
  v4Cache: Map<number, string>,
  v6Cache: Map<string, string>,
): string {
  if (family === AF_INET) {
    const key = buf.readUInt32BE(at);
    let text = v4Cache.get(key);
    if (text === undefined) {
      text = formatIpv4(buf, at);
      v4Cache.set(key, text);
    }
    return text;
  }
  const key = buf.toString('latin1', at, at + 16);
  let text = v6Cache.get(key);
  if (text === undefined) {
    text = formatIpv6(buf, at);
    v6Cache.set(key, text);
  }
  return text;
}

function decode(
  buf: Buffer,
  at: number,
  v4Cache: Map<number, string>,
  v6Cache: Map<string, string>,
): HostSocket | undefined {
  const familyNumber = buf[at];
  const state = stateFromKernel(buf[at + 1]);
  if (state === undefined) return undefined;
  const timer = timerFromKernel(buf[at + 2]);
  const socket: HostSocket = {
    state,
    family: familyNumber === AF_INET ? 4 : 6,
    local: {
      address: address(buf, at + 8, familyNumber, v4Cache, v6Cache),
      port: buf.readUInt16BE(at + 4),
    },
    remote: {
      address: address(buf, at + 24, familyNumber, v4Cache, v6Cache),
      port: buf.readUInt16BE(at + 6),
    },
    recvQ: buf.readUInt32LE(at + 56),
    sendQ: buf.readUInt32LE(at + 60),
    uid: buf.readUInt32LE(at + 64),
    inode: buf.readUInt32LE(at + 68),
  };
  if (timer !== 'off') {
    socket.timer = {
      kind: timer,
      // idiag_expires is already in milliseconds.
      remainingMs: buf.readUInt32LE(at + 52),
      retries: timer === 'time-wait' ? 0 : buf[at + 3],
    };
  }
  return socket;
}

/** The rtattrs after inet_diag_msg: tcp_info and the congestion algorithm's name, if sent. */
function attributes(buf: Buffer, from: number, end: number): HostTcpInfo | undefined {
  let info: HostTcpInfo | undefined;
  let congestion: string | null = null;
  let at = from;
  while (at + 4 <= end) {
    const len = buf.readUInt16LE(at);
    const type = buf.readUInt16LE(at + 2);
    if (len < 4 || at + len > end) break;
    const body = at + 4;
    if (type === INET_DIAG_INFO && len - 4 >= TCP_INFO_DELIVERY_RATE_END) info = tcpInfo(buf, body);
    if (type === INET_DIAG_CONG) {
      congestion = buf.toString('latin1', body, at + len).replace(/\0.*$/s, '') || null;
    }
    at += (len + 3) & ~3;
  }
  return info ? { ...info, congestion } : undefined;
}

/** struct tcp_info field offsets (include/uapi/linux/tcp.h), host byte order. */
function tcpInfo(buf: Buffer, at: number): HostTcpInfo {
  const u32 = (offset: number) => buf.readUInt32LE(at + offset);
  const u64 = (offset: number) => Number(buf.readBigUInt64LE(at + offset));
  const ssthresh = u32(76);
  return {
    rtoMs: u32(8) / 1000,
    unacked: u32(24),
    retrans: u32(36),
    pmtu: u32(60),
    rttMs: u32(68) / 1000,
    rttVarMs: u32(72) / 1000,
    // TCP_INFINITE_SSTHRESH (0x7fffffff): still in the first slow start.
    ssthresh: ssthresh >= 0x7fffffff ? null : ssthresh,
    cwnd: u32(80),
    totalRetrans: u32(100),
    bytesAcked: u64(120),
    bytesReceived: u64(128),
    deliveryRate: u64(160),
    congestion: null,
  };
}
