/**
 * TCP Fast Open (RFC 7413): the option and the client's side of a SYN that carries data.
 *
 * The option is kind 34 with the cookie as its data (RFC 7413 4.1.1), or, as older stacks
 * send it, the experimental kind 254 with the magic 0xF989 before the cookie (RFC 6994). An
 * empty cookie on a SYN asks the server for one. A cookie is 4 to 16 bytes, of even length
 * (RFC 7413 4.1.1; Linux's tcp_parse_fastopen_option and FreeBSD's tcp_fastopen_update_cache
 * read only those).
 *
 * Layer tcp/: pure, no clock, no I/O.
 */
import { tcpOptionLength, tcpOptionsLength } from '../wire/tcp-options.js';
import type { TcpOption, TcpSegment } from '../wire/types.js';
import type { SynOptionLayout } from './options.js';

export const TFO_OPTION = 34;
export const EXPERIMENTAL_OPTION = 254;
/** RFC 7413 4.1.1: the experimental option's magic number 0xF989. */
const TFO_MAGIC = [0xf9, 0x89] as const;
export const MIN_COOKIE = 4;
export const MAX_COOKIE = 16;

/** What a connection's SYN offers for Fast Open (ConnectionOptions.fastOpen). */
export interface FastOpenOffer {
  /** The cookie the server gave before; empty to ask for one. */
  cookie: Uint8Array;
  /** The experimental option (kind 254, magic 0xF989) instead of kind 34. */
  experimental: boolean;
  /** Data goes on the SYN only with a cookie; this caps it (the server's MSS seen before). */
  maxSynData?: number;
  /** Linux's cookie-less mode (tcp_fastopen bit 0x4): data on the SYN, and no option. */
  withoutCookie?: boolean;
}

/** A Fast Open option's cookie in a segment (empty: a request), or undefined without one. */
export function readFastOpen(
  seg: TcpSegment,
): { cookie: Uint8Array; experimental: boolean } | undefined {
  for (const o of seg.options) {
    if (o.kind !== 'unknown') continue;
    if (o.code === TFO_OPTION) return { cookie: o.data, experimental: false };
    if (
      o.code === EXPERIMENTAL_OPTION &&
      o.data[0] === TFO_MAGIC[0] &&
      o.data[1] === TFO_MAGIC[1]
    ) {
      return { cookie: o.data.subarray(2), experimental: true };
    }
  }
  return undefined;
}

export function validCookie(cookie: Uint8Array): boolean {
  return cookie.length >= MIN_COOKIE && cookie.length <= MAX_COOKIE && cookie.length % 2 === 0;
}

export function fastOpenOption(cookie: Uint8Array, experimental: boolean): TcpOption {
  if (!experimental) return { kind: 'unknown', code: TFO_OPTION, data: cookie };
  const data = new Uint8Array(2 + cookie.length);
  data.set(TFO_MAGIC);
  data.set(cookie, 2);
  return { kind: 'unknown', code: EXPERIMENTAL_OPTION, data };
}

/**
 * The SYN options with the Fast Open option added last, as each stack lays it out: Linux
 * after the others, NOPs filling the word (tcp_options_write); FreeBSD after the others with
 * EOL padding (tcp_addoptions), the EOL that ended the list moved behind it.
 */
export function withFastOpen(
  layout: SynOptionLayout,
  options: readonly TcpOption[],
  option: TcpOption,
): TcpOption[] {
  const out: TcpOption[] = options.filter((o) => o.kind !== 'eol');
  out.push(option);
  let length = out.reduce((n, o) => n + tcpOptionLength(o), 0);
  // FreeBSD: one EOL, the emitter pads the word with zeros (more EOLs); Linux: NOPs.
  if (layout === 'freebsd' && length % 4 !== 0) out.push({ kind: 'eol' });
  if (layout === 'linux') {
    for (; length % 4 !== 0; length++) out.push({ kind: 'nop' });
  }
  return out;
}

/** Bytes of options on a SYN, padded to the 4-byte word. */
export function optionsLength(options: readonly TcpOption[]): number {
  return Math.ceil(tcpOptionsLength(options) / 4) * 4;
}
