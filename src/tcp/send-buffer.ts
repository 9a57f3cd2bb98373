/**
 * The send buffer: bytes the application queued and the peer has not yet acknowledged.
 *
 * Storage is a list of append-only blocks. A byte, once written into a block, never changes, so
 * a segment's payload can be a zero-copy `subarray` that stays valid after later writes and
 * after the bytes are acknowledged. Appending copies each user byte once; acknowledging drops
 * whole blocks from the front. No operation is O(buffered bytes).
 */

/**
 * Block sizes: a write gets a block about its own size, between these bounds, so bulk writes
 * copy into few large blocks and an interactive connection holds only a small one.
 */
const MIN_BLOCK = 2 * 1024;
const MAX_BLOCK = 64 * 1024;

interface Block {
  buf: Uint8Array;
  /** First byte still buffered (bytes before it have been acknowledged). */
  start: number;
  /** One past the last byte written. */
  end: number;
}

/** Shared by every empty buffer (an idle connection allocates no list); written into never. */
const NO_BLOCKS: Block[] = [];

export class SendBuffer {
  private blocks: Block[] = NO_BLOCKS;
  /** Index of the first live block (blocks before it are dropped lazily). */
  private head = 0;
  private bytes = 0;

  /** Settable: FreeBSD-style MSS rounding (config.roundBuffersToMss) may grow it. */
  constructor(public capacity: number) {}

  /** Bytes buffered: sent but unacknowledged, plus not yet sent. */
  get length(): number {
    return this.bytes;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.bytes);
  }

  /** Appends as much of `data` as fits; returns the number of bytes taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.byteLength, this.free);
    let done = 0;
    while (done < n) {
      let last = this.blocks.length > this.head ? this.blocks[this.blocks.length - 1] : undefined;
      if (last === undefined || last.end === last.buf.byteLength) {
        const size = Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, n - done));
        last = { buf: new Uint8Array(size), start: 0, end: 0 };
        if (this.blocks === NO_BLOCKS) this.blocks = [];
        this.blocks.push(last);
      }
      const take = Math.min(n - done, last.buf.byteLength - last.end);
      last.buf.set(data.subarray(done, done + take), last.end);
      last.end += take;
      done += take;
    }
    this.bytes += n;
    return n;
  }

  /** Drops `n` bytes from the front (they were acknowledged). */
  consume(n: number): void {
    let left = Math.min(n, this.bytes);
    this.bytes -= left;
    while (left > 0) {
      const b = this.blocks[this.head] as Block;
      const take = Math.min(left, b.end - b.start);
      b.start += take;
      left -= take;
      if (b.start === b.end && b.end === b.buf.byteLength) this.head++;
    }
    if (this.bytes === 0) {
      // Idle: hold no memory (an idle connection should cost little; views handed out as
      // payloads keep their own block alive as long as they need it).
      this.blocks = NO_BLOCKS;
      this.head = 0;
    } else if (this.head > 32) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * `len` bytes starting `offset` bytes after the front. Zero-copy when the range lies in one
   * block (the usual case); otherwise one copy.
   */
  peek(offset: number, len: number): Uint8Array {
    const want = Math.max(0, Math.min(len, this.bytes - offset));
    if (want === 0) return new Uint8Array(0);
    let skip = offset;
    let i = this.head;
    for (; i < this.blocks.length; i++) {
      const b = this.blocks[i] as Block;
      const have = b.end - b.start;
      if (skip < have) break;
      skip -= have;
    }
    const first = this.blocks[i] as Block;
    const from = first.start + skip;
    if (from + want <= first.end) return first.buf.subarray(from, from + want);
    const out = new Uint8Array(want);
    let filled = 0;
    let pos = from;
    for (; filled < want; i++) {
      const b = this.blocks[i] as Block;
      if (filled > 0) pos = b.start;
      const take = Math.min(want - filled, b.end - pos);
      out.set(b.buf.subarray(pos, pos + take), filled);
      filled += take;
    }
    return out;
  }
}
