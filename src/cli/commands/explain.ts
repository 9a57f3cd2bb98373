/**
 * `tcpstate explain [STATE…|-]`: what each TCP state means, how a connection gets there and
 * leaves, how long it lasts, and what many sockets in it mean; with no state, the whole state
 * diagram; with `-`, pasted netstat/ss output from stdin, annotated.
 */
import type { Command } from 'commander';
import { parsePasted, pastedJson, renderPasted } from '../../host/paste/index.js';
import { renderExplanation } from '../../render/explain.js';
import { detectLang, isLang, LANGS } from '../../render/lang.js';
import { renderStateDiagram } from '../../render/state-diagram.js';
import { colors } from '../../render/table-style.js';
import { parseState } from '../../state/aliases.js';
import { explainState } from '../../state/explanations.js';
import type { Lang } from '../../state/meanings.js';
import { TCP_STATES, type TcpState } from '../../state/states.js';
import { CliError } from '../errors.js';
import { terminalWidth, useColor, writeOut } from '../terminal.js';

interface ExplainOptions {
  lang?: string;
  color: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'explain TCP states (any spelling: netstat, RFC, ss, Windows, localized); no state: the whole state diagram; "-": annotate netstat/ss output pasted on stdin',
    )
    .argument('[states...]', 'state names, e.g. TIME_WAIT close-wait ESTAB; or - to read stdin')
    .option('--lang <lang>', `language: ${LANGS.join(' or ')} (default: from LC_ALL/LANG)`)
    .option(
      '--json',
      'the explanations as JSON (with -: the sockets read, counts, findings and the rows not read)',
    )
    .option('--no-color', 'no colours')
    .action(async (names: string[], options: ExplainOptions) => {
      const lang = chooseLang(options.lang);
      const color = options.color && useColor() && !options.json;
      if (names.includes('-')) {
        if (names.length > 1)
          throw new CliError('`-` (read stdin) cannot be mixed with state names');
        const parse = parsePasted(decodeStdin(await readStdin()));
        writeOut(
          options.json
            ? `${JSON.stringify(pastedJson(parse), null, 2)}\n`
            : explainPasted(parse, lang, color),
        );
        // Nothing read is not success: a script piping output here must be able to tell.
        if (parse.sockets.length === 0) process.exitCode = 1;
        return;
      }
      writeOut(
        explainText(names, { lang, color, json: options.json ?? false, width: terminalWidth() }),
      );
    });
}

function chooseLang(given: string | undefined): Lang {
  if (given === undefined) return detectLang(process.env);
  const lang = given.toLowerCase();
  if (!isLang(lang)) throw new CliError(`unknown language '${given}'; use ${LANGS.join(' or ')}`);
  return lang;
}

/** Resolves every name first, so one bad name fails before anything is printed. */
export function resolveStates(names: readonly string[]): TcpState[] {
  return names.map((name) => {
    const state = parseState(name);
    if (!state) {
      throw new CliError(
        `unknown TCP state '${name}'; valid states: ${TCP_STATES.join(', ')} (RFC, ss, Windows and localized spellings also work)`,
      );
    }
    return state;
  });
}

export interface ExplainTextOptions {
  lang: Lang;
  color: boolean;
  json: boolean;
  width: number;
}

/** The whole output of `tcpstate explain NAMES…` (the diagram when there are none). */
export function explainText(names: readonly string[], opts: ExplainTextOptions): string {
  const states = resolveStates(names);
  if (opts.json) {
    const list = (states.length > 0 ? states : TCP_STATES).map((s) => explainState(s, opts.lang));
    return `${JSON.stringify(list, null, 2)}\n`;
  }
  const c = colors(opts.color);
  const width = Math.min(Math.max(opts.width, 60), 100);
  if (states.length === 0) return `${renderStateDiagram(opts.lang, c, width).join('\n')}\n`;
  const pages = [...new Set(states)].map((s) =>
    renderExplanation(explainState(s, opts.lang), opts.lang, c, width).join('\n'),
  );
  return `${pages.join(`\n\n${'─'.repeat(Math.min(width, 80))}\n\n`)}\n`;
}

function explainPasted(parse: ReturnType<typeof parsePasted>, lang: Lang, color: boolean): string {
  const out = renderPasted(parse, { lang, color });
  return out.endsWith('\n') ? out : `${out}\n`;
}

/**
 * The pasted bytes as text: UTF-8, or UTF-16 with its byte order mark (what Windows
 * PowerShell 5's `>` writes). Anything else binary (NUL bytes, invalid UTF-8 with control
 * bytes) is refused in one line rather than echoed back to the terminal.
 */
export function decodeStdin(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '';
  }
  // Control bytes other than tab, CR, LF, form feed and ESC (colour codes) are no pasted table.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for exactly those bytes
  const control = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f]/;
  if ((text === '' && bytes.length > 0) || control.test(text)) {
    throw new CliError(
      'stdin is binary data, not text: pipe the text output of netstat, ss or Get-NetTCPConnection into `tcpstate explain -`',
      2,
    );
  }
  return text.replace(/^\uFEFF/, '');
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    process.stderr.write('tcpstate: paste netstat or ss output, then Ctrl-D\n');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
