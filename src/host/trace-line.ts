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

export interface KernelTransition {
  /** Trace clock seconds (CLOCK_MONOTONIC when the instance's trace_clock is `mono`). */
  timestamp: number;
  cpu: number;
  /** The task running when the event fired; not necessarily the socket's owner. */
  pid: number;
  task: string;
  family: 4 | 6;
  /** Addresses in text; ports 0 while unknown (an unbound connect, a listener's remote). */
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  from: TcpState;
  to: TcpState;
}

const LINE =
  /^\s*(.*)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+inet_sock_set_state:\s+(.*)$/;

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
  const m = LINE.exec(line);
  if (!m) return undefined;
  const f = fields(m[5]);
  if (f.get('protocol') !== 'IPPROTO_TCP') return undefined;
  const familyName = f.get('family');
  const family = familyName === 'AF_INET' ? 4 : familyName === 'AF_INET6' ? 6 : undefined;
  const from = KERNEL_STATES[f.get('oldstate') ?? ''];
  const to = KERNEL_STATES[f.get('newstate') ?? ''];
  const sport = port(f.get('sport'));
  const dport = port(f.get('dport'));
  const saddr = f.get(family === 6 ? 'saddrv6' : 'saddr');
  const daddr = f.get(family === 6 ? 'daddrv6' : 'daddr');
  if (!family || !from || !to || sport === undefined || dport === undefined || !saddr || !daddr) {
    return undefined;
  }
  return {
    timestamp: Number(m[4]),
    cpu: Number(m[3]),
    pid: Number(m[2]),
    task: m[1].trim(),
    family,
    saddr,
    sport,
    daddr,
    dport,
    from,
    to,
  };
}
