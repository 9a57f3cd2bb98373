/**
 * One line of the tracefs event `sock/inet_sock_set_state` as `trace_pipe` prints it with the
 * event's own format (include/trace/events/sock.h, see the event's `format` file):
 *
 *   `  node-17385  [000] .....  1836.848528: inet_sock_set_state: family=AF_INET
 *    protocol=IPPROTO_TCP sport=45123 dport=0 saddr=127.0.0.1 daddr=0.0.0.0
 *    saddrv6=::ffff:127.0.0.1 daddrv6=:: oldstate=TCP_CLOSE newstate=TCP_LISTEN`
 *
 * The task name and pid before the CPU are whatever task was running when the state changed:
 * the process that called connect()/close(), or, for changes made while handling an incoming
 * packet (softirq), any task that happened to be on that CPU (often swapper/N). The print
 * format has no socket address (skaddr is a field but is not printed).
 */
import type { TcpState } from '../state/states.js';
import type { HostTransition } from './watch-tracker.js';

export interface KernelTransition {
  /** Trace clock seconds (CLOCK_MONOTONIC when the instance's trace_clock is `mono`). */
  timestamp: number;
  cpu: number;
  /** The task running when the event fired; not necessarily the socket's owner. */
  pid: number;
  task: string;
  /**
   * 'process': the task made the change in a system call on this socket (connect, listen,
   * close, shutdown), so it lives in the socket's namespace; undefined where the trace has no
   * flags column.
   */
  context?: TraceContext;
  family: 4 | 6;
  /** Addresses in text; ports 0 while unknown (an unbound connect, a listener's remote). */
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  from: TcpState;
  to: TcpState;
  /** The kernel's state numbers, to pair this line with its `fields` twin. */
  oldstate: number;
  newstate: number;
}

/** `task-pid [(tgid)] [cpu] [flags] seconds: inet_sock_set_state: fields`, in either format. */
const LINE =
  /^\s*(.*)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:(\S+)\s+)?(\d+\.\d+):\s+inet_sock_set_state:\s+(.*)$/;

/**
 * Where the change was made, from the latency flags (`irq-info`, on by default: e.g. `.....`,
 * `..s2.`): the third is `h`/`H` in a hard interrupt, `s` in a softirq (packet arrival, timers),
 * `z`/`Z` in an NMI, `.` in process context, i.e. in a system call of the task printed.
 */
export type TraceContext = 'process' | 'interrupt';

function traceContext(flags: string | undefined): TraceContext | undefined {
  if (flags === undefined || flags.length < 4 || /^\d/.test(flags)) return undefined;
  return flags[2] === '.' ? 'process' : 'interrupt';
}

interface LineHead {
  task: string;
  pid: number;
  cpu: number;
  timestamp: number;
  context: TraceContext | undefined;
  body: string;
}

function lineHead(line: string): LineHead | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    task: m[1].trim(),
    pid: Number(m[2]),
    cpu: Number(m[3]),
    context: traceContext(m[4]),
    timestamp: Number(m[5]),
    body: m[6],
  };
}

/** Linux include/net/tcp_states.h names, as __print_symbolic prints them. */
const KERNEL_STATES: Readonly<Record<string, TcpState>> = {
  TCP_ESTABLISHED: 'ESTABLISHED',
  TCP_SYN_SENT: 'SYN_SENT',
  TCP_SYN_RECV: 'SYN_RECV',
  TCP_FIN_WAIT1: 'FIN_WAIT1',
  TCP_FIN_WAIT2: 'FIN_WAIT2',
  TCP_TIME_WAIT: 'TIME_WAIT',
  TCP_CLOSE: 'CLOSED',
  TCP_CLOSE_WAIT: 'CLOSE_WAIT',
  TCP_LAST_ACK: 'LAST_ACK',
  TCP_LISTEN: 'LISTEN',
  TCP_CLOSING: 'CLOSING',
  // A request socket (a SYN answered, before the final ACK): SYN_RECV to users, as in ss.
  TCP_NEW_SYN_RECV: 'SYN_RECV',
};

function fields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function port(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/** The transition on this line, or undefined for any other line (and for non-TCP protocols). */
export function parseTraceLine(line: string): KernelTransition | undefined {
  const head = lineHead(line);
  if (!head) return undefined;
  const f = fields(head.body);
  if (f.get('protocol') !== 'IPPROTO_TCP') return undefined;
  const familyName = f.get('family');
  const family = familyName === 'AF_INET' ? 4 : familyName === 'AF_INET6' ? 6 : undefined;
  const oldName = f.get('oldstate') ?? '';
  const newName = f.get('newstate') ?? '';
  const from = KERNEL_STATES[oldName];
  const to = KERNEL_STATES[newName];
  const sport = port(f.get('sport'));
  const dport = port(f.get('dport'));
  const saddr = f.get(family === 6 ? 'saddrv6' : 'saddr');
  const daddr = f.get(family === 6 ? 'daddrv6' : 'daddr');
  if (!family || !from || !to || sport === undefined || dport === undefined || !saddr || !daddr) {
    return undefined;
  }
  return {
    timestamp: head.timestamp,
    cpu: head.cpu,
    pid: head.pid,
    task: head.task,
    ...(head.context !== undefined ? { context: head.context } : {}),
    family,
    saddr,
    sport,
    daddr,
    dport,
    from,
    to,
    oldstate: KERNEL_STATE_NUMBERS[oldName],
    newstate: KERNEL_STATE_NUMBERS[newName],
  };
}

/** What the reader adds to a parsed line: the wall-clock time, the task's name, the socket. */
export interface KernelContext {
  /** Unix epoch milliseconds of the line's trace timestamp. */
  time: number;
  /** The task's name, looked up where the trace printed `<...>`. */
  process: string;
  skaddr?: string;
}

/**
 * The line as the one transition event. The trace's ports and addresses are the socket's own
 * (saddr is local), and the event says nothing of the cause, so none is given.
 */
export function kernelTransitionEvent(t: KernelTransition, ctx: KernelContext): HostTransition {
  return {
    kind: 'transition',
    time: ctx.time,
    connection: {
      local: { address: t.saddr, port: t.sport },
      remote: { address: t.daddr, port: t.dport },
    },
    from: t.from,
    to: t.to,
    family: t.family,
    pid: t.pid,
    process: ctx.process,
    ...(ctx.skaddr !== undefined ? { skaddr: ctx.skaddr } : {}),
  };
}

/**
 * The same event printed with the instance option `fields` (Linux 6.3+), which prints every
 * field as `name=0xHEX (DEC)`, including skaddr, the socket's kernel address, that the event's
 * own format leaves out; its address arrays print as <INVALID-SIZE>, so this line is paired with
 * one of the normal format (see trace-pair.ts).
 */
export interface KernelFieldsLine {
  timestamp: number;
  cpu: number;
  skaddr: string;
  family: number;
  sport: number;
  dport: number;
  oldstate: number;
  newstate: number;
}

export function parseTraceFieldsLine(line: string): KernelFieldsLine | undefined {
  const head = lineHead(line);
  if (!head) return undefined;
  const skaddr = /(?:^|\s)skaddr=(0x[0-9a-f]+)/i.exec(head.body);
  const num = (name: string): number | undefined => {
    const v = new RegExp(`(?:^|\\s)${name}=0x[0-9a-f]+ \\((-?\\d+)\\)`, 'i').exec(head.body);
    return v ? Number(v[1]) : undefined;
  };
  const family = num('family');
  const sport = num('sport');
  const dport = num('dport');
  const oldstate = num('oldstate');
  const newstate = num('newstate');
  if (
    !skaddr ||
    family === undefined ||
    sport === undefined ||
    dport === undefined ||
    oldstate === undefined ||
    newstate === undefined
  ) {
    return undefined;
  }
  return {
    timestamp: head.timestamp,
    cpu: head.cpu,
    skaddr: skaddr[1].toLowerCase(),
    family,
    sport,
    dport,
    oldstate,
    newstate,
  };
}

/** Kernel state numbers (include/net/tcp_states.h) of the names parseTraceLine accepts. */
export const KERNEL_STATE_NUMBERS: Readonly<Record<string, number>> = {
  TCP_ESTABLISHED: 1,
  TCP_SYN_SENT: 2,
  TCP_SYN_RECV: 3,
  TCP_FIN_WAIT1: 4,
  TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7,
  TCP_CLOSE_WAIT: 8,
  TCP_LAST_ACK: 9,
  TCP_LISTEN: 10,
  TCP_CLOSING: 11,
  TCP_NEW_SYN_RECV: 12,
};
