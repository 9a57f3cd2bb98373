#!/usr/bin/env node
/**
 * The `tcpstate` command. Each subcommand lives in its own file under commands/ and exports
 * `register(program)`; this file only wires them together and turns user errors into one line.
 *
 * Layer cli/ (the top, beside web/): may import every layer; nothing imports it. Reading the
 * process (argv, environment, terminal, exit codes) happens here and in the I/O layers only.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { register as registerDoctor } from './commands/doctor.js';
import { register as registerDrill } from './commands/drill.js';
import { register as registerExplain } from './commands/explain.js';
import { register as registerLs } from './commands/ls.js';
import { register as registerMetrics } from './commands/metrics.js';
import { register as registerPcap } from './commands/pcap.js';
import { register as registerSim } from './commands/sim.js';
import { register as registerSummary } from './commands/summary.js';
import { register as registerTop } from './commands/top.js';
import { register as registerTun } from './commands/tun.js';
import { register as registerWatch } from './commands/watch.js';
import { register as registerWeb } from './commands/web.js';
import { CliError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tcpstate')
    .description(
      'The TCP connection state machine made visible: this machine’s sockets explained, a TCP stack to play with.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    // One prefix for every error, commander's own ("error: unknown option") included.
    .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'tcpstate: ')) });
  registerSummary(program);
  registerLs(program);
  registerWatch(program);
  registerTop(program);
  registerDoctor(program);
  registerExplain(program);
  registerMetrics(program);
  registerSim(program);
  registerDrill(program);
  registerPcap(program);
  registerTun(program);
  registerWeb(program);
  return program;
}

/** The version in package.json (two folders up from src/cli/ and from dist/cli/). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander but success to the user
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`tcpstate: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `tcpstate: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
