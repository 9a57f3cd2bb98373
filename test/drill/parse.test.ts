/**
 * The packetdrill parser: exact parses of the lines the FreeBSD suite writes, one test per kind
 * of error (with its line), the preprocessor, time conversion, the real corpus when it is on
 * disk, and a property test that no input makes it throw or hang.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParseError, ScriptEvent, TimeSpec } from '../../src/drill/ast.js';
import { parseScript } from '../../src/drill/parse.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = resolve(
  REPO_ROOT,
  '..',
  'shared',
  'conformance',
  'freebsd-tcp-testsuite',
  'state-event-engine',
);

function events(text: string, defines: string[] = []): ScriptEvent[] {
  const r = parseScript(text, { defines: new Set(defines) });
  if (!r.ok) throw new Error(`line ${r.error.line}: ${r.error.message}`);
  return r.script.events;
}

/** The one event of `+0.00 <line>`, without its line and time. */
function only(line: string): Record<string, unknown> {
  const [event] = events(`+0.00 ${line}`);
  const { line: _line, time: _time, ...rest } = event;
  return rest;
}

function error(text: string, defines: string[] = []): ParseError {
  const r = parseScript(text, { defines: new Set(defines) });
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

const int = (value: number) => ({ kind: 'int', value });
const sym = (name: string) => ({ kind: 'symbol', name });
const list = (...items: unknown[]) => ({ kind: 'list', items });
const ellipsis = { kind: 'ellipsis' };

describe('system calls', () => {
  it.each([
    [
      'socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
      [ellipsis, sym('SOCK_STREAM'), sym('IPPROTO_TCP')],
      3,
    ],
    ['listen(3, 2) = 0', [int(3), int(2)], 0],
    ['shutdown(4, SHUT_WR) = 0', [int(4), sym('SHUT_WR')], 0],
    ['write(4, ..., 1000) = 1000', [int(4), ellipsis, int(1000)], 1000],
    ['bind(3, ..., ...) = 0', [int(3), ellipsis, ellipsis], 0],
    ['accept(3, ..., ...) = 4', [int(3), ellipsis, ellipsis], 4],
    [
      'setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
      [int(3), sym('SOL_SOCKET'), sym('SO_REUSEADDR'), list(int(1)), int(4)],
      0,
    ],
    [
      'getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0',
      [int(3), sym('SOL_SOCKET'), sym('SO_RCVBUF'), list(int(65536)), list(int(4))],
      0,
    ],
    [
      'getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0',
      [int(4), sym('SOL_SOCKET'), sym('SO_ERROR'), list(sym('ECONNRESET')), list(int(4))],
      0,
    ],
    ['close(3) = 0', [int(3)], 0],
  ])('%s', (line, args, result) => {
    expect(only(line)).toStrictEqual({
      kind: 'syscall',
      name: line.split('(')[0],
      args,
      result: int(result),
    });
  });

  it('reads a hex result and its note', () => {
    expect(only('fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)')).toStrictEqual({
      kind: 'syscall',
      name: 'fcntl',
      args: [int(3), sym('F_GETFL')],
      result: int(2),
      note: 'flags O_RDWR',
    });
  });

  it('reads an or of flags', () => {
    expect(only('fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0')).toMatchObject({
      args: [int(3), sym('F_SETFL'), { kind: 'or', operands: [sym('O_RDWR'), sym('O_NONBLOCK')] }],
    });
  });

  it.each([
    [
      'connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
      'connect',
      'EINPROGRESS',
      'Operation now in progress',
    ],
    [
      'read(3, ..., 100) = -1 EWOULDBLOCK (Operation would block)',
      'read',
      'EWOULDBLOCK',
      'Operation would block',
    ],
  ])('reads -1, errno and note: %s', (line, name, errno, note) => {
    expect(only(line)).toMatchObject({ name, result: int(-1), errno, note });
  });

  it('keeps strings, braces and empty argument lists', () => {
    expect(only('foo("a\\"b", {x=1, {y=2}}, []) = 0')).toMatchObject({
      args: [{ kind: 'string', value: 'a"b' }, { kind: 'raw', text: '{x=1, {y=2}}' }, list()],
    });
    expect(only('getpid() = 7')).toMatchObject({ args: [], result: int(7) });
  });

  it('keeps a note with quotes and parentheses as written', () => {
    expect(
      only(`connect(3, ..., ...) = -1 EADDRNOTAVAIL (Can't assign "it" (really))`),
    ).toMatchObject({
      note: `Can't assign "it" (really)`,
    });
  });
});

describe('packets', () => {
  const syn = [
    { kind: 'mss', value: 1460 },
    { kind: 'nop' },
    { kind: 'wscale', shift: 6 },
    { kind: 'sack-permitted' },
    { kind: 'timestamp', value: 100, echo: 0 },
  ];
  const synAck = [
    { kind: 'mss', value: 1460 },
    { kind: 'sack-permitted' },
    { kind: 'eol' },
    { kind: 'eol' },
  ];

  it.each([
    [
      '> S  0:0(0)       win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
      'outbound',
      { flags: 'S', seq: { start: 0, end: 0 }, len: 0, win: 65535, options: syn },
    ],
    [
      '<  . 1:1(0) ack 1 win 32767',
      'inbound',
      { flags: '.', seq: { start: 1, end: 1 }, len: 0, ack: 1, win: 32767 },
    ],
    [
      '< SF 65537:65537(0)           win 32767 <mss 1460,sackOK,eol,eol>',
      'inbound',
      { flags: 'SF', seq: { start: 65537, end: 65537 }, len: 0, win: 32767, options: synAck },
    ],
    [
      '> S.     ...(0)     ack 65538 win 65535 <mss 1460,sackOK,eol,eol>',
      'outbound',
      { flags: 'S.', len: 0, ack: 65538, win: 65535, options: synAck },
    ],
    [
      '< R. 0:3(3) ack 1 win 32767',
      'inbound',
      { flags: 'R.', seq: { start: 0, end: 3 }, len: 3, ack: 1, win: 32767 },
    ],
    [
      '< P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 10 ecr 20>',
      'inbound',
      {
        flags: 'P.',
        seq: { start: 1, end: 1001 },
        len: 1000,
        ack: 1,
        win: 257,
        options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', value: 10, echo: 20 }],
      },
    ],
    [
      '> . 1:1(0) ack 1001 <nop,nop,sack 1:2 3:4>',
      'outbound',
      {
        flags: '.',
        seq: { start: 1, end: 1 },
        len: 0,
        ack: 1001,
        options: [
          { kind: 'nop' },
          { kind: 'nop' },
          {
            kind: 'sack',
            blocks: [
              [1, 2],
              [3, 4],
            ],
          },
        ],
      },
    ],
    [
      '> . 1:1(0) ack 1 <...>',
      'outbound',
      { flags: '.', seq: { start: 1, end: 1 }, len: 0, ack: 1, options: 'any' },
    ],
    [
      '> F. 1:1(0) ack 1 win 1 urg 0',
      'outbound',
      { flags: 'F.', seq: { start: 1, end: 1 }, len: 0, ack: 1, win: 1 },
    ],
  ])('%s', (line, direction, tcp) => {
    expect(only(line)).toStrictEqual({ kind: 'packet', direction, tcp });
  });

  it('reads the ECN mark after the packet or, as packetdrill writes it, before the flags', () => {
    const tcp = { flags: '.', seq: { start: 1, end: 1 }, len: 0, ack: 1, win: 100 };
    const want = { kind: 'packet', direction: 'inbound', tcp, ecn: 'ect0' };
    expect(only('< . 1:1(0) ack 1 win 100 [ect0]')).toStrictEqual(want);
    expect(only('< [ect0] . 1:1(0) ack 1 win 100')).toStrictEqual(want);
    expect(only('> [ce] . 1:1(0) ack 1')).toMatchObject({ ecn: 'ce' });
  });

  it('accepts a sequence range that wraps around 2^32', () => {
    expect(only('< . 4294967295:9(10) ack 1')).toMatchObject({
      tcp: { seq: { start: 4294967295, end: 9 }, len: 10 },
    });
  });
});

describe('times', () => {
  const time = (t: string): TimeSpec => events(`${t} close(3) = 0`)[0].time;

  it.each([
    ['+0.10', { kind: 'relative', usecs: 100000 }],
    ['1.00', { kind: 'absolute', usecs: 1000000 }],
    ['0.1', { kind: 'absolute', usecs: 100000 }],
    ['+0', { kind: 'relative', usecs: 0 }],
    ['2.000001', { kind: 'absolute', usecs: 2000001 }],
    ['1.005', { kind: 'absolute', usecs: 1005000 }],
    ['0.3000000', { kind: 'absolute', usecs: 300000 }],
    ['*', { kind: 'any' }],
    ['0.1~0.2', { kind: 'range', relative: false, lowUsecs: 100000, highUsecs: 200000 }],
    ['+0.1~+0.2', { kind: 'range', relative: true, lowUsecs: 100000, highUsecs: 200000 }],
  ])('%s', (t, want) => {
    expect(time(t)).toStrictEqual(want);
  });

  it.each([
    ['-1.0', /negative/],
    ['+-0.1', /negative/],
    ['0.1~+0.2', /all relative or all absolute/],
    ['0.2~0.1', /end before it starts/],
    ['0.0000001', /finer than a microsecond/],
    ['0x10', /expected a time/],
    ['', /expected a time/],
  ])('rejects %j', (t, message) => {
    expect(error(`${t} close(3) = 0`)).toMatchObject({
      line: 1,
      message: expect.stringMatching(message),
      unsupported: false,
    });
  });
});

describe('script structure', () => {
  it('reads options, skips comments and numbers events by their line', () => {
    const r = parseScript(
      [
        '// header',
        '--ip_version=ipv4',
        '--tolerance_usecs=75000 // trailing',
        '--verbose',
        '',
        '/* a comment',
        '   over lines */ 0.00 `sysctl -w a=1 // kept` /* gone */',
        '+0.00 close(3) = 0 // done',
      ].join('\r\n'),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.script.options]).toStrictEqual([
      ['ip_version', 'ipv4'],
      ['tolerance_usecs', '75000'],
      ['verbose', ''],
    ]);
    expect(r.script.events).toStrictEqual([
      {
        kind: 'command',
        line: 7,
        time: { kind: 'absolute', usecs: 0 },
        command: 'sysctl -w a=1 // kept',
      },
      {
        kind: 'syscall',
        line: 8,
        time: { kind: 'relative', usecs: 0 },
        name: 'close',
        args: [int(3)],
        result: int(0),
      },
    ]);
  });

  const branches = [
    '0 close(1) = 0',
    '#ifdef STANDARD',
    '+0 close(2) = 0',
    '#ifndef FreeBSD',
    '+0 close(3) = 0',
    '#endif',
    '#else',
    '+0 close(4) = 0',
    '#ifdef FreeBSD',
    '+0 close(5) = 0',
    '#else',
    '+0 garbage that is never parsed',
    '#endif',
    '#endif',
    '+0 close(6) = 0',
  ].join('\n');
  const closed = (defines: string[]) =>
    events(branches, defines).map((e) => (e.kind === 'syscall' ? e.args[0] : undefined));

  it.each([
    [['STANDARD'], [1, 2, 3, 6]],
    [['FreeBSD'], [1, 4, 5, 6]],
    [
      ['STANDARD', 'FreeBSD'],
      [1, 2, 6],
    ],
  ])('#ifdef with %j selects %j', (defines, want) => {
    expect(closed(defines)).toStrictEqual(want.map(int));
  });

  it('fails on the garbage line when no name selects the other branches', () => {
    expect(error(branches)).toMatchObject({ line: 12, unsupported: false });
  });
});

describe('packetdrill time forms', () => {
  it('reads a time without a leading zero (+.1) and a blocking call’s return time', () => {
    expect(events('+.1 close(3) = 0')[0].time).toStrictEqual({ kind: 'relative', usecs: 100000 });
    const [call] = events('0.100...0.250 accept(3, ..., ...) = 4');
    expect(call).toMatchObject({
      kind: 'syscall',
      name: 'accept',
      time: { kind: 'absolute', usecs: 100000 },
      returns: { kind: 'absolute', usecs: 250000 },
    });
    expect(error('0.1...0.2 < S 0:0(0) win 1').message).toMatch(/only a system call/);
  });
});

describe('shell commands', () => {
  it('an init command (no time) is a command at the start, as packetdrill runs it first', () => {
    expect(events('`../common/defaults.sh`\n0 close(3) = 0')[0]).toStrictEqual({
      kind: 'command',
      line: 1,
      time: { kind: 'relative', usecs: 0 },
      command: '../common/defaults.sh',
    });
  });

  it('a command may span lines: one event at its first line, later lines keep their numbers', () => {
    const evs = events('`a.sh\n b.py x=1 // not a comment\n`\n\n0 close(3) = 0');
    expect(evs[0]).toMatchObject({
      kind: 'command',
      line: 1,
      command: 'a.sh\n b.py x=1 // not a comment\n',
    });
    expect(evs[1]).toMatchObject({ kind: 'syscall', line: 5 });
  });

  it('a backquote never closed is an error at its line, in one line of text', () => {
    const e = error('0 close(3) = 0\n+0 `sysctl -w a=1\n+0 close(4) = 0\n');
    expect(e).toMatchObject({ line: 2, unsupported: false });
    expect(e.message).toMatch(/unterminated `command`/);
    expect(e.message).not.toMatch(/\n/);
  });
});

describe('errors name the line and the problem', () => {
  const script = (bad: string) =>
    ['--ip_version=ipv4', '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', bad].join('\n');

  it.each([
    ['+0 < SX 0:0(0) win 1', /unknown TCP flag 'X' in 'SX'/],
    ['+0 < SS 0:0(0) win 1', /'S' is written twice/],
    ['+0 < S 0:10(3) win 1', /0:10 spans 10 bytes but the length says \(3\)/],
    ['+0 < S 4294967296:0(0) win 1', /out of range/],
    ['+0 < S 0:0(0) win 65536', /65536 is out of range for a window/],
    ['+0 < S 0:0(0) win 1 <mss 1460,,nop>', /expected a TCP option, found ','/],
    ['+0 < S 0:0(0) win 1 <mss 1460 nop>', /expected ',' or '>'/],
    ['+0 < S 0:0(0) win 1 <bogus 3>', /unknown TCP option 'bogus'/],
    ['+0 < S 0:0(0) win 1 <sack>', /at least one block/],
    ['+0 < . 1:1(0) ack 1 win 1 [ecn]', /unknown ECN mark '\[?ecn/],
    ['+0 < . 1:1(0) win 1 ack 1', /unexpected 'ack' after the packet/],
    ['+0 close(3) = 0 junk', /unexpected 'junk' after the result of close/],
    ['+0 close(3 = 0', /expected ',' or '\)' in close/],
    ['+0 close(3)', /expected '=' after close/],
    ['+0 close(1.5) = 0', /expected an integer, found '1.5'/],
    ['+0 close(3) = -1 EBADF (no close', /must end with '\)'/],
    ['+0 `sysctl', /unterminated `command`/],
    ['+0 foo("x) = 0', /unterminated "string"/],
    ['+0 hello', /expected '\(' after 'hello'/],
    ['+0 = 3', /expected a packet, system call or command/],
    ['--late=1', /comes after the first event/],
    ['#if 1', /unknown preprocessor directive/],
    ['#endif', /#endif without a matching #ifdef/],
    ['#else', /#else without a matching #ifdef/],
  ])('%s', (bad, message) => {
    expect(error(script(bad))).toStrictEqual({
      line: 3,
      message: expect.stringMatching(message),
      unsupported: false,
    });
  });

  it('reports a missing #endif at its #ifdef, and a second #else', () => {
    expect(error('0 close(3) = 0\n#ifdef FreeBSD\n+0 close(3) = 0\n')).toStrictEqual({
      line: 2,
      message: '#ifdef FreeBSD is never closed by #endif',
      unsupported: false,
    });
    expect(error('#ifndef X\n#else\n#else\n#endif')).toMatchObject({
      line: 3,
      message: expect.stringMatching(/second #else/),
    });
  });

  it('reports an unclosed block comment at its start', () => {
    expect(error('0 close(3) = 0\n/* open\n\n')).toMatchObject({
      line: 2,
      message: expect.stringMatching(/never closed/),
    });
  });
});

describe('unsupported packetdrill is reported as such', () => {
  it.each([
    ['+0 < udp (1472)', /'udp' packets/],
    ['+0 > icmp unreachable port', /'icmp' packets/],
    ['+0 < gre: . 1:1(0) ack 1', /'gre' packets/],
    ['+0 < mpls (label 1, tc 0, ttl 255)', /'mpls' packets/],
    ['+0 < ipv4 192.0.2.1 > 192.0.2.2: gre: S 0:0(0) win 1', /'ipv4' encapsulation/],
    ['+0 < 192.168.0.1:8080 > 192.168.0.2:80 S 0:0(0) win 1', /IPv4 addresses/],
    ['+0 < fd3d::1:8080 > fd3d::2:80 S 0:0(0) win 1 <mss 1460>', /IPv6 addresses/],
    ['+0 < S 0:0(0) win 1 <md5 0>', /TCP option 'md5'/],
  ])('%s', (bad, message) => {
    expect(error(`0 close(3) = 0\n${bad}`)).toStrictEqual({
      line: 2,
      message: expect.stringMatching(message),
      unsupported: true,
    });
  });

  it('keeps a Python block, over several lines, as one code event at its start', () => {
    const text = [
      '0 close(3) = 0',
      '+0 %{',
      '# not a directive',
      'x = a // 2',
      '}%',
      '+0 close(4) = 0',
    ].join('\n');
    const evs = events(text);
    expect(evs.map((e) => e.kind)).toStrictEqual(['syscall', 'code', 'syscall']);
    expect(evs[1]).toStrictEqual({
      kind: 'code',
      line: 2,
      time: { kind: 'relative', usecs: 0 },
      code: '# not a directive\nx = a // 2',
    });
    expect(events('+0.10 %{ assert tcpi_state == TCPI_SYN_SENT }%')).toStrictEqual([
      {
        kind: 'code',
        line: 1,
        time: { kind: 'relative', usecs: 100000 },
        code: 'assert tcpi_state == TCPI_SYN_SENT',
      },
    ]);
    expect(error('%{ x }%')).toMatchObject({ line: 1, unsupported: false });
    expect(events(`#ifdef X\n${text}\n#endif`)).toStrictEqual([]);
  });

  it('joins a system call continued on the next lines, at the line it starts on', () => {
    const text =
      '0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1,\n      linger=0}, 8) = 0\n+0 close(3) = 0';
    const evs = events(text);
    expect(evs.map((e) => [e.kind, e.line])).toStrictEqual([
      ['syscall', 1],
      ['syscall', 3],
    ]);
    expect(evs[0]).toMatchObject({
      name: 'setsockopt',
      args: [{}, {}, {}, { kind: 'raw', text: '{onoff=1, linger=0}' }, { kind: 'int', value: 8 }],
      result: { kind: 'int', value: 0 },
    });
    // A call left open before the next event is still an error of its own line.
    expect(error('0 close(3,\n+0 close(4) = 0')).toMatchObject({ line: 1, unsupported: false });
  });
});

describe('TCP Fast Open options (RFC 7413)', () => {
  it('reads FO with and without a cookie, and FOEXP with the magic 0xF989', () => {
    const [req, withCookie, exp] = events(
      [
        '0 < S 0:0(0) win 1 <mss 1460,FO,nop,nop>',
        '+0 < S 0:0(0) win 1 <mss 1460,FO 3021b9d889017eeb,nop,nop>',
        '+0 < S 0:0(0) win 1 <FOEXP abcd1234>',
      ].join('\n'),
    );
    const opts = (e: ScriptEvent) => (e.kind === 'packet' ? e.tcp.options : undefined);
    expect(opts(req)).toStrictEqual([
      { kind: 'mss', value: 1460 },
      { kind: 'unknown', code: 34, data: new Uint8Array(0) },
      { kind: 'nop' },
      { kind: 'nop' },
    ]);
    expect(opts(withCookie)?.[1]).toStrictEqual({
      kind: 'unknown',
      code: 34,
      data: Uint8Array.from([0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb]),
    });
    expect(opts(exp)).toStrictEqual([
      { kind: 'unknown', code: 254, data: Uint8Array.from([0xf9, 0x89, 0xab, 0xcd, 0x12, 0x34]) },
    ]);
  });

  it('rejects a cookie of half a byte', () => {
    expect(error('0 < S 0:0(0) win 1 <FO abc>')).toMatchObject({
      line: 1,
      unsupported: false,
      message: expect.stringMatching(/whole bytes/),
    });
  });
});

const HAVE_CORPUS = existsSync(CORPUS);
const CORPUS_TITLE = HAVE_CORPUS
  ? `the FreeBSD state-event-engine corpus (${CORPUS})`
  : `the FreeBSD state-event-engine corpus: skipped, ${CORPUS} is not on this machine`;

describe.skipIf(!HAVE_CORPUS)(CORPUS_TITLE, () => {
  const files = HAVE_CORPUS
    ? readdirSync(CORPUS, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.pkt'))
        .sort()
    : [];

  it('has its 307 scripts', () => {
    expect(files).toHaveLength(307);
  });

  it.each(['STANDARD', 'FreeBSD'])('every script parses with %s defined', (define) => {
    const failures: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(CORPUS, file), 'utf8');
      const r = parseScript(text, { defines: new Set([define]) });
      // Six scripts assert tcpi_state in Python: each block must come back as a code event.
      const python = text.split('\n').filter((l) => l.includes('%{')).length;
      if (!r.ok) failures.push(`${file}:${r.error.line}: ${r.error.message}`);
      else if (r.script.events.length === 0) failures.push(`${file}: no events`);
      else if (python > 0 && !r.script.events.some((e) => e.kind === 'code')) {
        failures.push(`${file}: Python block lost`);
      }
    }
    expect(failures).toStrictEqual([]);
  });
});

describe('no input makes the parser throw', () => {
  const valid = [
    '--ip_version=ipv4',
    ' 0.00 `sysctl -w net.inet.tcp.rfc1323=1`',
    '+0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
    '#ifdef STANDARD',
    '+0.00 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [65536], [4]) = 0 /* c */',
    '#endif',
    ' 1.00 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
    '+0.00 > S  0:0(0)       win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
    '+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol> [ect0]',
    '0.1~0.2 > . 1:1(0) ack 1 <nop,nop,sack 1:2 3:4>',
    '* > F. ...(0) ack 1 <...>',
    '+0 %{ assert tcpi_state == TCPI_ESTABLISHED }%',
  ].join('\n');

  function answers(text: string, defines: string[]): void {
    const r = parseScript(text, { defines: new Set(defines) });
    if (r.ok) return;
    expect(r.error.message).not.toMatch(/internal parser error|[\n\r]/);
    expect(Number.isInteger(r.error.line) && r.error.line >= 1).toBe(true);
  }

  it('parses the seed script itself', () => {
    expect(events(valid.replace(/^.*%\{.*$/m, ''), ['STANDARD'])).toHaveLength(9);
  });

  it('on random text', () => {
    const alphabet = fc.constantFrom(
      ...'0123456789.+-*~<>()[]{},:=|"`/%#\n SF.RPUEWackwinTSval'.split(''),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 200 })), (text) =>
        answers(text, []),
      ),
      { numRuns: 2000 },
    );
  });

  it('on mutations of a valid script', () => {
    const mutation = fc.tuple(fc.nat(valid.length), fc.nat(8), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (edits, standard) => {
          let text = valid;
          for (const [at, cut, insert] of edits) {
            text = text.slice(0, at) + insert + text.slice(at + cut);
          }
          answers(text, standard ? ['STANDARD'] : []);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
