/**
 * Link layers: where the IP packet starts in a frame of each supported link type (the
 * tcpdump.org LINKTYPE registry), and which IP version it says it carries.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as some systems wrote it before LINKTYPE_RAW existed. */
export const LINKTYPE_RAW_OLD = 12;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q, 802.1ad (QinQ) and the pre-standard QinQ tag. */
const isVlanTag = (type: number) => type === 0x8100 || type === 0x88a8 || type === 0x9100;

/** BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by system. */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export type LinkResult =
  | { ok: true; start: number; version: 4 | 6 }
  | { ok: false; reason: 'not-ip' | 'truncated' | 'unsupported-linktype' };

const NOT_IP: LinkResult = { ok: false, reason: 'not-ip' };
const TRUNCATED: LinkResult = { ok: false, reason: 'truncated' };
const UNSUPPORTED: LinkResult = { ok: false, reason: 'unsupported-linktype' };

/** The one success result, refilled for every frame (read it before the next call). */
const OK: { ok: true; start: number; version: 4 | 6 } = { ok: true, start: 0, version: 4 };

function ok(start: number, version: 4 | 6): LinkResult {
  OK.start = start;
  OK.version = version;
  return OK;
}

function byEtherType(etherType: number, start: number): LinkResult {
  if (etherType === ETHERTYPE_IPV4) return ok(start, 4);
  if (etherType === ETHERTYPE_IPV6) return ok(start, 6);
  return NOT_IP;
}

function byFamily(family: number, start: number): LinkResult {
  if (family === AF_INET) return ok(start, 4);
  if (AF_INET6.has(family)) return ok(start, 6);
  return NOT_IP;
}

function byVersion(f: Uint8Array, s: number, end: number, only?: 4 | 6): LinkResult {
  if (end < s + 1) return TRUNCATED;
  const v = f[s] >> 4;
  if (only !== undefined && v !== only) return NOT_IP;
  return v === 4 || v === 6 ? ok(s, v) : NOT_IP;
}

/** Where the IP packet starts in `f[s, end)`, a frame of this link type (offsets into `f`). */
export function ipInFrame(linktype: number, f: Uint8Array, s = 0, end = f.length): LinkResult {
  const len = end - s;
  switch (linktype) {
    case LINKTYPE_ETHERNET: {
      if (len < 14) return TRUNCATED;
      let p = s + 12;
      let type = (f[p] << 8) | f[p + 1];
      // Each VLAN tag is 4 bytes (TPID, TCI) before the real EtherType.
      while (isVlanTag(type)) {
        p += 4;
        if (end < p + 2) return TRUNCATED;
        type = (f[p] << 8) | f[p + 1];
      }
      return byEtherType(type, p + 2);
    }
    case LINKTYPE_LINUX_SLL:
      // packet type, ARPHRD type, address length, 8 address bytes, protocol.
      if (len < 16) return TRUNCATED;
      return byEtherType((f[s + 14] << 8) | f[s + 15], s + 16);
    case LINKTYPE_LINUX_SLL2:
      // protocol, reserved, interface index, ARPHRD type, packet type, address length, address.
      if (len < 20) return TRUNCATED;
      return byEtherType((f[s] << 8) | f[s + 1], s + 20);
    case LINKTYPE_NULL: {
      // The family in the byte order of the host that wrote it: small either way round.
      if (len < 4) return TRUNCATED;
      const le = f[s] | (f[s + 1] << 8) | (f[s + 2] << 16) | (f[s + 3] << 24);
      const be = (f[s] << 24) | (f[s + 1] << 16) | (f[s + 2] << 8) | f[s + 3];
      return byFamily(le >>> 0 < 256 ? le : be, s + 4);
    }
    case LINKTYPE_LOOP:
      if (len < 4) return TRUNCATED;
      return byFamily(((f[s] << 24) | (f[s + 1] << 16) | (f[s + 2] << 8) | f[s + 3]) >>> 0, s + 4);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OLD:
      return byVersion(f, s, end);
    case LINKTYPE_IPV4:
      return byVersion(f, s, end, 4);
    case LINKTYPE_IPV6:
      return byVersion(f, s, end, 6);
    default:
      return UNSUPPORTED;
  }
}
