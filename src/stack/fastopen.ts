/**
 * TCP Fast Open (RFC 7413) at the stack: the client's cookie cache, one entry per server
 * address (RFC 7413 4.1.2), and the server's cookies, made from a keyed secret.
 *
 * Server cookies follow Linux (net/ipv4/tcp_fastopen.c, __tcp_fastopen_cookie_gen_cipher):
 * SipHash-2-4 of the client's and the server's IPv4 addresses (8 bytes, network order) under
 * the 128-bit key, the 64-bit result in little-endian order; the key is set as Linux's
 * net.ipv4.tcp_fastopen_key writes it, four 32-bit words in hex ("a1a1a1a1-b2b2b2b2-…"), held in
 * memory little-endian. With the gtests' key that gives 3021b9d889017eeb for 192.0.2.1 to
 * 192.168.0.1, the cookie their scripts expect.
 *
 * Layer stack/: pure, no clock, no I/O.
 */

import { type FastOpenOffer, fastOpenOption, readFastOpen, validCookie } from '../tcp/fastopen.js';
import type { TcpOption, TcpSegment } from '../wire/types.js';
import { parseStackAddress } from './address.js';
import { siphash24 } from './siphash.js';

interface CacheEntry {
  cookie: Uint8Array;
  /** The experimental option worked, or kind 34 got no cookie (Linux's try_exp). */
  experimental: boolean;
  /** A server that answered with a malformed cookie: no Fast Open to it (FreeBSD). */
  disabled: boolean;
  /** The server's MSS from its SYN,ACK, which caps data on later SYNs. */
  mss: number | undefined;
}

export class FastOpen {
  private readonly cache = new Map<string, CacheEntry>();
  private k0 = 0n;
  private k1 = 0n;
  /**
   * What a SYN,ACK with a malformed cookie does: FreeBSD stops Fast Open to that server
   * (tcp_fastopen_update_cache disables the entry); Linux ignores the option.
   */
  invalidCookieDisables = false;

  /** The offer for a new connection to `address`: undefined when Fast Open is off for it. */
  offer(address: string, experimental = false): FastOpenOffer | undefined {
    const e = this.cache.get(address);
    if (e?.disabled) return undefined;
    if (this.clientNoCookie)
      return { cookie: new Uint8Array(0), experimental, withoutCookie: true };
    const out: FastOpenOffer = {
      cookie: e?.cookie ?? new Uint8Array(0),
      experimental: experimental || (e?.experimental ?? false),
    };
    if (e?.mss !== undefined) out.maxSynData = e.mss;
    return out;
  }

  /**
   * A SYN,ACK answering one of our Fast Open SYNs: what it says about the server's cookie. A
   * valid cookie replaces the one cached; no option keeps it. A malformed one (with
   * invalidCookieDisables, as FreeBSD) ends Fast Open to that server unless the SYN,ACK took
   * the data our SYN carried (then the cookie that worked stays).
   */
  learn(address: string, synAck: TcpSegment, sentExperimental: boolean, dataAcked: boolean): void {
    const e = this.cache.get(address) ?? {
      cookie: new Uint8Array(0),
      experimental: false,
      disabled: false,
      mss: undefined,
    };
    const mss = synAck.options.find((o) => o.kind === 'mss');
    if (mss?.kind === 'mss') e.mss = mss.value;
    const got = readFastOpen(synAck);
    if (got !== undefined && validCookie(got.cookie)) {
      e.cookie = got.cookie.slice();
      e.experimental = got.experimental;
    } else if (got !== undefined && this.invalidCookieDisables && !dataAcked) {
      e.cookie = new Uint8Array(0);
      e.disabled = true;
    } else if (got === undefined && e.cookie.length === 0 && !sentExperimental) {
      // Linux: no cookie for the RFC option; the next request tries the experimental one.
      e.experimental = !this.invalidCookieDisables;
    }
    this.cache.set(address, e);
  }

  /**
   * Linux's net.ipv4.tcp_fastopen bits (ip-sysctl.rst): 0x1 client, 0x2 server, 0x4 client
   * without cookie, 0x200 server without cookie, 0x400 every listener without the socket
   * option, its queue length in the bits from 16. Linux's default is 0x1.
   */
  flags = 0x1;
  /** Listeners' TCP_FASTOPEN queue lengths, by port. */
  readonly listenerQueues = new Map<number, number>();
  /** Connections whose SYN's data was taken (TCPI_OPT_SYN_DATA). */
  readonly synData = new WeakSet<object>();

  get clientEnabled(): boolean {
    return (this.flags & 0x1) !== 0;
  }

  get clientNoCookie(): boolean {
    return (this.flags & 0x4) !== 0;
  }

  /**
   * A SYN to a listener (Linux's tcp_try_fastopen): `child` when its data (or its valid
   * cookie alone) opens the connection at once, and the cookie option for the SYN,ACK when the
   * SYN asked for one or carried a wrong one. Undefined when Fast Open plays no part.
   */
  serverAnswer(
    port: number,
    client: string,
    server: string,
    syn: TcpSegment,
  ): { child: boolean; option?: TcpOption } | undefined {
    const queue =
      this.listenerQueues.get(port) ?? ((this.flags & 0x400) !== 0 ? this.flags >>> 16 : 0);
    const got = readFastOpen(syn);
    const hasData = syn.payload.byteLength > 0;
    if ((this.flags & 0x2) === 0 || queue <= 0 || (!hasData && got === undefined)) return undefined;
    if ((this.flags & 0x200) !== 0) return { child: true };
    if (got === undefined) return undefined;
    const valid = this.cookieFor(client, server);
    if (got.cookie.length > 0 && sameBytes(got.cookie, valid)) return { child: true };
    return { child: false, option: fastOpenOption(valid, got.experimental) };
  }

  /** Forgets every cookie (Linux's `ip tcp_metrics flush`). */
  flush(): void {
    this.cache.clear();
  }

  /** `a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4`: false when not four hex words. */
  setKey(text: string): boolean {
    const words = text.trim().split('-');
    if (words.length !== 4 || words.some((w) => !/^[0-9a-fA-F]{1,8}$/.test(w))) return false;
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    for (const [i, w] of words.entries()) view.setUint32(i * 4, Number.parseInt(w, 16), true);
    this.k0 = view.getBigUint64(0, true);
    this.k1 = view.getBigUint64(8, true);
    return true;
  }

  /** The server's cookie for a client (RFC 7413 4.1.2: bound to the client's IP address). */
  cookieFor(client: string, server: string): Uint8Array {
    const c = parseStackAddress(client);
    const s = parseStackAddress(server);
    // IPv4: the two addresses (8 bytes); IPv6: the two of 16 bytes each.
    const v6 = c?.family === 6 && s?.family === 6;
    const data = new Uint8Array(v6 ? 32 : 8);
    const view = new DataView(data.buffer);
    if (c?.family === 6 && s?.family === 6) {
      data.set(c.v6, 0);
      data.set(s.v6, 16);
    } else {
      view.setUint32(0, c?.family === 4 ? c.v4 : 0);
      view.setUint32(4, s?.family === 4 ? s.v4 : 0);
    }
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, siphash24(this.k0, this.k1, data), true);
    return out;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
