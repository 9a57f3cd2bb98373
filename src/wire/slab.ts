/**
 * Packet buffers carved from shared slabs, as Node's Buffer pool does for small buffers:
 * allocating a fresh ArrayBuffer costs microseconds (more than checksumming 1500 bytes), a view
 * into a slab costs tens of nanoseconds. A packet from here may share its ArrayBuffer with other
 * packets: use `packet.slice()` for one that owns its buffer (e.g. to transfer it to a worker),
 * and never read `packet.buffer` without `byteOffset` and `byteLength`.
 */

const SLAB_SIZE = 128 * 1024;
/** Larger packets get their own buffer, so one of them cannot pin a slab of small ones. */
const MAX_POOLED = 4096;

let slab: ArrayBuffer | undefined;
let used = 0;

/** A zeroed view of `length` bytes, starting 8-byte aligned. */
export function allocPacket(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  if (slab === undefined || used + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  // 8-byte steps keep each packet aligned for any typed-array view a consumer may take of it.
  used += (length + 7) & ~7;
  return out;
}
