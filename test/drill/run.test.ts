/**
 * The packetdrill runner: small inline scripts played against a fresh stack in virtual time,
 * one group per kind of event (outbound checks, timing, system calls, shell commands, Python
 * blocks, #ifdef), then determinism, the report and the `tcpstate drill` command.
 *
 * Scripts are written as the FreeBSD suite writes them (listen side and connect side) under the
 * default freebsd profile. A line a test points at carries the comment `// <-`, which the parser
 * drops; `lineOf` finds its number so that a failure is checked against the right line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  renderJson,
  renderText,
  type ScriptReport,
  summarize,
  summaryLine,
} from '../../src/drill/report.js';
import {
  type DrillOptions,
  type DrillOutcome,
  type DrillResult,
  runScriptText,
  sysctlSettings,
} from '../../src/drill/run.js';
import { readPcap } from '../../src/wire/pcap.js';

// ---- Script building -------------------------------------------------------------------------

const MARK = '// <-';

/** A script from its body lines, after the options line (a tolerance of 10 ms). */
function script(body: readonly string[]): string {
  return ['--tolerance_usecs=10000', '', ...body, ''].join('\n');
}

function run(body: readonly string[], options?: DrillOptions): DrillResult {
  return runScriptText(script(body), options);
}

/** The 1-based line of the one line of `text` holding `needle` (MARK unless told). */
function lineOf(text: string, needle = MARK): number {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`'${needle}' is on ${hits.length} lines, not one`);
  return hits[0];
}

type Fail = Extract<DrillOutcome, { status: 'fail' }>;
type Unsupported = Extract<DrillOutcome, { status: 'unsupported' }>;

function failed(result: DrillResult): Fail {
  const o = result.outcome;
  if (o.status !== 'fail') throw new Error(`expected a failure, got ${JSON.stringify(o)}`);
  return o;
}

function unsupportedOf(result: DrillResult): Unsupported {
  const o = result.outcome;
  if (o.status !== 'unsupported') throw new Error(`expected unsupported, got ${JSON.stringify(o)}`);
  return o;
}

/** The FreeBSD suite's opening sysctls: every relevant setting at its default. */
const SYSCTL_DEFAULTS = [
  ' 0.00 `sysctl -w net.inet.tcp.rfc1323=1`',
  '+0.00 `sysctl -w net.inet.tcp.blackhole=0`',
  '+0.00 `sysctl -w net.inet.tcp.sack.enable=1`',
  '+0.00 `sysctl -w net.inet.tcp.ecn.enable=2`',
  '+0.00 `sysctl -w kern.ipc.maxsockbuf=2097152`',
  '+0.00 `sysctl -w net.inet.tcp.recvspace=65536`',
  '+0.00 `sysctl -w net.inet.tcp.sendspace=32768`',
  '+0.00 `sysctl -w net.inet.tcp.hostcache.purgenow=1`',
];

/** Connect side up to SYN_SENT: a non-blocking socket 3 whose SYN went out at 0. */
const SYN_SENT = [
  ' 0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
  '+0.00 fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)',
  '+0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
  '+0.00 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0',
  '+0.00 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
  '+0.00 > S  0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
];

/** Connect side, ESTABLISHED at 0.1 s (the peer offers no window scale or timestamps). */
const ESTABLISHED = [
  ...SYN_SENT,
  '+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>',
  '+0.00 >  . 1:1(0) ack 1 win 65535',
  '+0.00 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65700], [4]) = 0',
];

/** ESTABLISHED, then our FIN and the peer's: TIME_WAIT at 0.2 s. */
const TIME_WAIT = [
  ...ESTABLISHED,
  '+0.00 shutdown(3, SHUT_WR) = 0',
  '+0.00 > F. 1:1(0) ack 1 win 65535',
  '+0.10 < F. 1:1(0) ack 2 win 32767',
  '+0.00 >  . 2:2(0) ack 2 win 65535',
];

/** Listen side: a non-blocking listener on fd 3 (port 8080). */
const LISTENING = [
  ' 0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
  '+0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
  '+0.00 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
  '+0.00 bind(3, ..., ...) = 0',
  '+0.00 listen(3, 1) = 0',
  '+0.00 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0',
];

/** Listen side, the accepted connection on fd 4 ESTABLISHED at 0.1 s. */
const ACCEPTED = [
  ...LISTENING,
  '+0.00 < S  0:0(0) win 32767 <mss 1460,sackOK,eol,eol>',
  '+0.00 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>',
  '+0.10 <  . 1:1(0) ack 1 win 32767',
  '+0.00 accept(3, ..., ...) = 4',
  '+0.00 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [65700], [4]) = 0',
];

/** ACCEPTED, then the peer closes first and we close after it. */
const PASSIVE_OPEN_AND_CLOSE = [
  ...ACCEPTED,
  '+0.00 < F. 1:1(0) ack 1 win 32767',
  '+0.00 >  . 1:1(0) ack 2 win 65535',
  '+0.00 close(4) = 0',
  '+0.00 > F. 1:1(0) ack 2 win 65535',
  '+0.00 <  . 2:2(0) ack 2 win 32767',
  '+0.00 close(3) = 0',
];

/** `lines` with the one line holding `old` replaced by `line` (marked). */
function replacing(lines: readonly string[], old: string, line: string): string[] {
  const i = lines.findIndex((l) => l.includes(old));
  if (i < 0 || lines.findIndex((l, j) => j > i && l.includes(old)) >= 0) {
    throw new Error(`'${old}' is not on exactly one line`);
  }
  return [...lines.slice(0, i), `${line} ${MARK}`, ...lines.slice(i + 1)];
}

// ---- Tests -----------------------------------------------------------------------------------

describe('a correct script', () => {
  it('passes a passive open and close, exactly, with the transitions in order', () => {
    const result = run(PASSIVE_OPEN_AND_CLOSE);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.relaxations).toEqual([]);
    expect(result.unchecked).toEqual([]);
    expect(result.eventsRun).toBe(PASSIVE_OPEN_AND_CLOSE.length);
    expect(result.transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      'LISTEN->SYN_RECV',
      'SYN_RECV->ESTABLISHED',
      'ESTABLISHED->CLOSE_WAIT',
      'CLOSE_WAIT->LAST_ACK',
      'LAST_ACK->CLOSED',
    ]);
    // Virtual time: the handshake's last ACK arrives at 0.1 s, and so does everything after it.
    // TransitionEvent times are ms of virtual time (the log keeps µs).
    expect(result.transitions.map((t) => t.time)).toEqual([0, 100, 100, 100, 100]);
  });

  it('passes an active open that ends in TIME_WAIT', () => {
    const result = run(TIME_WAIT);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.relaxations).toEqual([]);
    // The peer's FIN acknowledges ours: FIN_WAIT1 goes straight to TIME_WAIT.
    expect(result.transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      'CLOSED->SYN_SENT',
      'SYN_SENT->ESTABLISHED',
      'ESTABLISHED->FIN_WAIT1',
      'FIN_WAIT1->TIME_WAIT',
    ]);
  });

  it('lists segments sent after the last expected one as unchecked, without failing', () => {
    const result = run([...ESTABLISHED, '+0.10 < F. 1:1(0) ack 1 win 32767']);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.unchecked).toEqual(['> . 1:1(0) ack 2 win 65535 at 0.200 s']);
  });
});

describe('outbound segments that differ from the script', () => {
  const finalAck = '>  . 1:1(0) ack 1 win 65535';
  const cases: Array<{ field: string; lines: string[]; message: string; want: string }> = [
    {
      field: 'flags',
      lines: replacing(ESTABLISHED, finalAck, '+0.00 > F. 1:1(0) ack 1 win 65535'),
      message: 'outbound segment: flags ., expected F.',
      want: '> F. 1:1(0) ack 1 win 65535',
    },
    {
      field: 'seq',
      lines: replacing(ESTABLISHED, finalAck, '+0.00 > . 2:2(0) ack 1 win 65535'),
      message: 'outbound segment: seq 1, expected 2',
      want: '> . 2:2(0) ack 1 win 65535',
    },
    {
      field: 'ack',
      lines: replacing(ESTABLISHED, finalAck, '+0.00 > . 1:1(0) ack 2 win 65535'),
      message: 'outbound segment: ack 1, expected 2',
      want: '> . 1:1(0) ack 2 win 65535',
    },
    {
      field: 'win',
      lines: replacing(ESTABLISHED, finalAck, '+0.00 > . 1:1(0) ack 1 win 32768'),
      message: 'outbound segment: win 65535, expected 32768',
      want: '> . 1:1(0) ack 1 win 32768',
    },
    {
      field: 'options',
      lines: replacing(
        ESTABLISHED,
        finalAck,
        '+0.00 > . 1:1(0) ack 1 win 65535 <nop,nop,TS val 100 ecr 0>',
      ),
      message: 'outbound segment: options <>, expected <nop,nop,TS val 100 ecr 0>',
      want: '> . 1:1(0) ack 1 win 65535 <nop,nop,TS val 100 ecr 0>',
    },
    {
      field: 'len',
      lines: [
        ...ESTABLISHED,
        '+0.00 write(3, ..., 10) = 10',
        `+0.00 > P. 1:6(5) ack 1 win 65535 ${MARK}`,
      ],
      message: 'outbound segment: len 10, expected 5',
      want: '> P. 1:6(5) ack 1 win 65535',
    },
  ];
  for (const c of cases) {
    it(`fails on the line of a wrong ${c.field}, naming it`, () => {
      const text = script(c.lines);
      const o = failed(runScriptText(text));
      expect(o.line).toBe(lineOf(text));
      expect(o.message).toBe(c.message);
      expect(o.expected).toBe(c.want);
      // What the stack sent, in the script's own notation, with when.
      expect(o.actual).toMatch(/^> [.FSRP]+ \d+:\d+\(\d+\) ack \d+ win \d+.* at 0\.100 s$/);
    });
  }

  it('shows the segment the stack really sent as the actual one', () => {
    const text = script(replacing(ESTABLISHED, finalAck, '+0.00 > . 1:1(0) ack 9 win 65535'));
    expect(failed(runScriptText(text)).actual).toBe('> . 1:1(0) ack 1 win 65535 at 0.100 s');
  });

  it('fails on wrong SYN options, showing both lists', () => {
    const text = script(
      replacing(SYN_SENT, '> S  0:0(0)', '+0.00 > S 0:0(0) win 65535 <mss 1460,sackOK,eol,eol>'),
    );
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toMatch(
      /^outbound segment: options <mss 1460,nop,wscale 6,sackOK,TS val \d+ ecr 0>, expected <mss 1460,sackOK,eol>$/,
    );
  });
});

describe('timing', () => {
  it('fails a segment sent well before the script expects it', () => {
    const text = script(
      replacing(ESTABLISHED, '>  . 1:1(0) ack 1', '+0.50 > . 1:1(0) ack 1 win 65535'),
    );
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toMatch(/too early/);
    expect(o.message).toMatch(/at 0\.100 s, expected at 0\.600 s \(±0\.010 s\)$/);
    expect(o.expected).toBe('> . 1:1(0) ack 1 win 65535');
    expect(o.actual).toMatch(/^> \. 1:1\(0\) ack 1 win 65535/);
  });

  it('fails a segment the stack never sends with "sent nothing"', () => {
    const text = script([...ESTABLISHED, `+0.10 > P. 1:11(10) ack 1 win 65535 ${MARK}`]);
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toBe('expected a segment by 0.210 s; the stack sent nothing');
    expect(o.expected).toBe('> P. 1:11(10) ack 1 win 65535');
  });

  const retransmission = (time: string) => [
    ...SYN_SENT,
    `${time} > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 1100 ecr 0> ${MARK}`,
  ];

  it('passes the SYN retransmitted after the initial RTO of 1 s', () => {
    expect(run(retransmission('+1.00')).outcome).toEqual({ status: 'pass' });
  });

  it('fails the retransmitted SYN expected at +0.50', () => {
    const text = script(retransmission('+0.50'));
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toBe('expected a segment by 0.510 s; the stack sent nothing');
  });

  it('counts +t after an outbound segment from when it was sent, not from when it was due', () => {
    // The first retransmission goes out at 1 s, inside the range; the RTO doubles and gains
    // FreeBSD's 200 ms rexmit_slop, so the second is 2.2 s after the first one was sent.
    const second = '+2.20 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 3300 ecr 0>';
    for (const first of ['+0.50~+1.50', '*']) {
      const body = [
        ...SYN_SENT,
        `${first} > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 1100 ecr 0>`,
        second,
      ];
      expect(run(body).outcome, first).toEqual({ status: 'pass' });
    }
    // Counted from the range's start (0.5 s), +2.70 would be 3.2 s, when the stack does send;
    // counted from the send at 1 s it is 3.7 s, and the segment at 3.2 s is early.
    const wrong = run([
      ...SYN_SENT,
      '+0.50~+1.50 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 1100 ecr 0>',
      '+2.70 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 3300 ecr 0>',
    ]);
    expect(failed(wrong).message).toMatch(/too early: at 3\.200 s, expected at 3\.700 s/);
  });
});

describe('system calls', () => {
  it('fails a wrong return value with "returned X, expected Y"', () => {
    const text = script(replacing(SYN_SENT, 'F_GETFL', '+0.00 fcntl(3, F_GETFL) = 0x06'));
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toBe('fcntl() returned 2, expected 6');
    expect([o.expected, o.actual]).toEqual(['6', '2']);
  });

  it('fails a wrong errno', () => {
    const text = script(
      replacing(
        SYN_SENT,
        'connect(',
        '+0.00 connect(3, ..., ...) = -1 EALREADY (Operation already in progress)',
      ),
    );
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toBe('connect() returned -1 EINPROGRESS, expected -1 EALREADY');
    expect([o.expected, o.actual]).toEqual(['-1 EALREADY', '-1 EINPROGRESS']);
  });

  describe('SO_ERROR', () => {
    const reset = [...ESTABLISHED, '+0.10 < R 1:1(0) win 32767'];
    const refused = [...SYN_SENT, '+0.10 < R. 0:0(0) ack 1 win 0'];
    const soError = (value: string) =>
      `+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [${value}], [4]) = 0 ${MARK}`;

    it('is ECONNRESET after an RST in ESTABLISHED', () => {
      expect(run([...reset, soError('ECONNRESET')]).outcome).toEqual({ status: 'pass' });
      const text = script([...reset, soError('0')]);
      const o = failed(runScriptText(text));
      expect(o.line).toBe(lineOf(text));
      expect(o.message).toBe('getsockopt() gave ECONNRESET, expected 0');
    });

    it('is ECONNREFUSED after an RST answering our SYN', () => {
      expect(run([...refused, soError('ECONNREFUSED')]).outcome).toEqual({ status: 'pass' });
      expect(failed(run([...refused, soError('ECONNRESET')])).message).toBe(
        'getsockopt() gave ECONNREFUSED, expected ECONNRESET',
      );
    });

    it('is ETIMEDOUT once the SYN retransmissions give up', () => {
      // Six retransmissions, 1 s doubling plus the 200 ms rexmit_slop after the first (FreeBSD
      // profile): the attempt ends 64.2 s after the last.
      const retries = ['+1', '+2.2', '+4.2', '+8.2', '+16.2', '+32.2'].map(
        (d) => `${d} > S 0:0(0) <...>`,
      );
      const timedOut = [
        ...SYN_SENT,
        ...retries,
        `+64.3 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0 ${MARK}`,
      ];
      expect(run(timedOut).outcome).toEqual({ status: 'pass' });
      expect(
        failed(run([...timedOut.slice(0, -1), soError('0').replace('+0.00', '+64.3')])).message,
      ).toBe('getsockopt() gave ETIMEDOUT, expected 0');
    });

    it('is 0 once read', () => {
      const twice = [...reset, soError('ECONNRESET').replace(MARK, ''), soError('0')];
      expect(run(twice).outcome).toEqual({ status: 'pass' });
    });
  });

  it('gives -1 EAGAIN for read() on a non-blocking socket with no data (EWOULDBLOCK the same)', () => {
    for (const errno of ['EAGAIN', 'EWOULDBLOCK']) {
      const body = [
        ...ESTABLISHED,
        `+0.00 read(3, ..., 100) = -1 ${errno} (Resource temporarily unavailable)`,
      ];
      expect(run(body).outcome, errno).toEqual({ status: 'pass' });
    }
    const text = script([...ESTABLISHED, `+0.00 read(3, ..., 100) = 0 ${MARK}`]);
    expect(failed(runScriptText(text)).message).toBe('read() returned -1 EAGAIN, expected 0');
  });

  it('sends the data of write() as P. 1:N+1(N)', () => {
    const body = [
      ...ESTABLISHED,
      '+0.00 write(3, ..., 1000) = 1000',
      '+0.00 > P. 1:1001(1000) ack 1 win 65535',
      '+0.10 < . 1:1(0) ack 1001 win 32767',
    ];
    expect(run(body).outcome).toEqual({ status: 'pass' });
    // The same data announced one byte short is caught.
    const short = [...body.slice(0, -2), `+0.00 > P. 1:1000(999) ack 1 win 65535 ${MARK}`];
    expect(failed(run(short)).message).toBe('outbound segment: len 1000, expected 999');
  });

  it('reports an unknown system call as unsupported, naming it', () => {
    const text = script([
      ...ESTABLISHED,
      `+0.00 poll([{fd=3, events=POLLIN, revents=0}], 1, 0) = 0 ${MARK}`,
    ]);
    const o = unsupportedOf(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.construct).toBe('system call poll()');
  });

  it('fails a call on a descriptor that is not open, mentioning EBADF', () => {
    const text = script([...ESTABLISHED, `+0.00 close(7) = 0 ${MARK}`]);
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toMatch(/EBADF/);
    expect(o.message).toMatch(/^close\(7\)/);
  });

  describe('blocking calls', () => {
    /** A blocking listener (no O_NONBLOCK) whose accept() is issued before the final ACK. */
    const blockingAccept = (result: string) => [
      ' 0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      '+0.00 bind(3, ..., ...) = 0',
      '+0.00 listen(3, 1) = 0',
      '+0.00 < S  0:0(0) win 32767 <mss 1460,sackOK,eol,eol>',
      '+0.00 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>',
      `+0.00 accept(3, ..., ...) = ${result} ${MARK}`,
      '+0.10 <  . 1:1(0) ack 1 win 32767',
      '+0.00 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [65700], [4]) = 0',
    ];

    it('returns accept() when the final ACK arrives', () => {
      const result = run(blockingAccept('4'));
      expect(result.outcome).toEqual({ status: 'pass' });
      expect(result.transitions.map((t) => t.to)).toContain('ESTABLISHED');
    });

    it('checks the result of a blocking accept() when it returns, against its own line', () => {
      // A number >= 0 names the new descriptor (packetdrill maps script descriptors); an
      // expected failure is checked.
      const text = script(blockingAccept('-1'));
      const o = failed(runScriptText(text));
      expect(o.line).toBe(lineOf(text));
      expect(o.message).toBe('accept() returned 4, expected -1');
    });

    it('fails a blocking call that never returns, at the end', () => {
      const text = script([
        ...blockingAccept('4').slice(0, 5),
        `+0.00 accept(3, ..., ...) = 4 ${MARK}`,
      ]);
      const o = failed(runScriptText(text));
      expect(o.line).toBe(lineOf(text));
      expect(o.message).toBe('accept() never returned');
    });

    it('sends what a blocked write() queued when it returns, at that instant', () => {
      // A 1000-byte send buffer: the second write waits for the ACK of the first segment.
      const result = run([
        ' 0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
        '+0.00 setsockopt(3, SOL_SOCKET, SO_SNDBUF, [1000], 4) = 0',
        '+0.00 connect(3, ..., ...) = 0',
        '+0.00 > S  0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
        '+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>',
        '+0.00 >  . 1:1(0) ack 1 win 65535',
        '+0.00 write(3, ..., 1000) = 1000',
        '+0.00 > P. 1:1001(1000) ack 1 win 65535',
        '+0.00 write(3, ..., 500) = 500',
        '+0.10 < . 1:1(0) ack 1001 win 32767',
        '+0.00 > P. 1001:1501(500) ack 1 win 65535',
      ]);
      expect(result.outcome).toEqual({ status: 'pass' });
      const sent = result.log.find((l) => l.text.startsWith('> P. 1001:1501'));
      expect(sent?.t).toBe(200_000);
    });
  });
});

describe('shell commands', () => {
  it('records each sysctl line with what was done', () => {
    const text = script([
      ...SYSCTL_DEFAULTS,
      '+0.00 `sysctl -w net.inet.tcp.insecure_rst=1`',
      '+0.00 `sysctl -w net.inet.tcp.no_such_knob=3`',
    ]);
    const result = runScriptText(text);
    expect(result.outcome).toEqual({ status: 'pass' });
    const handled = Object.fromEntries(result.commands.map((c) => [c.command, c.handled]));
    expect(result.commands).toHaveLength(SYSCTL_DEFAULTS.length + 2);
    expect(result.commands[0].line).toBe(lineOf(text, 'rfc1323'));
    expect(handled).toMatchObject({
      'sysctl -w net.inet.tcp.rfc1323=1':
        'net.inet.tcp.rfc1323=1: set {"windowScale":true,"timestamps":true}',
      'sysctl -w net.inet.tcp.recvspace=65536':
        'net.inet.tcp.recvspace=65536: set {"receiveBufferSize":65536}',
      'sysctl -w net.inet.tcp.hostcache.purgenow=1':
        'net.inet.tcp.hostcache.purgenow=1: no effect: tcpstate keeps no host cache',
      'sysctl -w net.inet.tcp.insecure_rst=1':
        'net.inet.tcp.insecure_rst=1: set {"rstChallenge":false}',
      'sysctl -w net.inet.tcp.no_such_knob=3':
        'net.inet.tcp.no_such_knob=3: skipped, a setting tcpstate does not model',
    });
  });

  describe('net.inet.tcp.insecure_rst and an in-window RST that is not RCV.NXT', () => {
    const withRst = (insecure: 0 | 1, after: string[]) => [
      ...SYSCTL_DEFAULTS,
      `+0.00 \`sysctl -w net.inet.tcp.insecure_rst=${insecure}\``,
      ...ESTABLISHED.map((l, i) => (i === 0 ? l.replace(' 0.00', '+0.00') : l)),
      // RCV.NXT + RCV.WND - 1: the right edge of the window.
      '+0.10 < R 65700:65700(0) win 32767',
      ...after,
    ];
    const challenged = [
      '+0.00 > . 1:1(0) ack 1 win 65535',
      '+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0',
      '+0.00 close(3) = 0',
      '+0.00 > F. 1:1(0) ack 1 win 65535',
    ];
    const reset = [
      '+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0',
      '+0.00 close(3) = 0',
    ];

    it('draws a challenge ACK by default (insecure_rst=0)', () => {
      expect(run(withRst(0, challenged)).outcome).toEqual({ status: 'pass' });
      expect(failed(run(withRst(0, reset))).message).toBe(
        'getsockopt() gave 0, expected ECONNRESET',
      );
    });

    it('resets the connection with insecure_rst=1', () => {
      const result = run(withRst(1, reset));
      expect(result.outcome).toEqual({ status: 'pass' });
      expect(result.transitions.at(-1)).toMatchObject({ from: 'ESTABLISHED', to: 'CLOSED' });
      expect(failed(run(withRst(1, challenged))).message).toMatch(/the stack sent nothing$/);
    });
  });

  describe('sockstat', () => {
    const count = (state: string, n: number) =>
      `+0.10 \`sockstat -4 -P tcp -s | grep packetdril | grep -c ${state} | grep ${n}\` ${MARK}`;

    it('passes when the count of sockets in the state matches', () => {
      const result = run([...TIME_WAIT, count('TIME_WAIT', 1)]);
      expect(result.outcome).toEqual({ status: 'pass' });
      expect(result.commands.at(-1)?.handled).toBe('checked: 1 socket(s) in TIME_WAIT');
    });

    it('fails when the count differs', () => {
      const text = script([...TIME_WAIT, count('TIME_WAIT', 2)]);
      const o = failed(runScriptText(text));
      expect(o.line).toBe(lineOf(text));
      expect(o.message).toBe('sockets in TIME_WAIT: 1, expected 2');
      expect(failed(run([...ESTABLISHED, count('TIME_WAIT', 1)])).message).toBe(
        'sockets in TIME_WAIT: 0, expected 1',
      );
    });

    it('counts SYN_RCVD on a port, as the suite spells it', () => {
      const body = [
        ...LISTENING,
        '+0.00 `sockstat -4 -P tcp -p 8080 -s | grep -c SYN_RCVD | grep 0`',
        '+0.00 < S  0:0(0) win 32767 <mss 1460,sackOK,eol,eol>',
        '+0.00 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>',
        '+0.10 `sockstat -4 -P tcp -s -p 8080 | grep -c SYN_RCVD | grep 1`',
      ];
      expect(run(body).outcome).toEqual({ status: 'pass' });
    });
  });

  it('ends a TIME_WAIT connection with tcpdrop -s TIME_WAIT', () => {
    const result = run([
      ...TIME_WAIT,
      '+0.10 `tcpdrop -s TIME_WAIT`',
      '+0.00 `sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 0`',
      // The descriptor is still open: sockstat shows it as CLOSED.
      '+0.00 `sockstat -4 -P tcp -s | grep packetdril | grep -c CLOSED | grep 1`',
      '+0.00 close(3) = 0',
    ]);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.commands.find((c) => c.command.startsWith('tcpdrop'))?.handled).toBe(
      'dropped 1 connection(s) in TIME_WAIT',
    );
    expect(result.transitions.at(-1)).toMatchObject({ from: 'TIME_WAIT', to: 'CLOSED' });
    // Without the tcpdrop the connection is still there.
    const kept = run([
      ...TIME_WAIT,
      '+0.10 `sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 0`',
    ]);
    expect(failed(kept).message).toBe('sockets in TIME_WAIT: 1, expected 0');
  });

  it('skips an unknown command and lists it', () => {
    const text = script([
      ...ESTABLISHED,
      `+0.00 \`echo hello > /dev/null\` ${MARK}`,
      '+0.00 close(3) = 0',
    ]);
    const result = runScriptText(text);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.commands).toEqual([
      {
        line: lineOf(text),
        command: 'echo hello > /dev/null',
        handled: 'skipped, not run: echo hello > /dev/null',
      },
    ]);
  });
});

describe('Python blocks', () => {
  const assertEstablished = `+0.00 %{ assert tcpi_state == TCPI_ESTABLISHED }% ${MARK}`;

  it('passes an assert on tcpi_state in ESTABLISHED', () => {
    expect(run([...ESTABLISHED, assertEstablished]).outcome).toEqual({ status: 'pass' });
  });

  it('fails the assert with the actual state otherwise', () => {
    const text = script([...SYN_SENT, assertEstablished]);
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toBe(
      'assert tcpi_state == TCPI_ESTABLISHED failed (tcpi_state = TCPI_SYN_SENT)',
    );
    expect([o.expected, o.actual]).toEqual([
      'tcpi_state == TCPI_ESTABLISHED',
      'tcpi_state = TCPI_SYN_SENT',
    ]);
  });

  it('reports other Python as unsupported', () => {
    const text = script([...ESTABLISHED, `+0.00 %{ import os }% ${MARK}`]);
    const o = unsupportedOf(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.construct).toBe('Python: import os');
  });
});

describe('#ifdef', () => {
  const branches = [
    ' 0.00 `echo neither`',
    '#ifdef STANDARD',
    '+0.00 `echo standard`',
    '#endif',
    '#ifdef FreeBSD',
    '+0.00 `echo freebsd`',
    '#endif',
  ];
  const played = (result: DrillResult) => result.commands.map((c) => c.command);

  it('defines STANDARD by default', () => {
    expect(played(run(branches))).toEqual(['echo neither', 'echo standard']);
  });

  it('plays the FreeBSD branch when FreeBSD is defined instead', () => {
    expect(played(run(branches, { defines: new Set(['FreeBSD']) }))).toEqual([
      'echo neither',
      'echo freebsd',
    ]);
  });

  it('changes what the FreeBSD-only sysctls do', () => {
    const body = [' 0.00 `sysctl -w net.inet.tcp.drop_synfin=1`'];
    expect(run(body).commands[0].handled).toMatch(/^net.inet.tcp.drop_synfin=1: no effect: /);
    expect(run(body, { defines: new Set(['FreeBSD']) }).commands[0].handled).toBe(
      'net.inet.tcp.drop_synfin=1: set {"dropSynFin":true}',
    );
  });
});

describe('determinism', () => {
  it('gives the same result twice for the same script and seed', () => {
    const text = script(PASSIVE_OPEN_AND_CLOSE);
    const first = runScriptText(text, { seed: 7 });
    expect(runScriptText(text, { seed: 7 })).toEqual(first);
    expect(first.outcome.status).toBe('pass');
  });

  it('passes with other seeds too: relative numbering hides the ISNs', () => {
    for (const seed of [0, 2, 12345, 0xffff_ffff]) {
      expect(run(PASSIVE_OPEN_AND_CLOSE, { seed }).outcome, `seed ${seed}`).toEqual({
        status: 'pass',
      });
      expect(run(TIME_WAIT, { seed }).outcome, `seed ${seed}`).toEqual({ status: 'pass' });
    }
  });
});

describe('the report', () => {
  const failing = script(
    replacing(ESTABLISHED, '>  . 1:1(0) ack 1', '+0.00 > . 1:1(0) ack 2 win 65535'),
  );
  const odd = script([...ESTABLISHED, `+0.00 poll(...) = 0 ${MARK}`]);
  /** Simultaneous close: FreeBSD repeats its FIN on the ACK where tcpstate sends the ACK alone. */
  const closing = [
    ...ESTABLISHED,
    '+0.00 shutdown(3, SHUT_WR) = 0',
    '+0.00 > F. 1:1(0) ack 1 win 65535',
    '+0.10 < F. 1:1(0) ack 1 win 32767',
    `+0.00 > F. 1:1(0) ack 2 win 65535 ${MARK}`,
  ];
  const reports: ScriptReport[] = [
    { file: 'good.pkt', result: runScriptText(script(PASSIVE_OPEN_AND_CLOSE)) },
    { file: 'bad.pkt', result: runScriptText(failing) },
    { file: 'odd.pkt', result: runScriptText(odd) },
  ];

  it('summarizes as "N passed, M failed, K unsupported"', () => {
    expect(summaryLine(summarize(reports))).toBe('1 passed, 1 failed, 1 unsupported');
    expect(summaryLine(summarize([]))).toBe('0 passed, 0 failed, 0 unsupported');
  });

  it('lists failures with file:line and the expected and actual lines', () => {
    const text = renderText(reports);
    const lines = text.split('\n');
    expect(lines).toContain(
      `FAIL  bad.pkt:${lineOf(failing)}: outbound segment: ack 1, expected 2`,
    );
    expect(lines).toContain('        expected  > . 1:1(0) ack 2 win 65535');
    expect(lines).toContain('        actual    > . 1:1(0) ack 1 win 65535 at 0.100 s');
    expect(lines).toContain(`unsupported  odd.pkt:${lineOf(odd)}: system call poll()`);
    expect(text).not.toMatch(/good\.pkt/);
    expect(text).not.toMatch(/Relaxed checks/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed, 1 unsupported');
    expect(renderText(reports, { verbose: true })).toMatch(/^pass {2}good\.pkt$/m);
  });

  it('lists the relaxations used', () => {
    const text = script(closing);
    const result = runScriptText(text);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.relaxations).toEqual([
      { line: lineOf(text), check: 'FIN repeated on an ACK', why: expect.any(String) },
    ]);
    const report = renderText([...reports, { file: 'closing.pkt', result }]);
    expect(report).toMatch(/^Relaxed checks .*:$/m);
    expect(report).toMatch(/^ {2}FIN repeated on an ACK: 1 script: FreeBSD repeats/m);
    expect(report).toMatch(/\n2 passed, 1 failed, 1 unsupported\n$/);
    expect(renderText([{ file: 'closing.pkt', result }], { verbose: true })).toMatch(
      /^pass {2}closing\.pkt \(relaxed: FIN repeated on an ACK\)$/m,
    );
  });

  it('counts the scripts that used a relaxation, not its uses', () => {
    // The peer repeats its FIN in CLOSING: the same relaxation twice in one script.
    const twice = [
      ...closing,
      '+0.10 < F. 1:1(0) ack 1 win 32767',
      '+0.00 > F. 1:1(0) ack 2 win 65535',
    ];
    const result = run(twice);
    expect(result.outcome).toEqual({ status: 'pass' });
    expect(result.relaxations).toHaveLength(2);
    const report = renderText([{ file: 'closing.pkt', result }]);
    expect(report).toMatch(/^ {2}FIN repeated on an ACK: 1 script: /m);
  });

  it('renders JSON with the summary counts and every script', () => {
    const json = JSON.parse(renderJson(reports));
    expect(json.summary).toEqual({ passed: 1, failed: 1, unsupported: 1 });
    expect(json.scripts.map((s: { file: string; status: string }) => [s.file, s.status])).toEqual([
      ['good.pkt', 'pass'],
      ['bad.pkt', 'fail'],
      ['odd.pkt', 'unsupported'],
    ]);
    expect(json.scripts[1]).toMatchObject({
      line: lineOf(failing),
      expected: '> . 1:1(0) ack 2 win 65535',
    });
    expect(json.scripts[0].transitions).toHaveLength(5);
    // The one JSON form of a transition (state/events.ts transitionJson).
    expect(json.scripts[0].transitions[0]).toEqual({
      type: 'transition',
      time: 0,
      local: { address: '192.168.0.1', port: 8080 },
      remote: { address: '192.0.2.1', port: expect.any(Number) },
      from: 'LISTEN',
      to: 'SYN_RECV',
      cause: 'rcv SYN',
    });
  });
});

// ---- The command -----------------------------------------------------------------------------

const built = existsSync('dist/cli/commands/drill.js') && existsSync('dist/drill/run.js');

describe.skipIf(!built)(
  'tcpstate drill (spawned; skipped until `npm run build` made dist/)',
  () => {
    let dir = '';
    /** Writes a file in this run's temporary folder and gives its path. */
    const file = (name: string, content: string | Uint8Array): string => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    let good = '';
    let bad = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tcpstate-drill-'));
      good = file('good.pkt', script(PASSIVE_OPEN_AND_CLOSE));
      bad = file(
        'bad.pkt',
        script(replacing(ESTABLISHED, '>  . 1:1(0) ack 1', '+0.00 > . 1:1(0) ack 2 win 65535')),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function drill(args: string[]) {
      return spawnSync(process.execPath, ['dist/cli/main.js', 'drill', ...args], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    }

    /** One line on stderr, exit code 2: a usage error, not a crash. */
    function expectUsageError(r: ReturnType<typeof drill>, message: RegExp): void {
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.status).toBe(2);
    }

    it('exits 0 for a passing script and prints the summary', () => {
      const r = drill([good]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('1 passed, 0 failed, 0 unsupported');
    });

    it('exits 1 for a failing script, naming its line', () => {
      const r = drill([good, bad]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {2}.*bad\.pkt:\d+: outbound segment: ack 1, expected 2$/m);
      expect(r.stdout).toMatch(/\n1 passed, 1 failed, 0 unsupported\n$/);
    });

    it('runs every .pkt of a folder', () => {
      const r = drill([dir]);
      expect(r.stdout).toMatch(/\n1 passed, 1 failed, 0 unsupported\n$/);
    });

    it('prints one line and exits 2 for a path that does not exist', () => {
      expectUsageError(drill([join(dir, 'missing.pkt')]), /missing\.pkt: no such file or folder/);
    });

    it('prints one line and exits 2 for an unknown --profile', () => {
      expectUsageError(drill(['--profile', 'nonsense', good]), /--profile: unknown 'nonsense'/);
    });

    it('prints one line and exits 2 for a --profile that names an Object property', () => {
      for (const name of ['toString', 'constructor']) {
        expectUsageError(
          drill(['--profile', name, good]),
          new RegExp(`--profile: unknown '${name}'`),
        );
      }
    });

    it('plays the #ifdef FreeBSD branches with -D FreeBSD', () => {
      const branchy = file(
        'branchy.pkt',
        script([...ESTABLISHED, '#ifdef FreeBSD', '+0.00 fcntl(3, F_GETFL) = 0x02', '#endif']),
      );
      expect(drill([branchy]).status).toBe(0);
      const r = drill(['-D', 'FreeBSD', branchy]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/fcntl\(\) returned 6, expected 2/);
    });

    it('reports a binary file as a failure, not a crash', () => {
      const binary = file('binary.pkt', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0]));
      const r = drill([binary]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {2}.*binary\.pkt: not a text file/m);
      expect(r.stderr).toBe('');
    });

    it('prints JSON that parses with --json', () => {
      const r = drill(['--json', '--seed', '99', good, bad]);
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.summary).toEqual({ passed: 1, failed: 1, unsupported: 0 });
      expect(json.scripts.map((s: { status: string }) => s.status)).toEqual(['pass', 'fail']);
    });

    it('--trace lists each segment, call and state change with its time and line', () => {
      const r = drill(['-v', '--trace', good]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^ +0\.000000 {2}:\d+ +< S 0:0\(0\)/m);
      expect(r.stdout).toMatch(/^ +0\.000000 {2}:\d+ +> S\. 0:0\(0\) ack 1/m);
      expect(r.stdout).toMatch(/LISTEN -> SYN_RECV \(rcv SYN\)/);
      expect(r.stdout).toMatch(/accept\(3, \.\.\., \.\.\.\) = 4/);
    });

    it('--pcap writes the packets of one script, both ways, as a pcap file (read back here)', () => {
      const out = join(dir, 'good.pcap');
      const r = drill(['--pcap', out, good]);
      expect(r.status).toBe(0);
      const pcap = readPcap(new Uint8Array(readFileSync(out)));
      if (!pcap.ok) throw new Error(pcap.reason);
      const result = runScriptText(script(PASSIVE_OPEN_AND_CLOSE));
      expect(pcap.value.packets).toHaveLength(result.packets.length);
      expect(pcap.value.packets.map((p) => [...p.data])).toEqual(
        result.packets.map((p) => [...p.bytes]),
      );
      expectUsageError(drill(['--pcap', out, good, bad]), /--pcap takes one script; 2 were given/);
    });
  },
);

describe('hostile scripts get an answer, not a crash', () => {
  it('a write of 4 GiB takes what fits in the send buffer', () => {
    const body = [...ESTABLISHED, '+0.00 write(3, ..., 4294967295) = 33580'];
    // 32768 rounded up to 1460-byte segments (FreeBSD's tcp_mss_update): 23 * 1460.
    expect(run(body).outcome).toEqual({ status: 'pass' });
  });

  it('an inbound segment larger than an IPv4 packet fails at its line', () => {
    const text = script([...ESTABLISHED, `+0.10 < P. 1:70001(70000) ack 1 win 32767 ${MARK}`]);
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toMatch(/cannot be sent/);
  });

  it('a second listener on the same port is EADDRINUSE', () => {
    const body = [
      ...LISTENING,
      '+0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4',
      '+0.00 bind(4, ..., ...) = 0',
      '+0.00 listen(4, 1) = -1 EADDRINUSE (Address already in use)',
    ];
    expect(run(body).outcome).toEqual({ status: 'pass' });
  });
});

describe('ECN (RFC 3168) as FreeBSD sets it', () => {
  it('ecn.enable=1: our SYN asks, and with maxretries=1 only its first retransmission does', () => {
    const text = [
      '0 `sysctl -w net.inet.tcp.ecn.enable=1`',
      '+0 `sysctl -w net.inet.tcp.ecn.maxretries=1`',
      '+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      '+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
      '+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
      '+0 > SEW 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
      '+1 > SEW 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 1100 ecr 0>',
      '+2.2 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 3300 ecr 0>',
    ];
    expect(run(text).outcome).toEqual({ status: 'pass' });
  });

  it('ecn.enable=2 agrees to a SYN that asks (ECE on the SYN,ACK); ecn.enable=0 answers plainly', () => {
    const answer = (enable: number, flags: string) => [
      `0 \`sysctl -w net.inet.tcp.ecn.enable=${enable}\``,
      ...LISTENING,
      '+0.00 < SEW 0:0(0) win 32767 <mss 1460,sackOK,eol,eol>',
      `+0.00 > ${flags} 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>`,
    ];
    expect(run(answer(2, 'SE.')).outcome).toEqual({ status: 'pass' });
    expect(run(answer(0, 'S.')).outcome).toEqual({ status: 'pass' });
    expect(run(answer(0, 'SE.')).outcome).toMatchObject({ status: 'fail' });
  });
});

describe('settings in Linux-style commands', () => {
  it('reads sysctl -q/-w, /proc/sys arguments and echo > /proc/sys', () => {
    expect(sysctlSettings('sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_sack=1')).toEqual([
      ['net.ipv4.tcp_timestamps', '0'],
      ['net.ipv4.tcp_sack', '1'],
    ]);
    expect(
      sysctlSettings(
        '../common/set_sysctls.py /proc/sys/net/ipv4/tcp_sack=0 /proc/sys/net/ipv4/tcp_ecn=0',
      ),
    ).toEqual([
      ['net.ipv4.tcp_sack', '0'],
      ['net.ipv4.tcp_ecn', '0'],
    ]);
    expect(sysctlSettings('echo 0 > /proc/sys/net/ipv4/tcp_timestamps')).toEqual([
      ['net.ipv4.tcp_timestamps', '0'],
    ]);
    expect(sysctlSettings('../common/defaults.sh')).toEqual([]);
  });

  it('a multi-line init command is read setting by setting; timestamps off changes the SYN', () => {
    const text = [
      '`../common/defaults.sh',
      ' sysctl -q net.ipv4.tcp_timestamps=0; echo 0 > /proc/sys/net/ipv4/tcp_sack`',
      '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      '+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
      '+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
      '+0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6>',
    ].join('\n');
    const r = runScriptText(text);
    expect(r.outcome).toEqual({ status: 'pass' });
    expect(r.commands.map((c) => c.handled)).toEqual([
      'skipped, not run: ../common/defaults.sh',
      'net.ipv4.tcp_timestamps=0: set {"timestamps":false}',
      'net.ipv4.tcp_sack=0: set {"sack":false}',
    ]);
  });
});

describe('blocking calls with a return time (start...end)', () => {
  const accepting = (time: string) => [
    ' 0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0.00 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
    '+0.00 bind(3, ..., ...) = 0',
    '+0.00 listen(3, 1) = 0',
    `${time} accept(3, ..., ...) = 4 ${MARK}`,
    '+0.00 < S 0:0(0) win 32767 <mss 1460,sackOK,eol,eol>',
    '+0.00 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>',
    '+0.20 < . 1:1(0) ack 1 win 32767',
  ];

  it('passes when the call returns at the end time', () => {
    expect(run(accepting('0.000...0.200')).outcome).toEqual({ status: 'pass' });
  });

  it('fails at the call’s line when it returns at another time', () => {
    const text = script(accepting('0.000...0.500'));
    const o = failed(runScriptText(text));
    expect(o.line).toBe(lineOf(text));
    expect(o.message).toMatch(/accept\(\) returned at 0\.200 s, expected at 0\.500 s/);
  });
});
