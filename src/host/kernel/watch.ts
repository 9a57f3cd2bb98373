/**
 * `tcpstate watch`: the kernel's TCP state changes as they happen, from the tracefs event
 * sock/inet_sock_set_state read through a tracing instance of our own, or, where that is not
 * possible, by polling /proc/net/tcp{,6}. Both feed one TransitionTracker, which adds the time
 * spent in each state and the connections' lifetimes.
 *
 * trace_pipe is read by a `cat` child process: a read on it blocks in the kernel until an event
 * comes, and a blocked read on Node's thread pool cannot be cancelled, so stopping would hang;
 * killing the child ends the read at once, after which the instance can be removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type KernelTransition,
  kernelTransitionEvent,
  parseTraceFieldsLine,
  parseTraceLine,
} from '../trace-line.js';
import { TracePairer } from '../trace-pair.js';
import { eventMatches, type WatchFilter } from '../watch-filter.js';
import { NetnsSorter, type NetnsVerdict } from '../watch-netns.js';
import {
  type HostChange,
  type HostTransition,
  TransitionTracker,
  type WatchEvent,
  type WatchSource,
} from '../watch-tracker.js';
import { correctTimeWait, mayBeTimeWait, readTimeWaitSockets } from './trace-timewait.js';
import { type TraceFilter, TraceInstance, tracefsUnavailable } from './tracefs.js';
import {
  type NetnsView,
  revealSocketAddresses,
  TaskNetns,
  viewSocketAddresses,
  viewSockets,
  watchedNetns,
} from './watch-netns.js';
import { ProcPoller } from './watch-poll.js';

export interface WatchOptions {
  /** 'auto' (default): tracefs when possible, else polling. */
  source?: 'auto' | WatchSource;
  /** Polling interval in ms (default 100). */
  intervalMs?: number;
  filter?: WatchFilter;
  onEvent: (event: WatchEvent, source: WatchSource) => void;
  /** Things the user should know once (fallbacks and their limits). */
  onNote?: (note: string) => void;
  /**
   * tracefs: look changes to CLOSED from FIN_WAIT1/FIN_WAIT2/CLOSING up in /proc/net/tcp and
   * report TIME_WAIT when that is where the connection went (default true; see trace-timewait.ts).
   */
  checkTimeWait?: boolean;
  /**
   * The network namespace to watch: a name (/run/netns) or a pid; default, the one watch runs
   * in. Only that namespace's sockets are reported (see host/watch-netns.ts for how).
   */
  netns?: string;
  /** For tests: where /proc/net lives (then every namespace's changes are reported). */
  procNet?: string;
}

export interface WatchSession {
  readonly source: WatchSource;
  readonly tracker: TransitionTracker;
  /** The tracing instance directory (tracefs source), for tests and diagnostics. */
  readonly instanceDir?: string;
  /** Stops reading and undoes every tracing change; resolves when all is cleaned up. */
  stop(): Promise<void>;
  /**
   * Connections left out because they ended before their namespace could be told (tracefs);
   * final once stop() has resolved.
   */
  readonly undecided: number;
  /** The namespace watched (`this namespace`, `netns NAME`, `pid N`). */
  readonly netns: string;
}

export const DEFAULT_POLL_INTERVAL_MS = 100;
/** How long a change to CLOSED waits before its TIME_WAIT lookup (batching a burst of them). */
const TIME_WAIT_LOOKUP_DELAY_MS = 10;
/**
 * How long an event waits for its twin from the skaddr instance before going out without.
 * Twins come microseconds apart; the wait matters only on a loaded machine, where the second
 * reader lags and a line without skaddr cannot be told apart from a reused socket or sorted by
 * namespace, so it is generous.
 */
const TWIN_WAIT_MS = 500;
/** How often the watched namespace's socket table is read while a connection awaits its verdict. */
const TABLE_READ_MS = 40;
/** The trace_marker text that follows a table read through the pipe. */
const TABLE_MARKER = 'tcpstate-table-';
const TABLE_MARKER_LINE = /tracing_mark_write: tcpstate-table-(\d+)\s*$/;

function safeAddresses(view: NetnsView): ReturnType<typeof viewSocketAddresses> | undefined {
  try {
    return viewSocketAddresses(view);
  } catch {
    return undefined;
  }
}

export async function startWatch(options: WatchOptions): Promise<WatchSession> {
  const source = options.source ?? 'auto';
  const filter = options.filter ?? {};
  const view =
    options.procNet !== undefined ? fixedView(options.procNet) : await watchedNetns(options.netns);
  if (source !== 'poll') {
    const why = tracefsUnavailable();
    if (!why) {
      try {
        return startTrace(options, filter, view);
      } catch (err) {
        const message = `cannot trace with tracefs (${(err as Error).message})`;
        if (source === 'tracefs') throw new TraceUnavailableError(message);
        options.onNote?.(message);
      }
    } else if (source === 'tracefs') {
      throw new TraceUnavailableError(why);
    } else {
      options.onNote?.(`${why}; polling /proc/net/tcp instead`);
    }
  }
  return startPoll(options, filter, view);
}

/** A /proc/net directory given by a test: no namespace sorting. */
function fixedView(dir: string): NetnsView {
  return { label: dir, inode: 0, read: (fn) => fn(dir) };
}

export class TraceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceUnavailableError';
  }
}

/**
 * The trace prints `<...>` when the task's name is not in tracefs's saved_cmdlines cache (a
 * global setting an instance does not change); /proc/PID/comm then usually still has it.
 */
function taskName(pid: number, task: string): string {
  if (task !== '<...>' || pid === 0) return task;
  const known = commCache.get(pid);
  if (known !== undefined) return known;
  let name = task;
  try {
    name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || task;
  } catch {
    // The task has exited: keep `<...>`.
  }
  // Pids are reused, so the cache is kept small and short-lived.
  if (commCache.size >= COMM_CACHE_SIZE) commCache.clear();
  commCache.set(pid, name);
  return name;
}

const COMM_CACHE_SIZE = 256;
const commCache = new Map<number, string>();

/** A `cat` of one trace_pipe, line by line; `done` resolves once it has exited. */
function readPipe(
  path: string,
  onLine: (line: string) => void,
  onError: (err: Error) => void,
): { child: ChildProcess; done: Promise<void> } {
  const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'ignore'] });
  const done = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    // No `cat` (a minimal container): nothing will be read; say so instead of crashing.
    child.once('error', (err) => {
      onError(err);
      resolve();
    });
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
  return { child, done };
}

function startTrace(options: WatchOptions, filter: WatchFilter, view: NetnsView): WatchSession {
  const traceFilter: TraceFilter = {
    ...(filter.ports ? { ports: filter.ports } : {}),
    ...(filter.family ? { family: filter.family } : {}),
  };
  const instance = TraceInstance.open(traceFilter);
  // A second instance prints the same events with every field, for skaddr (trace-pair.ts).
  let skInstance: TraceInstance | undefined;
  try {
    skInstance = TraceInstance.open(traceFilter, `${instance.name}-sk`, { fields: true });
  } catch (err) {
    options.onNote?.(
      `sockets are told apart by their addresses, not by skaddr, and every namespace's are shown (${(err as Error).message})`,
    );
  }
  const tracker = new TransitionTracker({ endAtTimeWait: true });
  // Trace timestamps are CLOCK_MONOTONIC seconds (trace_clock mono); hrtime reads the same clock.
  const epochOffsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  const checkTimeWait = options.checkTimeWait ?? true;

  // Changes wait here, in order, while a possible TIME_WAIT among them is being looked up.
  const queue: HostTransition[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let lookupCostMs = 0;
  const emit = (input: HostChange): void => {
    const event = tracker.record(input);
    if (eventMatches(event, filter)) options.onEvent(event, 'tracefs');
  };
  const flush = (): void => {
    flushTimer = undefined;
    const started = performance.now();
    const timeWait = view.read((dir) => readTimeWaitSockets(dir));
    lookupCostMs = performance.now() - started;
    for (const input of queue.splice(0)) emit(correctTimeWait(input, timeWait));
  };
  const accept = (input: HostTransition): void => {
    if (!checkTimeWait || (queue.length === 0 && !mayBeTimeWait(input))) {
      emit(input);
      return;
    }
    queue.push(input);
    // A short wait batches the lookups of a burst of closes into one read of /proc; on a host
    // where that read is slow, wait longer so that reading stays a small share of the time.
    flushTimer ??= setTimeout(flush, Math.max(TIME_WAIT_LOOKUP_DELAY_MS, lookupCostMs * 10));
  };

  // Only the watched namespace's connections go on (host/watch-netns.ts says how).
  const sortNetns = options.procNet === undefined;
  const sorter = new NetnsSorter(accept);
  const tasks = new TaskNetns(view.inode);
  const taskVerdicts = new WeakMap<KernelTransition, NetnsVerdict>();
  let undoReveal = sortNetns ? revealSocketAddresses() : undefined;
  if (undoReveal) {
    options.onNote?.(
      'kernel.kptr_restrict set from 0 to 1 while watching, so that /proc/net/tcp shows socket addresses to root (put back at the end)',
    );
  }
  // A table read is applied only once every change traced before it has reached the sorter:
  // a marker written into the instance right after the read comes out of trace_pipe after all
  // earlier events (the pipe merges the CPUs in time order), and is applied when the pairer
  // has let out every line received before it. Without this, a close still on its way could
  // make one of ours look like another namespace's on a loaded machine.
  let tableTimer: NodeJS.Timeout | undefined;
  let hiddenNoted = false;
  let linesIn = 0;
  let linesOut = 0;
  let markerSeq = 0;
  const sentTables = new Map<number, ReadonlySet<string>>();
  const arrivedTables: { linesBefore: number; addresses: ReadonlySet<string> }[] = [];
  const applyTables = (): void => {
    while (arrivedTables.length > 0 && arrivedTables[0].linesBefore <= linesOut) {
      sorter.sortByTable((arrivedTables.shift() as { addresses: ReadonlySet<string> }).addresses);
    }
    if (sorter.waiting.length > 0) tableTimer ??= setTimeout(readTable, TABLE_READ_MS);
  };
  const readTable = (): void => {
    tableTimer = undefined;
    if (sentTables.size > 0) return; // one in flight at a time; its marker reschedules
    let table = safeAddresses(view);
    if (table?.hidden) {
      // Another watch may have put kptr_restrict back to 0: ask again.
      undoReveal ??= revealSocketAddresses();
      table = safeAddresses(view);
    }
    if (!table || table.hidden) {
      if (!hiddenNoted) {
        hiddenNoted = true;
        options.onNote?.(
          `/proc/net/tcp hides socket addresses (kernel.kptr_restrict); an accepted connection is shown once its process acts on it (${view.label})`,
        );
      }
      return;
    }
    const seq = ++markerSeq;
    sentTables.set(seq, table.addresses);
    try {
      instance.mark(`${TABLE_MARKER}${seq}`);
    } catch {
      sentTables.delete(seq);
    }
  };
  const onMarker = (line: string): boolean => {
    const m = TABLE_MARKER_LINE.exec(line);
    if (!m) return false;
    const seq = Number(m[1]);
    const addresses = sentTables.get(seq);
    sentTables.delete(seq);
    if (addresses) arrivedTables.push({ linesBefore: linesIn, addresses });
    applyTables();
    return true;
  };
  const onTransition = (t: KernelTransition, skaddr: string | undefined): void => {
    linesOut++;
    const input = kernelTransitionEvent(t, {
      time: Math.round(epochOffsetMs + t.timestamp * 1000),
      process: taskName(t.pid, t.task),
      ...(skaddr !== undefined ? { skaddr } : {}),
    });
    if (!sortNetns) {
      accept(input);
      return;
    }
    sorter.add(input, taskVerdicts.get(t));
    applyTables();
  };

  const pairer = new TracePairer(onTransition, TWIN_WAIT_MS);
  let pairTimer: NodeJS.Timeout | undefined;
  const afterPairing = (): void => {
    if (pairer.waiting && !pairTimer) {
      pairTimer = setTimeout(() => {
        pairTimer = undefined;
        pairer.drain(performance.now());
        afterPairing();
      }, TWIN_WAIT_MS);
    }
  };
  const readers: { child: ChildProcess; done: Promise<void> }[] = [];
  const readError = (err: Error): void => {
    options.onNote?.(`cannot read the trace with \`cat\`: ${err.message}`);
  };
  try {
    readers.push(
      readPipe(
        instance.pipePath,
        (line) => {
          const t = parseTraceLine(line);
          if (!t) {
            onMarker(line);
            return;
          }
          linesIn++;
          // The task's namespace is looked up at once, before the wait for the twin line: a
          // short-lived client may be gone a few hundred milliseconds later.
          if (sortNetns && t.context === 'process') {
            const verdict = tasks.verdict(t.pid);
            if (verdict) taskVerdicts.set(t, verdict);
          }
          if (!skInstance) {
            onTransition(t, undefined);
            return;
          }
          pairer.addTransition(t, performance.now());
          afterPairing();
        },
        readError,
      ),
    );
    if (skInstance) {
      readers.push(
        readPipe(
          skInstance.pipePath,
          (line) => {
            const f = parseTraceFieldsLine(line);
            if (!f) return;
            pairer.addFields(f, performance.now());
            afterPairing();
          },
          readError,
        ),
      );
    }
  } catch (err) {
    for (const r of readers) r.child.kill('SIGTERM');
    skInstance?.close();
    instance.close();
    throw err;
  }

  // If the process ends without stop() (process.exit on EPIPE, an uncaught error), the readers
  // would outlive it and keep the instances busy: end them and remove the instances right here.
  const onExit = (): void => {
    for (const r of readers) r.child.kill('SIGKILL');
    try {
      skInstance?.close();
      instance.close();
    } catch {
      // Left for the next run's clean-up of instances whose process is gone.
    }
  };
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  return {
    source: 'tracefs',
    tracker,
    instanceDir: instance.dir,
    netns: view.label,
    get undecided() {
      return sorter.undecided;
    },
    stop() {
      stopping ??= (async () => {
        for (const r of readers) r.child.kill('SIGTERM');
        await Promise.all(readers.map((r) => r.done));
        if (pairTimer) clearTimeout(pairTimer);
        pairer.drain(performance.now(), true);
        if (tableTimer) clearTimeout(tableTimer);
        sorter.finish();
        undoReveal?.();
        if (flushTimer) {
          clearTimeout(flushTimer);
          flush();
        }
        process.removeListener('exit', onExit);
        skInstance?.close();
        instance.close();
      })();
      return stopping;
    },
  };
}

function startPoll(options: WatchOptions, filter: WatchFilter, view: NetnsView): WatchSession {
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  options.onNote?.(
    `polling /proc/net/tcp every ${intervalMs} ms: states shorter than that (a loopback handshake, SYN_RECV, FIN_WAIT1…) can be missed`,
  );
  // /proc/net/tcp lists the namespace's own sockets only: polling needs no sorting.
  const poller = new ProcPoller(options.procNet, '/proc', () => viewSockets(view));
  const tracker = new TransitionTracker();
  const tick = (): void => {
    for (const input of poller.poll(Date.now())) {
      const event = tracker.record(input);
      if (eventMatches(event, filter)) options.onEvent(event, 'poll');
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    source: 'poll',
    tracker,
    netns: view.label,
    undecided: 0,
    async stop() {
      clearInterval(timer);
    },
  };
}
