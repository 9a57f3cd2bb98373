/**
 * `tcpstate sim SCENARIO`: two endpoints, a and b, on the simulated network, in virtual time;
 * prints what happened as a sequence diagram (text, Mermaid, SVG), JSON, or a pcap file.
 * SCENARIO is a built-in name (`--list`) or a JSON/YAML file of the user's own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderCwndSvg } from '../../render/cwnd-svg.js';
import { renderMermaid } from '../../render/mermaid.js';
import { renderPcap } from '../../render/pcap.js';
import { renderSvg } from '../../render/sequence-svg.js';
import { renderTextDiagram } from '../../render/sequence-text.js';
import { colors } from '../../render/table-style.js';
import { renderTimeSequenceSvg } from '../../render/time-sequence-svg.js';
import { BUILTIN_SCRIPTS, findBuiltin } from '../../scenario/builtin.js';
import { parseScenarioFile, ScenarioFileError } from '../../scenario/file.js';
import { storyReport } from '../../scenario/report.js';
import { type RunResult, runScenario } from '../../scenario/runner.js';
import { hasStep, type Script, type ScriptOverrides } from '../../scenario/script.js';
import * as stackModule from '../../stack/stack.js';
import { CliError } from '../errors.js';
import { terminalWidth, useColor, writeOut } from '../terminal.js';

const FORMATS = ['text', 'json', 'mermaid', 'svg', 'pcap', 'tsg-svg', 'cwnd-svg'] as const;
const COOKIE_MODES = ['off', 'overflow', 'always'] as const;
type Format = (typeof FORMATS)[number];

interface SimOptions {
  seed?: string;
  latency?: string;
  jitter?: string;
  loss?: string;
  dup?: string;
  reorder?: string;
  bytes?: string;
  mss?: string;
  rate?: string;
  count?: string;
  synCookies?: string;
  ipv6?: boolean;
  maxTime?: string;
  format?: string;
  out?: string;
  list?: boolean;
  absolute?: boolean;
  fold: boolean;
  color: boolean;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description(
      'simulate two endpoints, a and b, on a network with faults, and show what happened (states, segments) as a sequence diagram, JSON or pcap',
    )
    .argument('[scenario]', 'a built-in scenario (see --list) or a .yaml/.json scenario file')
    .option('--list', 'list the built-in scenarios')
    .option('--seed <n>', 'random seed: the same seed gives the same output (default 1)')
    .option('--latency <ms>', 'one-way delay in ms (default 10)')
    .option('--jitter <ms>', 'extra random delay up to this many ms')
    .option('--loss <p>', 'probability that a segment is lost (0-1)')
    .option('--dup <p>', 'probability that a segment is duplicated (0-1)')
    .option('--reorder <p>', 'probability that a segment is held back and overtaken (0-1)')
    .option('--bytes <n>', 'bytes to send where the scenario sends data (bulk: default 100000)')
    .option('--mss <n>', 'maximum segment size both sides advertise')
    .option('--rate <n>', 'SYNs per second of a SYN flood (syn-flood: default 10000)')
    .option(
      '--count <n>',
      'segments of each kind a blind attacker sends (blind-reset: default 1000)',
    )
    .option(
      '--syn-cookies <mode>',
      `SYN cookies on both stacks: ${COOKIE_MODES.join(', ')} (default overflow)`,
    )
    .option('--ipv6', 'a and b speak IPv6 (fd00::1 and fd00::2), as `family: ipv6` in a file')
    .option(
      '--max-time <ms>',
      'stop after this much virtual time even if work is pending (default 3600000, one hour)',
    )
    .option(
      '--format <format>',
      `output: ${FORMATS.join(', ')} (default text; tsg-svg: time-sequence graph, cwnd-svg: congestion window over time)`,
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--absolute', 'raw sequence numbers instead of relative to each side’s ISN')
    .option('--no-fold', 'draw every segment of a transfer (default: runs folded into bursts)')
    .option('--no-color', 'no colours')
    .action((scenario: string | undefined, options: SimOptions) => {
      if (options.list) {
        writeOut(listScenarios());
        return;
      }
      if (!scenario) {
        throw new CliError('name a scenario (tcpstate sim --list shows them) or a scenario file');
      }
      const format = parseFormat(options.format);
      const script = loadScript(scenario);
      const maxTime = parseNumber('--max-time', options.maxTime, 1, 86_400_000, true);
      const output = simulate(script, {
        seed: parseNumber('--seed', options.seed, 0, 0xffffffff, true) ?? 1,
        overrides: parseOverrides(options, script),
        ...(maxTime === undefined ? {} : { maxTime }),
        sample: format === 'cwnd-svg',
      });
      emit(output, format, options);
    });
}

export function listScenarios(): string {
  const width = Math.max(...BUILTIN_SCRIPTS.map((s) => s.name.length));
  return `${BUILTIN_SCRIPTS.map((s) => `${s.name.padEnd(width)}  ${s.description}`).join('\n')}\n`;
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new CliError(`unknown format '${value}'; use ${FORMATS.join(', ')}`);
}

/** A number option in [min, max], or undefined when not given; anything else is a CliError. */
export function parseNumber(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new CliError(
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not '${value}'`,
    );
  }
  return n;
}

function parseOverrides(o: SimOptions, script: Script): ScriptOverrides {
  const out: ScriptOverrides = {};
  const set = (
    key: Exclude<keyof ScriptOverrides, 'synCookies' | 'family'>,
    v: number | undefined,
  ) => {
    if (v !== undefined) out[key] = v;
  };
  set('latency', parseNumber('--latency', o.latency, 0, 600_000));
  set('jitter', parseNumber('--jitter', o.jitter, 0, 600_000));
  set('loss', parseNumber('--loss', o.loss, 0, 1));
  set('duplicate', parseNumber('--dup', o.dup, 0, 1));
  set('reorder', parseNumber('--reorder', o.reorder, 0, 1));
  set('bytes', parseNumber('--bytes', o.bytes, 1, 1 << 30, true));
  set('mss', parseNumber('--mss', o.mss, 64, 65495, true));
  set('rate', parseNumber('--rate', o.rate, 1, 100_000, true));
  set('count', parseNumber('--count', o.count, 1, 1_000_000, true));
  if (o.rate !== undefined && !hasStep(script, 'flood'))
    throw new CliError(`--rate: scenario '${script.name}' has no SYN flood (syn-flood has one)`);
  if (o.count !== undefined && !hasStep(script, 'blind'))
    throw new CliError(
      `--count: scenario '${script.name}' has no blind attack (blind-reset has one)`,
    );
  if (o.synCookies !== undefined) {
    const mode = COOKIE_MODES.find((m) => m === o.synCookies);
    if (mode === undefined)
      throw new CliError(
        `unknown --syn-cookies mode '${o.synCookies}'; use ${COOKIE_MODES.join(', ')}`,
      );
    out.synCookies = mode;
  }
  if (o.ipv6 === true) out.family = 'ipv6';
  return out;
}

export function loadScript(name: string): Script {
  const builtin = findBuiltin(name);
  if (builtin) return builtin;
  const looksLikeFile = /[\\/]|\.(ya?ml|json)$/i.test(name);
  if (!looksLikeFile || !existsSync(name)) {
    throw new CliError(
      looksLikeFile
        ? `no such scenario file: ${name}`
        : `unknown scenario '${name}'; built-in: ${BUILTIN_SCRIPTS.map((s) => s.name).join(', ')} (or give a .yaml/.json file)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(name, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return parseScenarioFile(text, name);
  } catch (err) {
    if (err instanceof ScenarioFileError) throw new CliError(err.message);
    throw err;
  }
}

export function simulate(
  script: Script,
  opts: { seed: number; overrides: ScriptOverrides; maxTime?: number; sample?: boolean },
): RunResult {
  const Stack = (stackModule as { Stack?: typeof stackModule.Stack }).Stack;
  if (typeof Stack !== 'function') {
    throw new CliError('`tcpstate sim` needs the TCP stack, which is not in this build yet', 1);
  }
  return runScenario(script, { ...opts, makeStack: (o) => new Stack(o) });
}

export function formatResult(
  result: RunResult,
  format: Format,
  opts: { absolute: boolean; color: boolean; width: number; fold?: boolean },
): string | Uint8Array {
  const fold = opts.fold ?? true;
  switch (format) {
    case 'json':
      return `${JSON.stringify(result.story, null, 2)}\n`;
    case 'mermaid':
      return renderMermaid(result.story, { absolute: opts.absolute, fold });
    case 'svg':
      return renderSvg(result.story, { absolute: opts.absolute, fold });
    case 'tsg-svg':
      return renderTimeSequenceSvg(result.story);
    case 'cwnd-svg':
      return renderCwndSvg(result);
    case 'pcap':
      return renderPcap(result.packets);
    default: {
      const diagram = renderTextDiagram(result.story, {
        absolute: opts.absolute,
        colors: colors(opts.color),
        width: opts.width,
        fold,
      });
      const report = storyReport(result.story);
      return report.length === 0 ? diagram : `${diagram}${report.join('\n')}\n`;
    }
  }
}

function emit(result: RunResult, format: Format, options: SimOptions): void {
  const toFile = options.out !== undefined;
  if (format === 'pcap' && !toFile && process.stdout.isTTY) {
    throw new CliError('a pcap file is binary: use --out FILE (or redirect stdout)');
  }
  const body = formatResult(result, format, {
    absolute: options.absolute ?? false,
    fold: options.fold,
    color: options.color && !toFile && useColor(),
    width: toFile ? 80 : Math.min(terminalWidth(), 120),
  });
  if (toFile) {
    try {
      writeFileSync(options.out as string, body);
    } catch (err) {
      throw new CliError(
        `cannot write ${options.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  } else if (typeof body === 'string') {
    writeOut(body);
  } else {
    process.stdout.write(body);
  }
  const pending = result.story.end?.pending ?? [];
  if (pending.length > 0) {
    const what = pending.map((p) => `${p.side} in ${p.state} (${p.timer} timer)`).join(', ');
    process.stderr.write(
      `tcpstate: note: the run was cut at its ${result.ended} with work pending: ${what}; its final states are not final\n`,
    );
    process.exitCode = 1;
  } else if (result.ended === 'stuck') {
    process.stderr.write(
      'tcpstate: note: the scenario waited for a state that never came; nothing else could happen\n',
    );
  } else if (result.ended !== 'settled') {
    process.stderr.write(`tcpstate: note: the simulation stopped at its ${result.ended}\n`);
  }
}
