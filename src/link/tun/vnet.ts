/**
 * The virtio-net header that a TUN device opened with IFF_VNET_HDR puts before every packet
 * (<linux/virtio_net.h>, struct virtio_net_hdr; 10 bytes, or 12 with num_buffers). Pure: it
 * reads and writes bytes and imports nothing from node:.
 *
 * With TUNSETOFFLOAD (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) the kernel hands over TCP
 * "super-segments" of up to 64 KB (gso_type TCPV4/TCPV6, gso_size = the MSS it would have cut
 * them into) whose TCP checksum field holds only the pseudo-header sum (flags NEEDS_CSUM): it
 * made them itself and never put them on a wire. In the other direction we may hand it one
 * large segment with gso_size set, and it cuts it (TSO), or lets its own TCP take it whole.
 *
 * Multi-byte fields are little-endian: the legacy virtio header is in the host's byte order,
 * and every Linux ABI this project supports (x86_64, arm64) is little-endian.
 */
import { readU32 } from '../../wire/address.js';
import { foldSum, pseudoHeaderSum } from '../../wire/checksum.js';
import { ipv6PseudoHeaderSum } from '../../wire/ipv6.js';

/** sizeof(struct virtio_net_hdr); 12 is sizeof(struct virtio_net_hdr_mrg_rxbuf). */
export const VNET_HDR_LEN = 10;

export const VNET_F_NEEDS_CSUM = 1;
export const VNET_F_DATA_VALID = 2;
export const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV4 = 1;
export const VNET_GSO_UDP = 3;
export const VNET_GSO_TCPV6 = 4;
export const VNET_GSO_UDP_L4 = 5;
export const VNET_GSO_ECN = 0x80;

export interface VnetHeader {
  flags: number;
  /** VNET_GSO_*, with VNET_GSO_ECN or'ed in when the first segment carries CWR. */
  gsoType: number;
  /** Bytes of headers (IP + TCP) before the payload that gso_size cuts. */
  hdrLen: number;
  /** Payload bytes per segment once cut (the MSS); 0 when gsoType is NONE. */
  gsoSize: number;
  /** Where the checksummed range starts (the TCP header), for NEEDS_CSUM. */
  csumStart: number;
  /** The checksum field's offset from csumStart (16 for TCP). */
  csumOffset: number;
}

export const NO_OFFLOAD: Readonly<VnetHeader> = Object.freeze({
  flags: 0,
  gsoType: VNET_GSO_NONE,
  hdrLen: 0,
  gsoSize: 0,
  csumStart: 0,
  csumOffset: 0,
});

/** Reads the header at the start of `bytes`; undefined when fewer than `size` bytes. */
export function parseVnetHeader(bytes: Uint8Array, size = VNET_HDR_LEN): VnetHeader | undefined {
  if (bytes.length < size || (size !== 10 && size !== 12)) return undefined;
  const u16 = (i: number) => bytes[i] | (bytes[i + 1] << 8);
  return {
    flags: bytes[0],
    gsoType: bytes[1],
    hdrLen: u16(2),
    gsoSize: u16(4),
    csumStart: u16(6),
    csumOffset: u16(8),
  };
}

/** Writes `h` at `out[0..size)` (num_buffers, in a 12-byte header, is 0: one buffer). */
export function writeVnetHeader(out: Uint8Array, h: VnetHeader, size = VNET_HDR_LEN): void {
  const u16 = (i: number, v: number) => {
    out[i] = v & 0xff;
    out[i + 1] = (v >>> 8) & 0xff;
  };
  out[0] = h.flags;
  out[1] = h.gsoType;
  u16(2, h.hdrLen);
  u16(4, h.gsoSize);
  u16(6, h.csumStart);
  u16(8, h.csumOffset);
  if (size === 12) u16(10, 0);
}

/**
 * Whether a packet read with header `h` still needs its TCP checksum verified: not when the
 * kernel says it made the packet (NEEDS_CSUM: the field holds a partial sum and cannot be
 * verified) or checked it (DATA_VALID).
 */
export function kernelVouches(h: VnetHeader): boolean {
  return (h.flags & (VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID)) !== 0;
}

const TCP = 6;
const TCP_CHECK = 16;

/**
 * The header for a packet we are about to write, read from the packet's own IP and TCP headers
 * (the link knows no connection), and the value its TCP checksum field should hold under it:
 * a TCP packet gets NEEDS_CSUM and the pseudo-header sum, which the kernel completes (or need
 * not: its own TCP accepts a CHECKSUM_PARTIAL packet without summing it); one whose payload
 * exceeds what fits in `mtu` is marked for segmentation with gso_size = mtu less its headers.
 * Anything else (ICMP, a malformed packet) goes as it is, with no offload (`partial` -1).
 */
export function vnetHeaderFor(
  packet: Uint8Array,
  mtu: number,
): { header: Readonly<VnetHeader>; partial: number } {
  const none = { header: NO_OFFLOAD, partial: -1 };
  const version = packet.length > 0 ? packet[0] >> 4 : 0;
  let ipLen: number;
  let total: number;
  if (version === 4) {
    ipLen = (packet[0] & 0x0f) * 4;
    total = packet.length >= 20 ? (packet[2] << 8) | packet[3] : 0;
    if (packet.length < 20 || packet[9] !== TCP || ipLen < 20) return none;
  } else if (version === 6) {
    ipLen = 40;
    total = packet.length >= 40 ? 40 + ((packet[4] << 8) | packet[5]) : 0;
    if (packet.length < 40 || packet[6] !== TCP) return none;
  } else {
    return none;
  }
  if (total !== packet.length || total < ipLen + 20) return none;
  const tcpHdrLen = (packet[ipLen + 12] >> 4) * 4;
  if (tcpHdrLen < 20 || ipLen + tcpHdrLen > total) return none;
  const tcpLen = total - ipLen;
  const sum =
    version === 4
      ? pseudoHeaderSum(readU32(packet, 12), readU32(packet, 16), TCP, tcpLen)
      : ipv6PseudoHeaderSum(packet.subarray(8, 24), packet.subarray(24, 40), TCP, tcpLen);
  const hdrLen = ipLen + tcpHdrLen;
  const gsoSize = mtu - hdrLen;
  const segmented = gsoSize > 0 && total - hdrLen > gsoSize;
  const cwr = (packet[ipLen + 13] & 0x80) !== 0;
  const header: VnetHeader = {
    flags: VNET_F_NEEDS_CSUM,
    gsoType: segmented
      ? (version === 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6) | (cwr ? VNET_GSO_ECN : 0)
      : VNET_GSO_NONE,
    hdrLen: segmented ? hdrLen : 0,
    gsoSize: segmented ? gsoSize : 0,
    csumStart: ipLen,
    csumOffset: TCP_CHECK,
  };
  // Not complemented: the kernel adds the rest of the segment to it, then complements.
  return { header, partial: foldSum(sum) };
}

/**
 * Writes header and packet into `out` (at least `size` + packet.length bytes) as one frame for
 * the device, the copy's TCP checksum field set to the partial sum the header asks for (the
 * packet itself is not touched: taps and captures keep its full checksum). Returns the length.
 */
export function frameForDevice(
  packet: Uint8Array,
  mtu: number,
  out: Uint8Array,
  size = VNET_HDR_LEN,
): number {
  const { header, partial } = vnetHeaderFor(packet, mtu);
  writeVnetHeader(out, header, size);
  out.set(packet, size);
  if (partial >= 0) {
    const at = size + header.csumStart + header.csumOffset;
    out[at] = partial >>> 8;
    out[at + 1] = partial & 0xff;
  }
  return size + packet.length;
}
