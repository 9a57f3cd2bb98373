/**
 * The receive side's storage: in-order bytes waiting for read(), and out-of-order bytes
 * waiting for a gap to fill (RFC 9293 3.10.7.4 "seventh, process the segment text"; RFC 2018
 * for the SACK blocks that describe them).
 *
 * In-order data is a queue of chunks; read() takes from the front without moving the rest.
 *
 * Out-of-order data is kept as Linux keeps its collapsed out-of-order queue: the bytes in one
 * buffer indexed by stream offset, and which offsets are held in a RangeSet (util/), so that a
 * segment costs O(log n) in the number of held pieces, whatever the arrival order. Sequence
 * numbers (modulo 2^32, wire/seq.ts) become offsets from an anchor that moves with RCV.NXT.
 *
 * Memory is bounded: the caller only stores bytes inside the receive window, so the buffer
 * spans at most the window (it is sized to twice the span it must hold, and freed when the
 * last gap fills); and the number of disjoint pieces is capped (`maxPieces`, default
 * MAX_OOO_PIECES). A segment that would add a piece beyond the cap is dropped and counted
 * (`oooDropped`): it is the newest, and the peer sends it again, as Linux's tcp_prune_ofo_queue
 * drops what arrived last when the out-of-order queue outgrows its memory.
 */
import { type Range, RangeSet } from '../util/range-set.js';
import { seqAdd, seqDiff } from '../wire/seq.js';

/**
 * Disjoint out-of-order pieces held at most. A peer sending full segments into a 256 KiB window
 * can make at most 90 (one lost segment in two); 1,024 leaves room for windows of several MB
 * under heavy loss, while a peer sending every other byte cannot make the receiver keep more
 * than 1,024 ranges (about 60 KiB of bookkeeping).
 */
export const MAX_OOO_PIECES = 1024;

/** Offset given to the anchor, so that offsets stay positive within any window below it. */
const ORIGIN = 2 ** 32;
/** The smallest out-of-order buffer allocated. */
const MIN_STORE = 2048;
/** What read() returns when nothing is readable: shared, since nothing can be written into it. */
const EMPTY = new Uint8Array(0);
/**
 * In-order pieces at least this long are kept as views of their packet; shorter ones are
 * copied (a copy this small costs less than the slab it could otherwise keep alive).
 */
const KEEP_VIEW_BYTES = 512;
/**
 * Shared empties, so that a connection that holds nothing allocates nothing (an idle connection
 * should cost little): each field is given its own object on its first write.
 */
const NO_CHUNKS: Uint8Array[] = [];
const NOTHING_HELD = new RangeSet();
const NO_RANGES: Range[] = [];
const NO_BLOCKS: Array<[number, number]> = [];
/** SACK blocks remembered as recently changed (RFC 2018 4 reports at most 4). */
const RECENT = 8;

export class RecvBuffer {
  private queue: Uint8Array[] = NO_CHUNKS;
  private qHead = 0;
  /** Offset into queue[qHead] of the first unread byte. */
  private qOff = 0;
  private inOrder = 0;

  /** Out-of-order offsets held; offset(seq) = anchorOff + seqDiff(seq, anchorSeq). */
  private held = NOTHING_HELD;
  private anchorSeq = 0;
  private anchorOff = ORIGIN;
  /** The out-of-order bytes: store[i] is the byte at offset storeStart + i. */
  private store = EMPTY;
  private storeStart = 0;
  /**
   * The recently changed ranges, the newest first (RFC 2018 4), as they are now: a merge
   * replaces the ranges it swallows, delivery and dropping remove or trim them.
   */
  private recent: Range[] = NO_RANGES;
  private dropped = 0;

  constructor(readonly maxPieces = MAX_OOO_PIECES) {}

  /** In-order bytes not yet read (netstat Recv-Q). */
  get readable(): number {
    return this.inOrder;
  }

  /** Bytes held out of order. */
  get oooBytes(): number {
    return this.held.covered;
  }

  get hasOoo(): boolean {
    return this.held.count > 0;
  }

  /** Disjoint out-of-order pieces held (the SACK-able ranges). */
  get oooPieces(): number {
    return this.held.count;
  }

  /** Bytes allocated for out-of-order data (0 when nothing is held). */
  get oooCapacity(): number {
    return this.store.byteLength;
  }

  /** Out-of-order segments dropped because they would have exceeded `maxPieces`. */
  get oooDropped(): number {
    return this.dropped;
  }

  /**
   * Appends in-order bytes. `data` may be a view of the packet it arrived in (no copy: the stack
   * takes packets whose bytes are never written again, see Stack.handlePacket); a small piece is
   * copied instead, so that a few unread bytes cannot pin a large link buffer (a slab of many
   * packets).
   */
  push(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    if (this.queue === NO_CHUNKS) this.queue = [];
    this.queue.push(
      data.byteLength < KEEP_VIEW_BYTES && data.buffer.byteLength > data.byteLength
        ? data.slice()
        : data,
    );
    this.inOrder += data.byteLength;
  }

  read(max: number): Uint8Array {
    const want = Math.min(max, this.inOrder);
    if (want <= 0) return EMPTY;
    const first = this.queue[this.qHead] as Uint8Array;
    let out: Uint8Array;
    if (first.byteLength - this.qOff >= want) {
      out = first.subarray(this.qOff, this.qOff + want);
      this.advance(want);
      return out;
    }
    out = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const c = this.queue[this.qHead] as Uint8Array;
      const take = Math.min(want - filled, c.byteLength - this.qOff);
      out.set(c.subarray(this.qOff, this.qOff + take), filled);
      filled += take;
      this.advance(take);
    }
    return out;
  }

  private advance(n: number): void {
    this.inOrder -= n;
    this.qOff += n;
    const c = this.queue[this.qHead] as Uint8Array;
    if (this.qOff === c.byteLength) {
      this.qHead++;
      this.qOff = 0;
      if (this.qHead > 64 || this.qHead === this.queue.length) {
        this.queue = this.qHead === this.queue.length ? NO_CHUNKS : this.queue.slice(this.qHead);
        this.qHead = 0;
      }
    }
  }

  /**
   * Stores an out-of-order segment `[seq, seq + data.length)` (already trimmed to the window and
   * lying above rcvNxt). Overlaps with held data keep the bytes already held; the first of them
   * is returned as [left, right), the duplicate a D-SACK block reports (RFC 2883 4). A segment
   * that would make more than `maxPieces` pieces is dropped (and counted in `oooDropped`).
   */
  insertOoo(seq: number, data: Uint8Array): [number, number] | undefined {
    if (data.byteLength === 0) return undefined;
    if (this.held === NOTHING_HELD) this.held = new RangeSet();
    if (this.held.count === 0) {
      this.anchorSeq = seq;
      this.anchorOff = ORIGIN;
    }
    const a = this.offset(seq);
    const b = a + data.byteLength;
    if (this.held.count >= this.maxPieces && !this.held.touches(a, b)) {
      this.dropped++;
      return undefined;
    }
    const first = this.held.find(a);
    const dup: [number, number] | undefined =
      first !== undefined && first.start < b
        ? [this.seqOf(Math.max(a, first.start)), this.seqOf(Math.min(b, first.end))]
        : undefined;
    this.reserve(a, b);
    if (dup === undefined) this.store.set(data, a - this.storeStart);
    else {
      for (const g of this.held.gaps(a, b)) {
        this.store.set(data.subarray(g.start - a, g.end - a), g.start - this.storeStart);
      }
    }
    const merged = this.held.add(a, b);
    if (merged !== undefined) this.touch(merged.start, merged.end);
    return dup;
  }

  /**
   * Moves out-of-order data that now starts at (or below) `rcvNxt` into the in-order queue and
   * returns the new rcvNxt.
   */
  drainOoo(rcvNxt: number): number {
    if (this.held.count === 0) return rcvNxt;
    const from = this.offset(rcvNxt);
    let nxt = from;
    for (let r = this.held.first(); r !== undefined && r.start <= nxt; r = this.held.first()) {
      if (r.end > nxt) {
        // A copy: the store is reused, the queue's chunks are read later.
        this.push(this.store.slice(nxt - this.storeStart, r.end - this.storeStart));
        nxt = r.end;
      }
      this.held.removeBelow(r.end);
    }
    const next = seqAdd(rcvNxt, nxt - from);
    // Keep the anchor at RCV.NXT so that offsets stay within a window of it.
    this.anchorSeq = next;
    this.anchorOff = nxt;
    this.recent = this.recent.filter((r) => r.start >= nxt);
    if (this.held.count === 0) this.release();
    return next;
  }

  /** Drops out-of-order data at or beyond `edge` (the window shrank, or memory pressure). */
  dropOooFrom(edge: number): void {
    if (this.held.count === 0) return;
    const off = this.offset(edge);
    this.held.removeFrom(off);
    this.recent = this.recent.flatMap((r) =>
      r.start >= off ? [] : [r.end > off ? { start: r.start, end: off } : r],
    );
    if (this.held.count === 0) this.release();
  }

  /**
   * SACK blocks, the most recently changed first (RFC 2018 4), at most `max`. Past the ranges
   * changed recently (the last RECENT), the blocks are filled with the lowest ranges, those
   * nearest RCV.NXT.
   */
  sackBlocks(max: number): Array<[number, number]> {
    // Nothing held out of order: no blocks (the usual case, without an allocation).
    if (this.held.count === 0) return NO_BLOCKS;
    const out: Array<[number, number]> = [];
    const recent = this.recent;
    for (let i = 0; i < recent.length && out.length < max; i++) {
      const r = recent[i] as Range;
      out.push([this.seqOf(r.start), this.seqOf(r.end)]);
    }
    if (out.length >= max || out.length === this.held.count) return out;
    for (
      let r = this.held.first();
      r !== undefined && out.length < max;
      r = this.held.find(r.end)
    ) {
      const start = r.start;
      if (!recent.some((x) => x.start === start)) out.push([this.seqOf(start), this.seqOf(r.end)]);
    }
    return out;
  }

  /** [start, end) changed: it goes first among the recent ranges, replacing those it holds. */
  private touch(start: number, end: number): void {
    if (this.recent === NO_RANGES) this.recent = [];
    const recent = this.recent;
    let kept = 0;
    for (const r of recent) if (r.start < start || r.start >= end) recent[kept++] = r;
    recent.length = Math.min(kept, RECENT - 1);
    recent.unshift({ start, end });
  }

  private offset(seq: number): number {
    return this.anchorOff + seqDiff(seq, this.anchorSeq);
  }

  private seqOf(offset: number): number {
    return seqAdd(this.anchorSeq, offset - this.anchorOff);
  }

  /**
   * Makes the store cover [a, b) as well as every held range. A new store is twice the span
   * it must hold, with the spare room on the side the data grows to, so that any arrival
   * order copies each byte O(1) times on average.
   */
  private reserve(a: number, b: number): void {
    const end = this.storeStart + this.store.byteLength;
    if (a >= this.storeStart && b <= end) return;
    const lowest = this.held.first();
    const highest = this.held.last();
    const lo = Math.min(a, lowest?.start ?? a);
    const hi = Math.max(b, highest?.end ?? b);
    const size = Math.max(MIN_STORE, 2 * (hi - lo));
    const start = a < this.storeStart && lowest !== undefined ? hi - size : lo;
    const next = new Uint8Array(size);
    if (lowest !== undefined && highest !== undefined) {
      next.set(
        this.store.subarray(lowest.start - this.storeStart, highest.end - this.storeStart),
        lowest.start - start,
      );
    }
    this.store = next;
    this.storeStart = start;
  }

  private release(): void {
    this.store = EMPTY;
    this.storeStart = 0;
    this.recent = NO_RANGES;
    this.held = NOTHING_HELD;
  }
}
