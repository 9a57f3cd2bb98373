/**
 * packetdrill's script language, read into the AST of ast.ts.
 *
 * Two passes. The first walks the characters of the whole text, because block comments and
 * `%{ }%` Python blocks may span lines; it leaves one cleaned line per physical line, so that
 * errors keep their line numbers. The second applies `#ifdef` and reads each remaining line by
 * recursive descent over a lazy tokenizer: lazy, because a syscall's note `(Operation would
 * block)` is free text that must not be tokenized. The first problem ends the parse; inside,
 * problems are thrown as ParseFail and turned into the result at the top, so the descent needs
 * no error plumbing and the public function never throws.
 */
import { fastOpenOption } from '../tcp/fastopen.js';
import type { TcpOption } from '../wire/types.js';
import type {
  CodeEvent,
  Expr,
  PacketEvent,
  ParseOptions,
  ParseScriptResult,
  Script,
  ScriptEvent,
  SyscallEvent,
  TcpPacketSpec,
  TimeSpec,
} from './ast.js';

class ParseFail extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
    /** Set when the problem belongs to another line than the one being read (an open block). */
    readonly atLine = 0,
  ) {
    super(message);
  }
}

function fail(message: string, unsupported = false): never {
  throw new ParseFail(message, unsupported);
}

const FLAG_LETTERS = 'SFRPUEW.';
const ECN_MARKS = new Set(['noecn', 'ect0', 'ect1', 'ce', 'ect01']);
/** Packet kinds packetdrill has beside TCP; the first word after the direction names them. */
const OTHER_PROTOCOLS = new Set(['udp', 'udplite', 'icmp', 'gre', 'mpls', 'sctp']);
const ENCAPSULATIONS = new Set(['ip', 'ipv4', 'ipv6']);
/** TCP options packetdrill writes that TcpOption does not model (TFO, MD5, AccECN, MPTCP). */
const UNMODELLED_OPTIONS = new Set('TFO md5 exp ECN mptcp mp_capable mp_join dss'.split(' '));
/** Deep enough for any struct or list a script writes; bounds the recursion on garbage. */
const MAX_NESTING = 32;
const U32 = 0xffff_ffff;

// ---- Pass 1: comments and Python blocks ------------------------------------------------------

interface SourceLine {
  line: number;
  text: string;
  /** The text of a `%{ ... }%` Python block that starts on this line (removed from `text`). */
  python: string | undefined;
}

function cleanLines(text: string): SourceLine[] {
  const out: SourceLine[] = [];
  let cur = '';
  let line = 1;
  let python: string | undefined;
  let pythonLine: SourceLine | undefined;
  let mode: 'code' | 'comment' | 'python' = 'code';
  let openedAt = 0;
  // A quote shields `//` and `/*` until it closes: a string at the end of its line, a
  // backquoted command (which may span lines) at its closing backquote.
  let quote = '';
  // The line a multi-line backquoted command started on (packetdrill allows commands over
  // several lines); the command's text keeps its newlines.
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\n' && quote === '`' && mode === 'code') {
      cur += c;
      line++;
    } else if (c === '\n') {
      out.push({ line: start, text: cur, python });
      if (python !== undefined && mode === 'python') pythonLine = out[out.length - 1];
      if (mode === 'python' && pythonLine !== undefined) pythonLine.python += '\n';
      cur = '';
      python = undefined;
      quote = '';
      line++;
      start = line;
    } else if (mode !== 'code') {
      const closer = mode === 'comment' ? '*/' : '}%';
      if (c === closer[0] && next === closer[1]) {
        mode = 'code';
        i++;
      } else if (mode === 'python') {
        if (python !== undefined) python += c;
        else if (pythonLine !== undefined) pythonLine.python += c;
      }
    } else if (quote !== '') {
      cur += c;
      if (c === '\\' && quote === '"' && next !== undefined && next !== '\n') {
        cur += next;
        i++;
      } else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') {
      quote = c;
      cur += c;
    } else if (c === '/' && next === '/') {
      const newline = text.indexOf('\n', i);
      i = (newline < 0 ? text.length : newline) - 1;
    } else if ((c === '/' && next === '*') || (c === '%' && next === '{')) {
      mode = c === '/' ? 'comment' : 'python';
      if (c === '%') python = '';
      openedAt = line;
      cur += ' ';
      i++;
    } else cur += c;
  }
  out.push({ line: start, text: cur, python });
  if (quote === '`')
    throw new ParseFail('unterminated `command`: no closing backquote', false, start);
  if (mode !== 'code') {
    const what = mode === 'comment' ? '/* comment' : '%{ Python block';
    throw new ParseFail(`${what} is never closed`, false, openedAt);
  }
  return out;
}

// ---- Pass 2: preprocessor, options lines and events ------------------------------------------

interface Condition {
  directive: string;
  line: number;
  /** Whether the lines around the block are read: kept so that nesting costs O(1) per line. */
  enclosing: boolean;
  taken: boolean;
  sawElse: boolean;
}

const reading = (top: Condition | undefined) => top === undefined || (top.enclosing && top.taken);

export function parseScript(text: string, options: ParseOptions = {}): ParseScriptResult {
  const macros = options.macros ?? new Map<string, string>();
  const defines = new Set([...(options.defines ?? []), ...macros.keys()]);
  const expand =
    macros.size === 0
      ? (t: string) => t
      : (t: string) => t.replace(/[A-Za-z_]\w*/g, (w) => macros.get(w) ?? w);
  let line = 0;
  try {
    const lines = cleanLines(text);
    const script: Script = { options: new Map(), events: [] };
    const conditions: Condition[] = [];
    for (let k = 0; k < lines.length; k++) {
      line = lines[k].line;
      const raw = lines[k].text.trim();
      const body = raw.startsWith('#') ? raw : expand(raw);
      if (body.startsWith('#')) {
        directive(body, line, conditions, defines);
        continue;
      }
      if (!reading(conditions.at(-1))) continue;
      const code = lines[k].python;
      if (code !== undefined) {
        script.events.push(parseCode(body, line, code));
        continue;
      }
      if (body === '') continue;
      if (body.startsWith('--')) {
        if (script.events.length > 0) fail(`option '${body}' comes after the first event`);
        const m = /^--([A-Za-z0-9_][\w-]*)(?:=(.*))?$/.exec(body);
        if (!m) fail(`malformed option line '${body}'; expected --name=value`);
        script.options.set(m[1], (m[2] ?? '').trim());
        continue;
      }
      // A system call written over several lines (a struct argument, a long list): its
      // lines joined, reported at the line it starts on.
      let text = body;
      while (opensMoreThanItCloses(text) && continuesOnNextLine(lines, k)) {
        k++;
        if (lines[k].python !== undefined) fail('a %{ Python block inside a system call');
        text += ` ${expand(lines[k].text.trim())}`;
      }
      script.events.push(parseEvent(text, line));
    }
    const open = conditions.at(-1);
    if (open) throw new ParseFail(`${open.directive} is never closed by #endif`, false, open.line);
    return { ok: true, script };
  } catch (e) {
    if (e instanceof ParseFail) {
      // One line, whatever text the message quotes (a command may span lines).
      const message = e.message.replace(/\s*[\r\n]+\s*/g, ' ');
      const error = { line: e.atLine || line, message, unsupported: e.unsupported };
      return { ok: false, error };
    }
    // Only a bug gets here (the property test looks for this message); still answer, not throw.
    const message = `internal parser error: ${e}`;
    return { ok: false, error: { line, message, unsupported: false } };
  }
}

function directive(body: string, line: number, stack: Condition[], defines: ReadonlySet<string>) {
  const m = /^#\s*(\w*)\s*(.*)$/.exec(body);
  const name = m?.[1] ?? '';
  const arg = (m?.[2] ?? '').trim();
  const top = stack.at(-1);
  if (name === 'ifdef' || name === 'ifndef') {
    if (!/^[A-Za-z_]\w*$/.test(arg)) fail(`#${name} needs one name, found '${arg}'`);
    const taken = defines.has(arg) === (name === 'ifdef');
    stack.push({
      directive: `#${name} ${arg}`,
      line,
      enclosing: reading(top),
      taken,
      sawElse: false,
    });
  } else if (name === 'else' || name === 'endif') {
    if (arg !== '') fail(`#${name} takes no argument, found '${arg}'`);
    if (!top) fail(`#${name} without a matching #ifdef`);
    if (name === 'endif') stack.pop();
    else if (top.sawElse) fail(`second #else for ${top.directive} (line ${top.line})`);
    else {
      top.sawElse = true;
      top.taken = !top.taken;
    }
  } else fail(`unknown preprocessor directive '${body}'`);
}

/** Whether the next non-blank line is the tail of this one rather than a line of its own. */
function continuesOnNextLine(lines: SourceLine[], k: number): boolean {
  const next = lines.slice(k + 1).find((l) => l.text.trim() !== '');
  return next !== undefined && !/^[-+*#`\d]/.test(next.text.trim());
}

function opensMoreThanItCloses(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  return depth > 0;
}

// ---- Tokens ----------------------------------------------------------------------------------

type TokenKind = 'num' | 'word' | 'ellipsis' | 'string' | 'command' | 'raw' | 'punct' | 'end';

interface Token {
  kind: TokenKind;
  /** The value: a string's or command's contents, otherwise the token as written. */
  text: string;
  raw: string;
  start: number;
  end: number;
  /** Whitespace before it: a flags word like `S.` is two tokens with none between. */
  spaced: boolean;
}

const NUMBER = /0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?|\.\d+/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

class Lexer {
  private ahead: Token | undefined;
  private pos = 0;

  constructor(readonly src: string) {}

  peek(): Token {
    this.ahead ??= this.scan();
    return this.ahead;
  }

  next(): Token {
    const t = this.peek();
    this.ahead = undefined;
    this.pos = t.end;
    return t;
  }

  /** Hex digits right after the last token (a Fast Open cookie), read as text; '' if none. */
  hexRun(): string {
    if (this.ahead !== undefined) return '';
    const m = /^\s+([0-9a-fA-F]+)(?=[\s,>]|$)/.exec(this.src.slice(this.pos));
    if (m === null) return '';
    this.pos += m[0].length;
    return m[1];
  }

  private scan(): Token {
    const s = this.src;
    let i = this.pos;
    // Control characters count as blanks, so a stray \r or \f is no token of its own.
    while (i < s.length && s.charCodeAt(i) <= 32) i++;
    const c = s[i];
    if (c === undefined) return this.token('end', i, i);
    if (c === '"') return this.quoted(i);
    if (c === '`') {
      const close = s.indexOf('`', i + 1);
      if (close < 0) fail('unterminated `command`: no closing backquote');
      return this.token('command', i, close + 1, s.slice(i + 1, close));
    }
    if (c === '{') {
      let depth = 0;
      for (let j = i; j < s.length; j++) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}' && --depth === 0) return this.token('raw', i, j + 1);
      }
      fail("unclosed '{' in a struct value");
    }
    if (s.startsWith('...', i)) return this.token('ellipsis', i, i + 3);
    NUMBER.lastIndex = i;
    if (NUMBER.test(s)) return this.token('num', i, NUMBER.lastIndex);
    WORD.lastIndex = i;
    if (WORD.test(s)) return this.token('word', i, WORD.lastIndex);
    return this.token('punct', i, i + 1);
  }

  private token(kind: TokenKind, start: number, end: number, text?: string): Token {
    const raw = this.src.slice(start, end);
    return { kind, text: text ?? raw, raw, start, end, spaced: start > this.pos };
  }

  private quoted(start: number): Token {
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
    let value = '';
    for (let j = start + 1; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === '"') return this.token('string', start, j + 1, value);
      if (c === '\\' && j + 1 < this.src.length) {
        j++;
        value += escapes[this.src[j]] ?? this.src[j];
      } else value += c;
    }
    return fail('unterminated "string"');
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of line';
  return `'${t.raw.length > 24 ? `${t.raw.slice(0, 24)}...` : t.raw}'`;
}

const isPunct = (t: Token, c: string) => t.kind === 'punct' && t.text === c;
const isWord = (t: Token, w: string) => t.kind === 'word' && t.text === w;

function expect(lx: Lexer, c: string, where: string): void {
  const t = lx.next();
  if (!isPunct(t, c)) fail(`expected '${c}' ${where}, found ${describe(t)}`);
}

function expectEnd(lx: Lexer, where: string): void {
  const t = lx.peek();
  if (t.kind !== 'end') fail(`unexpected ${describe(t)} ${where}`);
}

function intValue(t: Token, what: string): number {
  if (t.kind !== 'num' || t.text.includes('.')) fail(`expected ${what}, found ${describe(t)}`);
  const value = /^0[xX]/.test(t.text) ? Number.parseInt(t.text.slice(2), 16) : Number(t.text);
  if (!Number.isSafeInteger(value)) fail(`${t.text} is too large for ${what}`);
  return value;
}

function unsigned(lx: Lexer, what: string, max = U32): number {
  const t = lx.next();
  const value = intValue(t, what);
  if (value > max) fail(`${t.text} is out of range for ${what} (at most ${max})`);
  return value;
}

// ---- Events ----------------------------------------------------------------------------------

/** `+0 %{ ... }%`: the time before the block, the block's text as the code. */
function parseCode(body: string, line: number, code: string): CodeEvent {
  const lx = new Lexer(body);
  const time = parseTime(lx);
  expectEnd(lx, 'before a %{ Python block');
  return { kind: 'code', line, time, code: code.trim() };
}

function parseEvent(body: string, line: number): ScriptEvent {
  const lx = new Lexer(body);
  const first = lx.peek();
  if (first.kind === 'command') {
    // packetdrill's init command: a command with no time, run before the script starts.
    lx.next();
    expectEnd(lx, 'after the command');
    return { kind: 'command', line, time: { kind: 'relative', usecs: 0 }, command: first.text };
  }
  const time = parseTime(lx);
  // `0.1...0.3 accept(...)`: a blocking call that starts at the first time, returns at the second.
  let returns: TimeSpec | undefined;
  if (lx.peek().kind === 'ellipsis') {
    lx.next();
    const end = timePoint(lx);
    // packetdrill's RELATIVE_RANGE_TIME: after `+start`, an end without `+` counts from the
    // same previous event as the start does (`+0...0.300`: returns 0.3 s after that event).
    if (time.kind === 'relative' && !end.relative) {
      if (end.usecs < time.usecs) fail('a time range must not end before it starts');
      returns = { kind: 'relative', usecs: end.usecs - time.usecs };
    } else returns = { kind: end.relative ? 'relative' : 'absolute', usecs: end.usecs };
  }
  const t = lx.peek();
  if (returns !== undefined && t.kind !== 'word') {
    fail('only a system call can have a return time (start...end)');
  }
  if (t.kind === 'command') {
    lx.next();
    expectEnd(lx, 'after the command');
    return { kind: 'command', line, time, command: t.text };
  }
  if (isPunct(t, '<') || isPunct(t, '>')) return parsePacket(lx, line, time);
  if (t.kind === 'word') {
    lx.next();
    if (!isPunct(lx.peek(), '(')) fail(`expected '(' after '${t.text}' for a system call`);
    const call = parseSyscall(lx, t.text, line, time);
    if (returns !== undefined) call.returns = returns;
    return call;
  }
  return fail(`expected a packet, system call or command after the time, found ${describe(t)}`);
}

function parseTime(lx: Lexer): TimeSpec {
  if (isPunct(lx.peek(), '*')) {
    lx.next();
    return { kind: 'any' };
  }
  const low = timePoint(lx);
  if (!isPunct(lx.peek(), '~')) {
    return { kind: low.relative ? 'relative' : 'absolute', usecs: low.usecs };
  }
  lx.next();
  const high = timePoint(lx);
  if (low.relative !== high.relative) fail('a time range must be all relative or all absolute');
  if (high.usecs < low.usecs) fail('a time range must not end before it starts');
  return { kind: 'range', relative: low.relative, lowUsecs: low.usecs, highUsecs: high.usecs };
}

function timePoint(lx: Lexer): { relative: boolean; usecs: number } {
  const relative = isPunct(lx.peek(), '+');
  if (relative) lx.next();
  const t = lx.next();
  if (isPunct(t, '-')) fail('negative times are not allowed');
  if (t.kind !== 'num' || /^0[xX]/.test(t.text)) {
    fail(`expected a time in seconds, found ${describe(t)}`);
  }
  // From the digits, not a float product: 1.005 s is 1005000 µs, but 1.005 * 1e6 is not.
  const [whole, fraction = ''] = t.text.split('.');
  if (/[1-9]/.test(fraction.slice(6))) fail(`time ${t.text} is finer than a microsecond`);
  const usecs = Number(whole) * 1_000_000 + Number(fraction.slice(0, 6).padEnd(6, '0'));
  if (!Number.isSafeInteger(usecs)) fail(`time ${t.text} is too large`);
  return { relative, usecs };
}

function parseSyscall(lx: Lexer, name: string, line: number, time: TimeSpec): SyscallEvent {
  lx.next();
  const args: Expr[] = [];
  if (isPunct(lx.peek(), ')')) lx.next();
  else {
    for (;;) {
      args.push(parseExpr(lx, 0));
      const sep = lx.next();
      if (isPunct(sep, ')')) break;
      if (!isPunct(sep, ',')) fail(`expected ',' or ')' in ${name}(...), found ${describe(sep)}`);
    }
  }
  expect(lx, '=', `after ${name}(...)`);
  const result = parseExpr(lx, 0);
  const event: SyscallEvent = { kind: 'syscall', line, time, name, args, result };
  if (/^E[A-Z0-9]+$/.test(lx.peek().text) && lx.peek().kind === 'word') {
    event.errno = lx.next().text;
  }
  const open = lx.peek();
  if (isPunct(open, '(')) {
    // Free text such as "Operation now in progress": everything up to the line's last ')'.
    if (!lx.src.endsWith(')')) fail(`the note after the result of ${name} must end with ')'`);
    event.note = lx.src.slice(open.end, -1).trim();
    return event;
  }
  expectEnd(lx, `after the result of ${name}`);
  return event;
}

function parseExpr(lx: Lexer, depth: number): Expr {
  const first = parsePrimary(lx, depth);
  if (!isPunct(lx.peek(), '|')) return first;
  const operands = [first];
  while (isPunct(lx.peek(), '|')) {
    lx.next();
    operands.push(parsePrimary(lx, depth));
  }
  return { kind: 'or', operands };
}

function parsePrimary(lx: Lexer, depth: number): Expr {
  const t = lx.next();
  switch (t.kind) {
    case 'num':
      return { kind: 'int', value: intValue(t, 'an integer') };
    case 'ellipsis':
      return { kind: 'ellipsis' };
    case 'word':
      return { kind: 'symbol', name: t.text };
    case 'string':
      return { kind: 'string', value: t.text };
    case 'raw':
      return { kind: 'raw', text: t.text };
  }
  if (isPunct(t, '-')) {
    const value = intValue(lx.next(), "a number after '-'");
    return { kind: 'int', value: value === 0 ? 0 : -value };
  }
  if (isPunct(t, '[')) {
    if (depth >= MAX_NESTING) fail('lists are nested too deeply');
    const items: Expr[] = [];
    if (isPunct(lx.peek(), ']')) lx.next();
    else {
      for (;;) {
        items.push(parseExpr(lx, depth + 1));
        const sep = lx.next();
        if (isPunct(sep, ']')) break;
        if (!isPunct(sep, ',')) fail(`expected ',' or ']' in a list, found ${describe(sep)}`);
      }
    }
    return { kind: 'list', items };
  }
  return fail(`expected a value, found ${describe(t)}`);
}

function parsePacket(lx: Lexer, line: number, time: TimeSpec): PacketEvent {
  const direction = lx.next().text === '<' ? 'inbound' : 'outbound';
  // packetdrill writes the ECN mark before the flags; a mark after the options is read too.
  let ecn = parseEcn(lx);
  const ip = parseIpFields(lx);
  ecn ??= parseEcn(lx);
  const first = lx.peek();
  if (isWord(first, 'icmp') && direction === 'inbound') return parseIcmp(lx, line, time);
  if (first.kind === 'word' && OTHER_PROTOCOLS.has(first.text)) {
    fail(`'${first.text}' packets are not supported (TCP only)`, true);
  }
  if (first.kind === 'word' && ENCAPSULATIONS.has(first.text)) {
    fail(`'${first.text}' encapsulation lines are not supported`, true);
  }
  // `src > dst` before the flags: a '>' that does not close a `<options>` list.
  const rest = lx.src.slice(first.start);
  const gt = rest.indexOf('>');
  const lt = rest.indexOf('<');
  if (gt >= 0 && (lt < 0 || gt < lt)) {
    const address = rest.slice(0, gt);
    const v6 = address.includes('[') || (address.match(/:/g)?.length ?? 0) > 1;
    fail(`${v6 ? 'IPv6' : 'IPv4'} addresses in packets are not supported`, true);
  }
  const flags = parseFlags(lx);
  let seq: { start: number; end: number } | undefined;
  if (lx.peek().kind === 'ellipsis') lx.next();
  else {
    const start = unsigned(lx, 'a sequence number');
    expect(lx, ':', 'between the sequence numbers');
    seq = { start, end: unsigned(lx, 'a sequence number') };
  }
  expect(lx, '(', 'before the payload length');
  const len = unsigned(lx, 'a payload length');
  expect(lx, ')', 'after the payload length');
  const span = seq && (seq.end - seq.start + 2 ** 32) % 2 ** 32;
  if (seq && span !== len) {
    fail(`${seq.start}:${seq.end} spans ${span} bytes but the length says (${len})`);
  }
  const tcp: TcpPacketSpec = seq ? { flags, seq, len } : { flags, len };
  if (keyword(lx, 'ack')) tcp.ack = unsigned(lx, 'an ack number');
  if (keyword(lx, 'win')) tcp.win = unsigned(lx, 'a window', 0xffff);
  // The runner has no use for the urgent pointer; it is read so that such lines still parse.
  if (keyword(lx, 'urg')) unsigned(lx, 'an urgent pointer', 0xffff);
  if (isPunct(lx.peek(), '<')) tcp.options = parseOptions(lx);
  if (ecn === undefined) ecn = parseEcn(lx);
  expectEnd(lx, 'after the packet');
  const event: PacketEvent = { kind: 'packet', line, time, direction, tcp };
  if (ecn !== undefined) event.ecn = ecn;
  if (ip !== undefined) event.ip = ip;
  return event;
}

/** ICMP types and codes by packetdrill's names (RFC 792, RFC 1812 5.2.7.1 for 13–15). */
const ICMP_TYPES: Readonly<Record<string, { type: number; codes: string[] }>> = {
  unreachable: {
    type: 3,
    codes: [
      'net_unreachable',
      'host_unreachable',
      'protocol_unreachable',
      'port_unreachable',
      'frag_needed',
      'source_route_failed',
      'net_unknown',
      'host_unknown',
      'source_host_isolated',
      'net_prohibited',
      'host_prohibited',
      'net_unreachable_for_tos',
      'host_unreachable_for_tos',
      'packet_filtered',
      'precedence_violation',
      'precedence_cutoff',
    ],
  },
  source_quench: { type: 4, codes: [] },
  redirect: {
    type: 5,
    codes: ['redirect_net', 'redirect_host', 'redirect_tos_net', 'redirect_tos_host'],
  },
  time_exceeded: { type: 11, codes: ['ttl_exceeded_in_transit', 'frag_reass_exceeded'] },
  parameter_problem: { type: 12, codes: ['code_0', 'code_1', 'code_2'] },
};

/** `icmp TYPE [CODE] [mtu N] [start:end(len)]`, inbound. */
function parseIcmp(lx: Lexer, line: number, time: TimeSpec): PacketEvent {
  lx.next();
  const t = lx.next();
  const kind = t.kind === 'word' ? ICMP_TYPES[t.text] : undefined;
  if (kind === undefined) fail(`ICMP type ${describe(t)} is not supported`, true);
  let code = 0;
  const c = lx.peek();
  if (c.kind === 'word' && c.text !== 'mtu') {
    lx.next();
    code = kind.codes.indexOf(c.text);
    if (code < 0) fail(`ICMP code ${describe(c)} is not supported`, true);
  }
  const icmp: { type: number; code: number; mtu?: number } = { type: kind.type, code };
  if (keyword(lx, 'mtu')) icmp.mtu = unsigned(lx, 'an MTU', 0xffff);
  // Without a quoted segment packetdrill quotes sequence number 0 of the flow.
  if (lx.peek().kind === 'end') {
    return {
      kind: 'packet',
      line,
      time,
      direction: 'inbound',
      tcp: { flags: '', seq: { start: 0, end: 0 }, len: 0 },
      icmp,
    };
  }
  expect(lx, '[', 'before the quoted segment');
  const start = unsigned(lx, 'a sequence number');
  expect(lx, ':', 'between the sequence numbers');
  const end = unsigned(lx, 'a sequence number');
  expect(lx, '(', 'before the payload length');
  const len = unsigned(lx, 'a payload length');
  expect(lx, ')', 'after the payload length');
  expect(lx, ']', 'after the quoted segment');
  expectEnd(lx, 'after the ICMP packet');
  return {
    kind: 'packet',
    line,
    time,
    direction: 'inbound',
    tcp: { flags: '', seq: { start, end }, len },
    icmp,
  };
}

function keyword(lx: Lexer, w: string): boolean {
  const found = isWord(lx.peek(), w);
  if (found) lx.next();
  return found;
}

function parseFlags(lx: Lexer): string {
  // packetdrill writes a segment with no flags at all as '-'.
  if (isPunct(lx.peek(), '-')) {
    lx.next();
    return '';
  }
  const canJoin = (t: Token) => t.kind === 'word' || isPunct(t, '.');
  if (!canJoin(lx.peek())) fail(`expected TCP flags, found ${describe(lx.peek())}`);
  let flags = lx.next().text;
  while (canJoin(lx.peek()) && !lx.peek().spaced) flags += lx.next().text;
  for (let i = 0; i < flags.length; i++) {
    const c = flags[i];
    if (!FLAG_LETTERS.includes(c)) fail(`unknown TCP flag '${c}' in '${flags}'`);
    if (flags.indexOf(c) !== i) fail(`TCP flag '${c}' is written twice in '${flags}'`);
  }
  return flags;
}

/** `(tos 0x20)`, `(ttl 32)`, `(flowlabel 0x1)`, or several: `(tos 0x20, ttl 32)`. */
function parseIpFields(lx: Lexer): PacketEvent['ip'] {
  if (!isPunct(lx.peek(), '(')) return undefined;
  lx.next();
  const ip: NonNullable<PacketEvent['ip']> = {};
  for (;;) {
    const t = lx.next();
    if (t.kind !== 'word' || !['tos', 'ttl', 'flowlabel'].includes(t.text)) {
      fail(`expected tos, ttl or flowlabel in the IP fields, found ${describe(t)}`);
    }
    ip[t.text as keyof typeof ip] = unsigned(lx, `a ${t.text} value`, 0xfffff);
    const sep = lx.next();
    if (isPunct(sep, ')')) return ip;
    if (!isPunct(sep, ',')) fail(`expected ',' or ')' in the IP fields, found ${describe(sep)}`);
  }
}

function parseEcn(lx: Lexer): PacketEvent['ecn'] {
  if (!isPunct(lx.peek(), '[')) return undefined;
  lx.next();
  const t = lx.next();
  if (t.kind !== 'word' || !ECN_MARKS.has(t.text)) fail(`unknown ECN mark ${describe(t)}`);
  expect(lx, ']', 'after the ECN mark');
  return t.text as PacketEvent['ecn'];
}

function parseOptions(lx: Lexer): TcpOption[] | 'any' {
  lx.next();
  if (lx.peek().kind === 'ellipsis') {
    lx.next();
    expect(lx, '>', "after '<...'");
    return 'any';
  }
  const options: TcpOption[] = [];
  if (isPunct(lx.peek(), '>')) {
    lx.next();
    return options;
  }
  for (;;) {
    options.push(parseOption(lx));
    const sep = lx.next();
    if (isPunct(sep, '>')) return options;
    if (!isPunct(sep, ',')) fail(`expected ',' or '>' in the TCP options, found ${describe(sep)}`);
  }
}

function parseOption(lx: Lexer): TcpOption {
  const t = lx.next();
  if (t.kind !== 'word') fail(`expected a TCP option, found ${describe(t)}`);
  switch (t.text) {
    case 'nop':
    case 'eol':
      return { kind: t.text };
    case 'sackOK':
      return { kind: 'sack-permitted' };
    case 'mss':
      return { kind: 'mss', value: unsigned(lx, 'an mss value', 0xffff) };
    case 'wscale':
      return { kind: 'wscale', shift: unsigned(lx, 'a wscale shift', 0xff) };
    case 'TS': {
      if (!isWord(lx.next(), 'val')) fail("expected 'TS val V ecr E'");
      const value = unsigned(lx, 'a timestamp value');
      if (!isWord(lx.next(), 'ecr')) fail("expected 'ecr E' after 'TS val V'");
      return { kind: 'timestamp', value, echo: unsigned(lx, 'a timestamp echo') };
    }
    case 'sack': {
      const blocks: Array<[number, number]> = [];
      while (lx.peek().kind === 'num') {
        const left = unsigned(lx, 'a SACK block edge');
        expect(lx, ':', 'in a SACK block');
        blocks.push([left, unsigned(lx, 'a SACK block edge')]);
      }
      if (blocks.length === 0) fail("a 'sack' option needs at least one block a:b");
      return { kind: 'sack', blocks };
    }
  }
  if (t.text === 'FO' || t.text === 'FOEXP') {
    // RFC 7413 4.1.1: `FO` alone asks for a cookie; `FO 0102…` carries one (hex digits).
    const hex = lx.hexRun();
    if (hex.length % 2 !== 0) fail(`a Fast Open cookie needs whole bytes, found '${hex}'`);
    const cookie = new Uint8Array(hex.length / 2);
    for (let i = 0; i < cookie.length; i++) {
      cookie[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    }
    return fastOpenOption(cookie, t.text === 'FOEXP');
  }
  if (UNMODELLED_OPTIONS.has(t.text)) fail(`TCP option '${t.text}' is not supported`, true);
  return fail(`unknown TCP option '${t.text}'`);
}
