/**
 * The receive side's storage: in-order bytes waiting for read(), and out-of-order segments
 * waiting for a gap to fill (RFC 9293 3.10.7.4 "seventh, process the segment text"; RFC 2018
 * for the SACK blocks that describe them).
 *
 * In-order data is a queue of chunks; read() takes from the front without moving the rest.
 * Out-of-order data is a short sorted list of non-overlapping ranges, each a list of chunks.
 * Sequence numbers are modulo 2^32 (wire/seq.ts).
 */
import { seqAdd, seqDiff, seqGt, seqLe, seqLt, seqMax, seqMin } from '../wire/seq.js';

interface OooRange {
  /** First sequence number held. */
  left: number;
  /** One past the last sequence number held. */
  right: number;
  chunks: Uint8Array[];
  /** Bumped on every insert that touches this range: RFC 2018 4 reports the newest first. */
  touched: number;
}

export class RecvBuffer {
  private queue: Uint8Array[] = [];
  private qHead = 0;
  /** Offset into queue[qHead] of the first unread byte. */
  private qOff = 0;
  private inOrder = 0;
  private ooo: OooRange[] = [];
  private oooBytesHeld = 0;
  private clock = 0;

  /** In-order bytes not yet read (netstat Recv-Q). */
  get readable(): number {
    return this.inOrder;
  }

  /** Bytes held out of order. */
  get oooBytes(): number {
    return this.oooBytesHeld;
  }

  get hasOoo(): boolean {
    return this.ooo.length > 0;
  }

  /** Appends in-order bytes. The caller passes bytes it owns (never a view of a link buffer). */
  push(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    this.queue.push(data);
    this.inOrder += data.byteLength;
  }

  read(max: number): Uint8Array {
    const want = Math.min(max, this.inOrder);
    if (want <= 0) return new Uint8Array(0);
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
        this.queue = this.queue.slice(this.qHead);
        this.qHead = 0;
      }
    }
  }

  /**
   * Stores an out-of-order segment `[seq, seq + data.length)` (already trimmed to the window and
   * lying above rcvNxt). Overlaps with held data keep the bytes already held; the first of them
   * is returned as [left, right), the duplicate a D-SACK block reports (RFC 2883 4).
   */
  insertOoo(seq: number, data: Uint8Array): [number, number] | undefined {
    if (data.byteLength === 0) return undefined;
    let dup: [number, number] | undefined;
    let left = seq;
    const right = seqAdd(seq, data.byteLength);
    this.clock++;
    // Walk ranges in order, filling the gaps between them with slices of data.
    const pieces: Array<{ at: number; bytes: Uint8Array }> = [];
    for (const r of this.ooo) {
      if (seqLe(right, left)) break;
      if (seqLe(r.right, left)) continue;
      if (seqLe(right, r.left)) break;
      if (seqLt(left, r.left)) {
        pieces.push({ at: left, bytes: data.subarray(seqDiff(left, seq), seqDiff(r.left, seq)) });
      }
      r.touched = this.clock;
      dup ??= [seqMax(left, r.left), seqMin(r.right, right)];
      left = r.right;
    }
    if (seqLt(left, right)) pieces.push({ at: left, bytes: data.subarray(seqDiff(left, seq)) });
    for (const p of pieces) {
      this.oooBytesHeld += p.bytes.byteLength;
      this.ooo.push({
        left: p.at,
        right: seqAdd(p.at, p.bytes.byteLength),
        chunks: [p.bytes],
        touched: this.clock,
      });
    }
    this.ooo.sort((a, b) => seqDiff(a.left, b.left));
    // Merge adjacent ranges so SACK blocks describe contiguous runs.
    const merged: OooRange[] = [];
    for (const r of this.ooo) {
      const prev = merged[merged.length - 1];
      if (prev !== undefined && prev.right === r.left) {
        prev.right = r.right;
        prev.chunks.push(...r.chunks);
        prev.touched = Math.max(prev.touched, r.touched);
      } else merged.push(r);
    }
    this.ooo = merged;
    return dup;
  }

  /**
   * Moves out-of-order data that now starts at (or below) `rcvNxt` into the in-order queue and
   * returns the new rcvNxt.
   */
  drainOoo(rcvNxt: number): number {
    let nxt = rcvNxt;
    while (this.ooo.length > 0) {
      const r = this.ooo[0] as OooRange;
      if (seqGt(r.left, nxt)) break;
      this.ooo.shift();
      let at = r.left;
      for (const c of r.chunks) {
        this.oooBytesHeld -= c.byteLength;
        const end = seqAdd(at, c.byteLength);
        if (seqGt(end, nxt)) {
          this.push(c.subarray(Math.max(0, seqDiff(nxt, at))));
          nxt = end;
        }
        at = end;
      }
    }
    return nxt;
  }

  /** Drops out-of-order data at or beyond `edge` (the window shrank, or memory pressure). */
  dropOooFrom(edge: number): void {
    this.ooo = this.ooo.filter((r) => {
      if (seqLe(edge, r.left)) {
        this.oooBytesHeld -= seqDiff(r.right, r.left);
        return false;
      }
      return true;
    });
  }

  /** SACK blocks, the most recently changed first (RFC 2018 4), at most `max`. */
  sackBlocks(max: number): Array<[number, number]> {
    return [...this.ooo]
      .sort((a, b) => b.touched - a.touched)
      .slice(0, max)
      .map((r) => [r.left, r.right] as [number, number]);
  }
}
