/**
 * A sorted set of disjoint half-open ranges [start, end) over plain numbers, merged on insert:
 * what a TCP receiver holds out of order, or what a sender knows was SACKed.
 *
 * Offsets are ordinary integers (safe up to 2^53), not sequence numbers modulo 2^32: a caller
 * with sequence numbers converts them to offsets from a base of its own first. Ranges that
 * touch ([0, 5) and [5, 9)) are merged into one, as a SACK block would describe them.
 *
 * The ranges are nodes of an AVL tree keyed by their start, so insert-and-merge, lookup and
 * removal cost O(log n) each, plus O(log n) for every range a merge swallows (each range is
 * swallowed once, so that part is amortized over the inserts that created them).
 */

/** A range [start, end): start < end. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

interface Node {
  start: number;
  end: number;
  left: Node | undefined;
  right: Node | undefined;
  height: number;
}

const height = (n: Node | undefined): number => (n === undefined ? 0 : n.height);

function update(n: Node): Node {
  n.height = 1 + Math.max(height(n.left), height(n.right));
  return n;
}

function rotateRight(n: Node): Node {
  const l = n.left as Node;
  n.left = l.right;
  l.right = update(n);
  return update(l);
}

function rotateLeft(n: Node): Node {
  const r = n.right as Node;
  n.right = r.left;
  r.left = update(n);
  return update(r);
}

function balance(n: Node): Node {
  update(n);
  const bf = height(n.left) - height(n.right);
  if (bf > 1) {
    const l = n.left as Node;
    if (height(l.left) < height(l.right)) n.left = rotateLeft(l);
    return rotateRight(n);
  }
  if (bf < -1) {
    const r = n.right as Node;
    if (height(r.right) < height(r.left)) n.right = rotateRight(r);
    return rotateLeft(n);
  }
  return n;
}

function insert(n: Node | undefined, start: number, end: number): Node {
  if (n === undefined) return { start, end, left: undefined, right: undefined, height: 1 };
  if (start < n.start) n.left = insert(n.left, start, end);
  else n.right = insert(n.right, start, end);
  return balance(n);
}

function minNode(n: Node): Node {
  let m = n;
  while (m.left !== undefined) m = m.left;
  return m;
}

function removeMin(n: Node): Node | undefined {
  if (n.left === undefined) return n.right;
  n.left = removeMin(n.left);
  return balance(n);
}

function remove(n: Node | undefined, start: number): Node | undefined {
  if (n === undefined) return undefined;
  if (start < n.start) n.left = remove(n.left, start);
  else if (start > n.start) n.right = remove(n.right, start);
  else {
    if (n.left === undefined) return n.right;
    if (n.right === undefined) return n.left;
    const m = minNode(n.right);
    m.right = removeMin(n.right);
    m.left = n.left;
    return balance(m);
  }
  return balance(n);
}

const copy = (n: Node): Range => ({ start: n.start, end: n.end });

export class RangeSet {
  private root: Node | undefined;
  private n = 0;
  private bytes = 0;

  /** Number of disjoint ranges. */
  get count(): number {
    return this.n;
  }

  /** Total length of the ranges. */
  get covered(): number {
    return this.bytes;
  }

  clear(): void {
    this.root = undefined;
    this.n = 0;
    this.bytes = 0;
  }

  /**
   * Adds [start, end), merging it with every range it overlaps or touches. Returns the range
   * that now holds it; undefined (and nothing changes) when the range is empty.
   */
  add(start: number, end: number): Range | undefined {
    if (!(start < end)) return undefined;
    // The range that will hold the result is changed in place where the tree's order allows:
    // the one before when it touches (its start stays), else the one after when it touches
    // (its start moves down, still above the one before). Only swallowed ranges leave the tree.
    let host = this.floorNode(start);
    if (host === undefined || host.end < start) {
      host = this.ceilNode(start);
      if (host === undefined || host.start > end) {
        this.root = insert(this.root, start, end);
        this.n++;
        this.bytes += end - start;
        return { start, end };
      }
      this.bytes -= host.end - host.start;
      host.start = start;
    } else this.bytes -= host.end - host.start;
    host.end = Math.max(host.end, end);
    for (let next = this.higherNode(host.start); next !== undefined && next.start <= host.end; ) {
      host.end = Math.max(host.end, next.end);
      this.removeNode(next);
      next = this.higherNode(host.start);
    }
    this.bytes += host.end - host.start;
    return copy(host);
  }

  /** The range holding `offset`, if any. */
  containing(offset: number): Range | undefined {
    const f = this.floorNode(offset);
    return f !== undefined && offset < f.end ? copy(f) : undefined;
  }

  /** The range holding `offset`, or else the first range after it. */
  find(offset: number): Range | undefined {
    const f = this.floorNode(offset);
    if (f !== undefined && offset < f.end) return copy(f);
    const c = this.ceilNode(offset);
    return c === undefined ? undefined : copy(c);
  }

  /** True when [start, end) would merge with a range held (overlap or touch). */
  touches(start: number, end: number): boolean {
    const f = this.floorNode(start);
    if (f !== undefined && f.end >= start) return true;
    const c = this.ceilNode(start);
    return c !== undefined && c.start <= end;
  }

  /** The parts of [start, end) that no range covers, in order. */
  gaps(start: number, end: number): Range[] {
    const out: Range[] = [];
    let pos = start;
    const f = this.floorNode(pos);
    if (f !== undefined && f.end > pos) pos = f.end;
    while (pos < end) {
      const c = this.ceilNode(pos);
      if (c === undefined || c.start >= end) {
        out.push({ start: pos, end });
        break;
      }
      if (c.start > pos) out.push({ start: pos, end: c.start });
      pos = c.end;
    }
    return out;
  }

  first(): Range | undefined {
    return this.root === undefined ? undefined : copy(minNode(this.root));
  }

  last(): Range | undefined {
    let m = this.root;
    if (m === undefined) return undefined;
    while (m.right !== undefined) m = m.right;
    return copy(m);
  }

  /** Forgets everything below `offset` (a range across it keeps its part from `offset`). */
  removeBelow(offset: number): void {
    for (let m = this.minNode(); m !== undefined && m.start < offset; m = this.minNode()) {
      if (m.end > offset) {
        // Still the smallest start, below its successor's: the tree's order holds.
        this.bytes -= offset - m.start;
        m.start = offset;
        return;
      }
      this.removeNode(m);
    }
  }

  /** Forgets everything at or above `offset` (a range across it keeps its part below). */
  removeFrom(offset: number): void {
    for (let m = this.maxNode(); m !== undefined && m.end > offset; m = this.maxNode()) {
      if (m.start < offset) {
        this.bytes -= m.end - offset;
        m.end = offset;
        return;
      }
      this.removeNode(m);
    }
  }

  /** The ranges in order. */
  *[Symbol.iterator](): IterableIterator<Range> {
    const stack: Node[] = [];
    let n = this.root;
    while (n !== undefined || stack.length > 0) {
      while (n !== undefined) {
        stack.push(n);
        n = n.left;
      }
      const top = stack.pop() as Node;
      yield copy(top);
      n = top.right;
    }
  }

  private removeNode(node: Node): void {
    this.bytes -= node.end - node.start;
    this.n--;
    this.root = remove(this.root, node.start);
  }

  private minNode(): Node | undefined {
    return this.root === undefined ? undefined : minNode(this.root);
  }

  private maxNode(): Node | undefined {
    let m = this.root;
    while (m?.right !== undefined) m = m.right;
    return m;
  }

  /** The node with the greatest start <= key. */
  private floorNode(key: number): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n !== undefined) {
      if (n.start <= key) {
        best = n;
        n = n.right;
      } else n = n.left;
    }
    return best;
  }

  /** The node with the least start > key. */
  private higherNode(key: number): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n !== undefined) {
      if (n.start > key) {
        best = n;
        n = n.left;
      } else n = n.right;
    }
    return best;
  }

  /** The node with the least start >= key. */
  private ceilNode(key: number): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n !== undefined) {
      if (n.start >= key) {
        best = n;
        n = n.left;
      } else n = n.right;
    }
    return best;
  }
}
