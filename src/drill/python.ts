/**
 * The Python that packetdrill scripts put in `%{ … }%` blocks, as far as the suites use it:
 * `assert EXPR[, message]` and `NAME = EXPR` lines over integers, with tcp_info fields
 * (`tcpi_snd_cwnd`) and constants (`TCPI_OPT_SYN_DATA`, `TCP_CA_Recovery`) as names.
 * Expressions: `or and not`, chained comparisons, `| ^ & << >> + - * // / %`, unary `- ~`,
 * parentheses, decimal and hex integers, True/False. Anything else is reported as
 * unsupported, naming the construct; nothing here throws to the caller.
 */

export type PythonResult =
  | { kind: 'ok' }
  | { kind: 'failed'; assertion: string; detail: string }
  | { kind: 'unsupported'; construct: string };

/** Reads a name: its value, or undefined when it has none (unsupported). */
export type NameLookup = (name: string) => number | undefined;

class Unsupported extends Error {}

type Tok = { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = [
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '(',
  ')',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  ',',
];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)/.exec(src.slice(i));
    if (num !== null) {
      out.push({ t: 'num', v: Number(num[1]) });
      i += num[1].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (name !== null) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new Unsupported(`the character '${c}'`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly lookup: NameLookup,
  ) {}

  get done(): boolean {
    return this.i >= this.toks.length;
  }

  peekOp(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private peekName(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'name' && t.v === v;
  }

  take(): Tok | undefined {
    return this.toks[this.i++];
  }

  expr(): number {
    let v = this.and();
    while (this.peekName('or')) {
      this.i++;
      const r = this.and();
      v = v !== 0 ? v : r;
    }
    return v;
  }

  private and(): number {
    let v = this.not();
    while (this.peekName('and')) {
      this.i++;
      const r = this.not();
      v = v === 0 ? v : r;
    }
    return v;
  }

  private not(): number {
    if (this.peekName('not')) {
      this.i++;
      return this.not() === 0 ? 1 : 0;
    }
    return this.comparison();
  }

  private comparison(): number {
    let left = this.bitOr();
    let result = 1;
    let any = false;
    for (;;) {
      const t = this.toks[this.i];
      if (t?.t !== 'op' || !['<', '>', '<=', '>=', '==', '!='].includes(t.v)) break;
      this.i++;
      any = true;
      const right = this.bitOr();
      const ok =
        t.v === '<'
          ? left < right
          : t.v === '>'
            ? left > right
            : t.v === '<='
              ? left <= right
              : t.v === '>='
                ? left >= right
                : t.v === '=='
                  ? left === right
                  : left !== right;
      if (!ok) result = 0;
      left = right;
    }
    return any ? result : left;
  }

  private binary(
    next: () => number,
    ops: string[],
    apply: (op: string, a: number, b: number) => number,
  ) {
    let v = next();
    for (;;) {
      const t = this.toks[this.i];
      if (t?.t !== 'op' || !ops.includes(t.v)) return v;
      this.i++;
      v = apply(t.v, v, next());
    }
  }

  private bitOr(): number {
    return this.binary(
      () => this.bitXor(),
      ['|'],
      (_, a, b) => Number(BigInt(a) | BigInt(b)),
    );
  }

  private bitXor(): number {
    return this.binary(
      () => this.bitAnd(),
      ['^'],
      (_, a, b) => Number(BigInt(a) ^ BigInt(b)),
    );
  }

  private bitAnd(): number {
    return this.binary(
      () => this.shift(),
      ['&'],
      (_, a, b) => Number(BigInt(a) & BigInt(b)),
    );
  }

  private shift(): number {
    return this.binary(
      () => this.sum(),
      ['<<', '>>'],
      (op, a, b) => Number(op === '<<' ? BigInt(a) << BigInt(b) : BigInt(a) >> BigInt(b)),
    );
  }

  private sum(): number {
    return this.binary(
      () => this.product(),
      ['+', '-'],
      (op, a, b) => (op === '+' ? a + b : a - b),
    );
  }

  private product(): number {
    return this.binary(
      () => this.unary(),
      ['*', '//', '/', '%'],
      (op, a, b) => {
        if (op === '*') return a * b;
        if (b === 0) throw new Unsupported('division by zero');
        if (op === '%') return a - Math.floor(a / b) * b;
        return op === '//' ? Math.floor(a / b) : a / b;
      },
    );
  }

  private unary(): number {
    if (this.peekOp('-')) {
      this.i++;
      return -this.unary();
    }
    if (this.peekOp('+')) {
      this.i++;
      return this.unary();
    }
    if (this.peekOp('~')) {
      this.i++;
      return Number(~BigInt(this.unary()));
    }
    return this.atom();
  }

  private atom(): number {
    const t = this.take();
    if (t === undefined) throw new Unsupported('an expression that ends early');
    if (t.t === 'num') return t.v;
    if (t.t === 'op' && t.v === '(') {
      const v = this.expr();
      if (!this.peekOp(')')) throw new Unsupported("a '(' without ')'");
      this.i++;
      return v;
    }
    if (t.t === 'name') {
      if (t.v === 'True') return 1;
      if (t.v === 'False') return 0;
      if (this.peekOp('(')) throw new Unsupported(`the function ${t.v}()`);
      const v = this.lookup(t.v);
      if (v === undefined) throw new Unsupported(`the name ${t.v}`);
      return v;
    }
    throw new Unsupported(`'${t.v}' where a value belongs`);
  }
}

/** Runs a block's lines in order; `lookup` answers names not assigned in the block. */
export function runPython(
  code: string,
  lookup: NameLookup,
  show: (name: string, value: number | undefined) => string = (_, v) => String(v),
): PythonResult {
  const locals = new Map<string, number>();
  const names: NameLookup = (n) => locals.get(n) ?? lookup(n);
  for (const raw of code.split(/\n|;/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    try {
      const assign = /^([A-Za-z_]\w*)\s*=(?!=)\s*(.+)$/.exec(line);
      if (assign !== null) {
        locals.set(assign[1], evaluate(assign[2], names));
        continue;
      }
      // print() writes to packetdrill's output and checks nothing.
      if (/^print\s*\(.*\)$/.test(line)) continue;
      const a = /^assert\s+(.+)$/.exec(line);
      if (a === null) return { kind: 'unsupported', construct: `Python: ${line}` };
      const [cond] = splitMessage(a[1]);
      const p = new Parser(tokenize(cond), names);
      const v = p.expr();
      if (!p.done) return { kind: 'unsupported', construct: `Python: ${line}` };
      if (v === 0) {
        const shown = [...new Set(cond.match(/\btcpi_\w+/g) ?? [])]
          .map((n) => `${n} = ${show(n, names(n))}`)
          .join(', ');
        return { kind: 'failed', assertion: cond.trim(), detail: shown };
      }
    } catch (e) {
      if (e instanceof Unsupported)
        return { kind: 'unsupported', construct: `Python: ${e.message} in '${line}'` };
      throw e;
    }
  }
  return { kind: 'ok' };
}

function evaluate(text: string, names: NameLookup): number {
  const p = new Parser(tokenize(text), names);
  const v = p.expr();
  if (!p.done) throw new Unsupported(`'${text}'`);
  return v;
}

/** `cond, message`: the condition, up to the first comma outside parentheses. */
function splitMessage(text: string): [string, string | undefined] {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) return [text.slice(0, i), text.slice(i + 1).trim()];
  }
  return [text, undefined];
}
