/**
 * Which traced changes belong to the watched network namespace. The tracepoint is global: it
 * fires for every namespace's sockets and carries neither a namespace nor a cookie (see its
 * `format` file), and two namespaces can use the same addresses and ports, so a 4-tuple proves
 * nothing. What does tell, per socket (skaddr) and per connection on it:
 *
 * 1. a change made in process context (the trace's flags: no softirq, no interrupt) was made by
 *    a system call of the task the trace names on this very socket (connect, listen, close,
 *    shutdown); that task's network namespace (/proc/PID/ns/net) is the socket's;
 * 2. the socket's kernel address among the watched namespace's own sockets, as its
 *    /proc/net/tcp{,6} lists them (their kernel addresses, where the kernel shows them): present
 *    means ours; absent from two reads, the connection not ended, means another namespace's
 *    (the caller applies a read only once every change traced before it has been added).
 *
 * A child of a listener is born in a softirq (LISTEN -> SYN_RECV) and waits for one of these;
 * its changes are held meanwhile and released in order. A connection that ends before either
 * tells is left out, and counted. Pure bookkeeping: the caller reads the kernel.
 */
import type { HostTransition } from './watch-tracker.js';

export type NetnsVerdict = 'ours' | 'theirs';

interface Pending {
  changes: HostTransition[];
  /** Table reads that did not list the socket. */
  absences: number;
}

/** A change that only a new connection makes (as in watch-tracker.ts). */
function isBirth(change: HostTransition): boolean {
  return change.from === 'CLOSED' || (change.from === 'LISTEN' && change.to === 'SYN_RECV');
}

function ends(change: HostTransition): boolean {
  return change.to === 'CLOSED' || change.reported !== undefined;
}

export class NetnsSorter {
  /** Verdicts of the connections now on each socket address. */
  private readonly verdicts = new Map<string, NetnsVerdict>();
  private readonly pending = new Map<string, Pending>();
  private unknown = 0;

  constructor(private readonly emit: (change: HostTransition) => void) {}

  /** Connections that ended before their namespace could be told (left out). */
  get undecided(): number {
    return this.unknown;
  }

  /** Socket addresses whose connection waits for a verdict. */
  get waiting(): string[] {
    return [...this.pending.keys()];
  }

  /** A change, with the verdict its task gives when it was made in process context. */
  add(change: HostTransition, byTask: NetnsVerdict | undefined): void {
    const sk = change.skaddr;
    if (sk === undefined) {
      // Its twin with skaddr was lost: only its own task can still tell.
      if (byTask !== 'theirs') this.emit(change);
      return;
    }
    if (isBirth(change)) this.forget(sk);
    const verdict = byTask ?? this.verdicts.get(sk);
    if (verdict) {
      this.decide(sk, verdict);
      if (verdict === 'ours') this.emit(change);
    } else {
      const waiting = this.pending.get(sk);
      if (waiting) waiting.changes.push(change);
      else this.pending.set(sk, { changes: [change], absences: 0 });
    }
    if (ends(change)) {
      if (this.pending.has(sk)) {
        // Its end came before its namespace was known: nothing will tell any more.
        this.pending.delete(sk);
        this.unknown++;
      }
      this.verdicts.delete(sk);
    }
  }

  /**
   * The watched namespace's socket addresses, read after every change traced before the read
   * was handed to add(): a waiting socket listed there is ours; one missing from two such reads,
   * its connection not ended, is another namespace's (one read alone could fall in the moment
   * between a child socket's birth and its hashing).
   */
  sortByTable(ours: ReadonlySet<string>): void {
    for (const [sk, waiting] of [...this.pending]) {
      if (ours.has(sk)) this.decide(sk, 'ours');
      else if (++waiting.absences >= 2) this.decide(sk, 'theirs');
    }
  }

  /** The watch ends: what still waits is counted as undecided. */
  finish(): void {
    this.unknown += this.pending.size;
    this.pending.clear();
  }

  private decide(sk: string, verdict: NetnsVerdict): void {
    this.verdicts.set(sk, verdict);
    const waiting = this.pending.get(sk);
    if (!waiting) return;
    this.pending.delete(sk);
    if (verdict === 'ours') for (const change of waiting.changes) this.emit(change);
  }

  /** A new connection on this address: the previous one's verdict does not carry over. */
  private forget(sk: string): void {
    this.verdicts.delete(sk);
    if (this.pending.delete(sk)) this.unknown++;
  }
}

/** What the pointer column of /proc/net/tcp{,6} shows. */
export interface ProcSocketAddresses {
  /** As the trace prints skaddr: `0x…`, lowercase, no leading zeros. */
  addresses: Set<string>;
  /**
   * The kernel hides them (kernel.kptr_restrict): zeros, or on a 64-bit kernel the hashed
   * values of `%pK` with kptr_restrict 0 (the upper half is zero, which a kernel address never
   * is). Then the table tells nothing.
   */
  hidden: boolean;
}

/** The kernel addresses in /proc/net/tcp or tcp6 text: the column after the refcount (%pK). */
export function procSocketAddresses(text: string): ProcSocketAddresses {
  const addresses = new Set<string>();
  let hidden = false;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode refcount pointer …
    if (fields.length < 12 || !/^\d+:$/.test(fields[0])) continue;
    const pointer = fields[11].toLowerCase();
    if (!/^[0-9a-f]{8,16}$/.test(pointer)) continue;
    if (/^0+$/.test(pointer) || (pointer.length === 16 && pointer.startsWith('00000000'))) {
      hidden = true;
      continue;
    }
    addresses.add(`0x${pointer.replace(/^0+/, '')}`);
  }
  return { addresses, hidden };
}
