/**
 * A packetdrill script, parsed: the options lines and the events in file order, each with the
 * line it came from. The parser (parse.ts) produces this; the runner (run.ts) plays it.
 *
 * Times are microseconds, as packetdrill counts them.
 */
import type { TcpOption } from '../wire/types.js';

/** When an event happens, as written before it. */
export type TimeSpec =
  /** `1.00`: seconds since the script started. */
  | { kind: 'absolute'; usecs: number }
  /** `+0.10`: seconds after the previous event. */
  | { kind: 'relative'; usecs: number }
  /** `*`: any time (outbound packets only in packetdrill's meaning). */
  | { kind: 'any' }
  /** `0.1~0.2` or `+0.1~+0.2`: any time in the range (both ends absolute or both relative). */
  | { kind: 'range'; relative: boolean; lowUsecs: number; highUsecs: number };

/** A value in a system call's arguments or result. */
export type Expr =
  /** `3`, `0x02`, `-1`. */
  | { kind: 'int'; value: number }
  /** `...`: anything. */
  | { kind: 'ellipsis' }
  /** `SOCK_STREAM`, `ECONNRESET`, `SHUT_WR`. */
  | { kind: 'symbol'; name: string }
  /** `O_RDWR | O_NONBLOCK`. */
  | { kind: 'or'; operands: Expr[] }
  /** `[65536]`: a pointer to values (socket option values, lengths). */
  | { kind: 'list'; items: Expr[] }
  /** `"text"`. */
  | { kind: 'string'; value: string }
  /** `{...}` struct literals and anything else kept as written. */
  | { kind: 'raw'; text: string };

export interface SyscallEvent {
  kind: 'syscall';
  line: number;
  time: TimeSpec;
  /** `connect`, `getsockopt`, … */
  name: string;
  args: Expr[];
  /** The expected return value: `= 0`, `= -1`, `= 0x02`. */
  result: Expr;
  /** `EINPROGRESS` in `= -1 EINPROGRESS (Operation now in progress)`. */
  errno?: string;
  /** The text in parentheses after the result or errno, kept for messages. */
  note?: string;
  /**
   * `0.1...0.3 accept(...)`: a blocking call, started at `time`, that must return at this time
   * (relative to the start when written `+t`).
   */
  returns?: TimeSpec;
}

/** The TCP part of a packet line. */
export interface TcpPacketSpec {
  /**
   * The flag letters as written, in order: `S`, `.` (ACK), `F`, `R`, `P`, `U`, `E` (ECE),
   * `W` (CWR), e.g. "S.", "F.", "R", "SF". Each letter appears at most once.
   */
  flags: string;
  /** `start:end(len)`; undefined for `...(len)`, where any sequence number matches. */
  seq?: { start: number; end: number };
  /** The payload length, the number in parentheses. */
  len: number;
  /** `ack N`, when written. */
  ack?: number;
  /** `win N`, when written. */
  win?: number;
  /**
   * The options between `<` and `>`, in order: undefined when the line has none (the segment
   * carries no options), 'any' for `<...>`. `TS val V ecr E` is a timestamp option; `sack a:b
   * c:d` one SACK option with those blocks; `mss N`, `wscale N`, `sackOK`, `nop`, `eol`.
   */
  options?: TcpOption[] | 'any';
}

export interface PacketEvent {
  kind: 'packet';
  line: number;
  time: TimeSpec;
  /** `<` injected into the stack, `>` expected from it. */
  direction: 'inbound' | 'outbound';
  tcp: TcpPacketSpec;
  /** IP-level ECN mark in brackets after the packet (`[ect0]`, `[ce]`, …), when written. */
  ecn?: 'noecn' | 'ect0' | 'ect1' | 'ce' | 'ect01';
  /** IP header fields written before the flags: `(tos 0x20)`, `(ttl 32)`, `(flowlabel 1)`. */
  ip?: { tos?: number; ttl?: number; flowlabel?: number };
  /**
   * `< icmp unreachable port_unreachable [0:0(0)]`: an ICMP error (RFC 792) quoting one of
   * the stack's segments, whose sequence numbers `tcp.seq` holds (flags empty).
   */
  icmp?: { type: number; code: number; mtu?: number };
}

/** A shell command in backquotes. */
export interface CommandEvent {
  kind: 'command';
  line: number;
  time: TimeSpec;
  /** The text between the backquotes. */
  command: string;
}

/**
 * A `%{ ... }%` block: Python that packetdrill runs with the last socket's TCP_INFO in scope
 * (`tcpi_state`, `tcpi_snd_cwnd`, …). The runner reads `assert` lines on those fields.
 */
export interface CodeEvent {
  kind: 'code';
  line: number;
  time: TimeSpec;
  /** The text between `%{` and `}%`. */
  code: string;
}

export type ScriptEvent = SyscallEvent | PacketEvent | CommandEvent | CodeEvent;

export interface Script {
  /** `--name=value` lines at the top (`ip_version` → `ipv4`, `tolerance_usecs` → `75000`). */
  options: Map<string, string>;
  events: ScriptEvent[];
}

/** Why a script could not be parsed: the first error, with its line (1-based). */
export interface ParseError {
  line: number;
  message: string;
  /**
   * True when the line is packetdrill that this parser does not read (UDP or ICMP packets,
   * IPv6 addresses, …) rather than a malformed line: the runner reports such a script as
   * unsupported, naming the construct, instead of failed.
   */
  unsupported: boolean;
}

export type ParseScriptResult = { ok: true; script: Script } | { ok: false; error: ParseError };

export interface ParseOptions {
  /**
   * The names that count as defined for `#ifdef NAME` / `#ifndef NAME` / `#else` / `#endif`
   * blocks (the FreeBSD suite uses `#ifdef STANDARD` and `#ifdef FreeBSD`). Lines in a block
   * whose condition is false are skipped before parsing.
   */
  defines?: ReadonlySet<string>;
  /**
   * packetdrill's `-D NAME=VALUE`: each NAME written in a line (a whole word) reads as VALUE,
   * as the gtests' run_all.py defines TFO_COOKIE for its scripts. Such names count as defined
   * for `#ifdef` too.
   */
  macros?: ReadonlyMap<string, string>;
}
