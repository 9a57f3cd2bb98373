/**
 * Parser of /proc/net/tcp and /proc/net/tcp6 (Linux net/ipv4/tcp_ipv4.c get_tcp4_sock,
 * get_openreq4, get_timewait4_sock; net/ipv6/tcp_ipv6.c for tcp6).
 *
 * A line: `sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`.
 * Addresses are the raw in-kernel bytes printed as 32-bit words with %08X, so each word appears
 * in host byte order (reversed on little-endian machines); ports are plain %04X. `tm->when` is
 * jiffies_delta_to_clock_t(), i.e. in USER_HZ ticks (100 per second on every architecture).
 * The column after uid ("timeout") is icsk_probes_out: the keepalive / zero-window probe count.
 *
 * The parser walks bytes, not regexes, and caches address strings: a host with 100k sockets
 * has few distinct addresses.
 */
import type { TcpState } from '../state/states.js';
import { formatIpv4, formatIpv6 } from './address.js';
import type { HostSocket, HostTimerKind } from './types.js';

/** Linux include/net/tcp_states.h; 12 (TCP_NEW_SYN_RECV) is a request socket: SYN_RECV to users. */
const STATE_BY_NUMBER: readonly (TcpState | undefined)[] = [
  undefined,
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSED',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'SYN_RECV',
];

export function stateFromKernel(number: number): TcpState | undefined {
  return STATE_BY_NUMBER[number];
}

/** The `tr` column (timer_active) and inet_diag's idiag_timer share these numbers. */
const TIMER_BY_NUMBER: readonly HostTimerKind[] = [
  'off',
  'retransmit',
  'keepalive',
  'time-wait',
  'zero-window-probe',
];

export function timerFromKernel(number: number): HostTimerKind {
  return TIMER_BY_NUMBER[number] ?? 'off';
}

/** USER_HZ: the clock_t tick of /proc, fixed at 100 for user space (include/asm-generic/param.h). */
const MS_PER_CLOCK_TICK = 10;

export interface ProcParseResult {
  sockets: HostSocket[];
  /** Lines that did not parse (should be 0; counted, never thrown). */
  badLines: number;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const COLON = 0x3a;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Parses the whole file. `littleEndian` is the byte order of the machine that produced it
 * (`os.endianness() === 'LE'` for this machine).
 */
export function parseProcNetTcp(
  data: Uint8Array,
  family: 4 | 6,
  littleEndian = true,
): ProcParseResult {
  const sockets: HostSocket[] = [];
  const addressCache = new Map<string, string>();
  const addrBytes = new Uint8Array(16);
  const addrHexLen = family === 4 ? 8 : 32;
  let badLines = 0;
  let pos = 0;
  // Parsing stops at the end of the current line, so a truncated line never eats the next one.
  let end = data.length;

  // Reads hex digits up to a non-hex byte; -1 if none.
  const readHex = (): number => {
    let value = 0;
    let digits = 0;
    while (pos < end) {
      const v = hexValue(data[pos]);
      if (v < 0) break;
      value = value * 16 + v;
      digits++;
      pos++;
    }
    return digits === 0 ? -1 : value;
  };
  const readDec = (): number => {
    let value = 0;
    let digits = 0;
    let negative = false;
    if (data[pos] === 0x2d) {
      negative = true;
      pos++;
    }
    while (pos < end) {
      const c = data[pos];
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      digits++;
      pos++;
    }
    if (digits === 0) return Number.NaN;
    return negative ? -value : value;
  };
  const skipSpaces = (): void => {
    while (pos < end && data[pos] === SPACE) pos++;
  };
  const expect = (c: number): boolean => {
    if (data[pos] !== c) return false;
    pos++;
    return true;
  };
  const v4Cache = new Map<number, string>();
  const asBuffer = typeof Buffer !== 'undefined' && Buffer.isBuffer(data) ? data : undefined;
  const decodeAddress = (start: number): string | undefined => {
    for (let word = 0; word < addrHexLen / 8; word++) {
      for (let b = 0; b < 4; b++) {
        const hi = hexValue(data[start + word * 8 + b * 2]);
        const lo = hexValue(data[start + word * 8 + b * 2 + 1]);
        if (hi < 0 || lo < 0) return undefined;
        // Printed most significant byte first; in memory that byte is last on little-endian.
        const index = littleEndian ? word * 4 + 3 - b : word * 4 + b;
        addrBytes[index] = hi * 16 + lo;
      }
    }
    return family === 4 ? formatIpv4(addrBytes) : formatIpv6(addrBytes);
  };
  // Cache keys: the IPv4 word as a number; the IPv6 hex as a string (latin1 slicing is native).
  const readAddress = (): string | undefined => {
    const start = pos;
    if (start + addrHexLen > end) return undefined;
    pos += addrHexLen;
    if (family === 4) {
      let key = 0;
      for (let i = 0; i < 8; i++) {
        const v = hexValue(data[start + i]);
        if (v < 0) return undefined;
        key = key * 16 + v;
      }
      let text = v4Cache.get(key);
      if (text === undefined) {
        text = decodeAddress(start);
        if (text !== undefined) v4Cache.set(key, text);
      }
      return text;
    }
    let key: string;
    if (asBuffer) key = asBuffer.toString('latin1', start, start + addrHexLen);
    else {
      key = '';
      for (let i = 0; i < addrHexLen; i++) key += String.fromCharCode(data[start + i]);
    }
    let text = addressCache.get(key);
    if (text === undefined) {
      text = decodeAddress(start);
      if (text !== undefined) addressCache.set(key, text);
    }
    return text;
  };

  // The first line is the header.
  const headerEnd = data.indexOf(NEWLINE);
  pos = headerEnd < 0 ? data.length : headerEnd + 1;

  while (pos < data.length) {
    const lineStart = pos;
    let lineEnd = data.indexOf(NEWLINE, pos);
    if (lineEnd < 0) lineEnd = data.length;
    end = lineEnd;
    const socket = parseLine();
    if (socket) sockets.push(socket);
    else if (!isBlank(data, lineStart, lineEnd)) badLines++;
    pos = lineEnd + 1;
  }
  return { sockets, badLines };

  function parseLine(): HostSocket | undefined {
    skipSpaces();
    if (Number.isNaN(readDec()) || !expect(COLON)) return undefined;
    skipSpaces();
    const localAddress = readAddress();
    if (localAddress === undefined || !expect(COLON)) return undefined;
    const localPort = readHex();
    skipSpaces();
    const remoteAddress = readAddress();
    if (remoteAddress === undefined || !expect(COLON)) return undefined;
    const remotePort = readHex();
    skipSpaces();
    const stateNumber = readHex();
    skipSpaces();
    const txQueue = readHex();
    if (!expect(COLON)) return undefined;
    const rxQueue = readHex();
    skipSpaces();
    const timerNumber = readHex();
    if (!expect(COLON)) return undefined;
    const when = readHex();
    skipSpaces();
    const retransmits = readHex();
    skipSpaces();
    const uid = readDec();
    skipSpaces();
    const probes = readDec();
    skipSpaces();
    const inode = readDec();
    const state = stateFromKernel(stateNumber);
    if (
      state === undefined ||
      localPort < 0 ||
      remotePort < 0 ||
      txQueue < 0 ||
      rxQueue < 0 ||
      timerNumber < 0 ||
      when < 0 ||
      retransmits < 0 ||
      Number.isNaN(uid) ||
      Number.isNaN(probes) ||
      Number.isNaN(inode)
    ) {
      return undefined;
    }
    const socket: HostSocket = {
      state,
      family,
      local: { address: localAddress, port: localPort },
      remote: { address: remoteAddress, port: remotePort },
      recvQ: rxQueue,
      sendQ: txQueue,
      uid,
      inode,
    };
    if (state === 'LISTEN') socket.backlogUnknown = true;
    const kind = timerFromKernel(timerNumber);
    if (kind !== 'off') {
      socket.timer = {
        kind,
        remainingMs: when * MS_PER_CLOCK_TICK,
        retries: kind === 'retransmit' ? retransmits : kind === 'time-wait' ? 0 : probes,
      };
    }
    return socket;
  }
}

function isBlank(data: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (data[i] !== SPACE && data[i] !== 0x0d) return false;
  return true;
}
