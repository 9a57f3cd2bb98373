/** Byte helpers for the wire tests: hex, and checksum repair after a deliberate corruption. */
import { checksumFinish, pseudoHeaderSum, readU32, sumBytes } from '../../src/wire/index.js';

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Recomputes the IPv4 header checksum of a packet in place (after changing a header byte). */
export function fixIpChecksum(packet: Uint8Array): Uint8Array {
  const ihl = (packet[0] & 0x0f) * 4;
  packet[10] = 0;
  packet[11] = 0;
  const c = checksumFinish(sumBytes(packet, 0, ihl));
  packet[10] = c >> 8;
  packet[11] = c & 0xff;
  return packet;
}

/** Recomputes the TCP checksum of an IPv4 packet in place (IHL and total length must be sane). */
export function fixTcpChecksum(packet: Uint8Array): Uint8Array {
  const ihl = (packet[0] & 0x0f) * 4;
  const total = (packet[2] << 8) | packet[3];
  packet[ihl + 16] = 0;
  packet[ihl + 17] = 0;
  const c = checksumFinish(
    sumBytes(
      packet,
      ihl,
      total,
      pseudoHeaderSum(readU32(packet, 12), readU32(packet, 16), 6, total - ihl),
    ),
  );
  packet[ihl + 16] = c >> 8;
  packet[ihl + 17] = c & 0xff;
  return packet;
}

/** Both checksums, for a change that touches either header. */
export function fixChecksums(packet: Uint8Array): Uint8Array {
  return fixIpChecksum(fixTcpChecksum(packet));
}
