/**
 * IPv4 addresses as dotted-quad text (what reprs and users see) and as unsigned 32-bit numbers
 * (what checksums and hashing want).
 */

/** An IPv4 address either as dotted-quad text or as an unsigned 32-bit number. */
export type Ipv4Address = string | number;

/**
 * Parses strict dotted-quad text ("192.0.2.1": four decimal parts 0-255, no leading zeros, which
 * some tools read as octal) into an unsigned 32-bit number; undefined when it is not one.
 */
export function parseIpv4Address(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || parts === 4) return undefined;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (c - 0x30);
      digits++;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? value : undefined;
}

/** Dotted-quad text to u32; throws a RangeError for text that is not an IPv4 address. */
export function ipv4ToU32(address: Ipv4Address): number {
  if (typeof address === 'number') {
    if (!Number.isInteger(address) || address < 0 || address > 0xffff_ffff) {
      throw new RangeError(`not an IPv4 address: ${address}`);
    }
    return address;
  }
  const value = parseIpv4Address(address);
  if (value === undefined) throw new RangeError(`not an IPv4 address: ${JSON.stringify(address)}`);
  return value;
}

/** An unsigned 32-bit number to dotted-quad text. */
export function u32ToIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Reads four bytes at `offset` as an unsigned 32-bit address. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] << 24) |
      (bytes[offset + 1] << 16) |
      (bytes[offset + 2] << 8) |
      bytes[offset + 3]) >>>
    0
  );
}

/** Writes an unsigned 32-bit number big-endian at `offset`. */
export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}
