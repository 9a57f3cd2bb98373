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
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by system. */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export type LinkResult =
  | { ok: true; start: number; version: 4 | 6 }
  | { ok: false; reason: 'not-ip' | 'truncated' | 'unsupported-linktype' };

const NOT_IP: LinkResult = { ok: false, reason: 'not-ip' };
const TRUNCATED: LinkResult = { ok: false, reason: 'truncated' };
const UNSUPPORTED: LinkResult = { ok: false, reason: 'unsupported-linktype' };

function byEtherType(etherType: number, start: number): LinkResult {
  if (etherType === ETHERTYPE_IPV4) return { ok: true, start, version: 4 };
  if (etherType === ETHERTYPE_IPV6) return { ok: true, start, version: 6 };
  return NOT_IP;
}

function byFamily(family: number, start: number): LinkResult {
  if (family === AF_INET) return { ok: true, start, version: 4 };
  if (AF_INET6.has(family)) return { ok: true, start, version: 6 };
  return NOT_IP;
}

function byVersionNibble(frame: Uint8Array): LinkResult {
  if (frame.length < 1) return TRUNCATED;
  const v = frame[0] >> 4;
  return v === 4 || v === 6 ? { ok: true, start: 0, version: v } : NOT_IP;
}

export function ipInFrame(linktype: number, frame: Uint8Array): LinkResult {
  switch (linktype) {
    case LINKTYPE_ETHERNET: {
      if (frame.length < 14) return TRUNCATED;
      let p = 12;
      let type = (frame[p] << 8) | frame[p + 1];
      // Each VLAN tag is 4 bytes (TPID, TCI) before the real EtherType.
      while (VLAN_TAGS.has(type)) {
        p += 4;
        if (frame.length < p + 2) return TRUNCATED;
        type = (frame[p] << 8) | frame[p + 1];
      }
      return byEtherType(type, p + 2);
    }
    case LINKTYPE_LINUX_SLL:
      // packet type, ARPHRD type, address length, 8 address bytes, protocol.
      if (frame.length < 16) return TRUNCATED;
      return byEtherType((frame[14] << 8) | frame[15], 16);
    case LINKTYPE_LINUX_SLL2:
      // protocol, reserved, interface index, ARPHRD type, packet type, address length, address.
      if (frame.length < 20) return TRUNCATED;
      return byEtherType((frame[0] << 8) | frame[1], 20);
    case LINKTYPE_NULL: {
      // The family in the byte order of the host that wrote it: small either way round.
      if (frame.length < 4) return TRUNCATED;
      const le = frame[0] | (frame[1] << 8) | (frame[2] << 16) | (frame[3] << 24);
      const be = (frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3];
      return byFamily(le >>> 0 < 256 ? le : be, 4);
    }
    case LINKTYPE_LOOP:
      if (frame.length < 4) return TRUNCATED;
      return byFamily(((frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]) >>> 0, 4);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OLD:
      return byVersionNibble(frame);
    case LINKTYPE_IPV4:
      return frame.length < 1
        ? TRUNCATED
        : frame[0] >> 4 === 4
          ? { ok: true, start: 0, version: 4 }
          : NOT_IP;
    case LINKTYPE_IPV6:
      return frame.length < 1
        ? TRUNCATED
        : frame[0] >> 4 === 6
          ? { ok: true, start: 0, version: 6 }
          : NOT_IP;
    default:
      return UNSUPPORTED;
  }
}
