/**
 * `tcpstate drill FILE|DIR…`: packetdrill scripts against tcpstate's own TCP stack, each on a
 * fresh stack in virtual time. Prints failures (with the first mismatch) and unsupported
 * scripts, the relaxed checks, and `N passed, M failed, K unsupported`; exit 1 when any failed.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { PROFILES, type ProfileName } from '../../drill/profile.js';
import { renderJson, renderText, type ScriptReport, summarize } from '../../drill/report.js';
import { type DrillResult, emptyResult, runScriptText } from '../../drill/run.js';
import { renderPcap } from '../../render/pcap.js';
import { CliError } from '../errors.js';
import { writeOut } from '../terminal.js';

interface DrillOptions {
  json?: boolean;
  trace?: boolean;
  pcap?: string;
  define?: string[];
  profile?: string;
  seed?: string;
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command('drill')
    .description(
      'run packetdrill scripts against tcpstate’s own TCP stack, in virtual time (a folder runs every .pkt in it)',
    )
    .argument('<paths...>', 'packetdrill scripts, or folders of them (searched recursively)')
    .option(
      '-D, --define <name>',
      'a name for #ifdef blocks, or NAME=VALUE as packetdrill’s -D, repeatable (default STANDARD: the RFC’s expectations; FreeBSD plays FreeBSD’s own branches)',
      (value: string, all: string[] | undefined) => [...(all ?? []), value],
    )
    .option(
      '--profile <name>',
      `the system the scripts were written for: ${Object.keys(PROFILES).join(', ')} (default: a script's --tcpstate_profile line, else freebsd)`,
    )
    .option('--seed <n>', 'seed for the stack’s ISNs and ports (default 1)')
    .option('-v, --verbose', 'list passing scripts too')
    .option('--trace', 'with each script listed, every segment, call and state change by time')
    .option('--pcap <file>', 'write the packets of the one script run to a pcap file (Wireshark)')
    .option('--json', 'JSON: every script’s outcome, relaxations, commands and transitions')
    // Its output has no colours: accepted so that one flag works with every command.
    .option('--no-color', 'no colours (this command prints none)')
    .action((paths: string[], options: DrillOptions) => {
      const profile = parseProfile(options.profile);
      const seed = parseSeed(options.seed);
      // -D NAME defines NAME for #ifdef; -D NAME=VALUE also reads NAME as VALUE (packetdrill's -D).
      const given = options.define ?? ['STANDARD'];
      const defines = new Set(given.filter((d) => !d.includes('=')));
      const macros = new Map(
        given
          .filter((d) => d.includes('='))
          .map((d) => [d.slice(0, d.indexOf('=')), d.slice(d.indexOf('=') + 1)]),
      );
      const reports: ScriptReport[] = [];
      for (const path of paths) {
        for (const file of scripts(path)) {
          const text = readScript(file);
          const result =
            typeof text === 'string'
              ? runScriptText(text, { profile, defines, seed, macros, readFile: near(file) })
              : unreadable(text.error);
          reports.push({ file, result });
        }
      }
      if (options.pcap !== undefined) writePcap(options.pcap, reports);
      writeOut(options.json ? renderJson(reports) : renderText(reports, options));
      process.exitCode = summarize(reports).failed > 0 ? 1 : 0;
    });
}

function writePcap(file: string, reports: readonly ScriptReport[]): void {
  if (reports.length !== 1) {
    throw new CliError(`--pcap takes one script; ${reports.length} were given`);
  }
  try {
    writeFileSync(file, renderPcap(reports[0].result.packets));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new CliError(`--pcap ${file}: cannot write: ${code}`, 1);
  }
}

function parseProfile(text: string | undefined): ProfileName | undefined {
  // Unset: each script's own --tcpstate_profile line, else freebsd (decided by the runner).
  if (text === undefined) return undefined;
  if (Object.hasOwn(PROFILES, text)) return text as ProfileName;
  throw new CliError(`--profile: unknown '${text}' (${Object.keys(PROFILES).join(', ')})`);
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new CliError(`--seed: not an integer from 0 to 4294967295: '${text}'`);
  }
  return n;
}

/** The .pkt files of a path: the file itself, or every .pkt under a folder, sorted. */
function scripts(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new CliError(`${path}: no such file or folder`);
  }
  if (!isDir) return [path];
  const found = readdirSync(path, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.pkt'))
    .sort()
    .map((f) => join(path, f));
  if (found.length === 0) throw new CliError(`${path}: no .pkt scripts in this folder`);
  return found.map((f) => (f.startsWith('/') ? f : relative('.', f) || f));
}

/** The script's text, or why it is not one (reported as that script's failure). */
function readScript(file: string): string | { error: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  if (bytes.includes(0)) return { error: 'not a text file (it has NUL bytes)' };
  return bytes.toString('utf8');
}

/** Files a script's commands name (`../common/defaults.sh`), relative to the script. */
function near(script: string): (path: string) => string | undefined {
  return (path) => {
    try {
      return readFileSync(resolve(dirname(script), path), 'utf8');
    } catch {
      return undefined;
    }
  };
}

function unreadable(message: string): DrillResult {
  return emptyResult({ status: 'fail', line: 0, message });
}
