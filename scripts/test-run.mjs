#!/usr/bin/env node
/**
 * Runs Vitest and then prints the one line CI counts, `tests: N passed, M failed, K skipped`, as
 * the very last line of the whole run: after Vitest and every worker have exited and flushed
 * both stdout and stderr. The counts come from test/support/count-reporter.ts, which writes them
 * to a file named by TCPSTATE_COUNT_FILE. If Vitest dies before its reporter ran, the line still
 * comes, with one failure for the crash, so a broken run never reads as passed or as no run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tcpstate-count-'));
const countFile = join(dir, 'counts.json');
const vitest = join(import.meta.dirname, '..', 'node_modules', '.bin', 'vitest');
// Plain text when the output goes to a file or a CI log, not a terminal: Vitest colours its
// output whenever CI is set, and escape codes inside its summary lines ("Tests  N passed") hide
// them from anything that reads the log as text.
const env = { ...process.env, TCPSTATE_COUNT_FILE: countFile };
if (!process.stdout.isTTY) {
  env.NO_COLOR = '1';
  delete env.FORCE_COLOR;
}
const child = spawn(vitest, ['run', ...process.argv.slice(2)], { stdio: 'inherit', env });

child.on('close', (code, signal) => {
  let counts = { passed: 0, failed: 0, skipped: 0 };
  let crashed = false;
  try {
    counts = JSON.parse(readFileSync(countFile, 'utf8'));
  } catch {
    crashed = true;
  }
  rmSync(dir, { recursive: true, force: true });
  const failed = counts.failed + (crashed || (code !== 0 && counts.failed === 0) ? 1 : 0);
  if (crashed)
    process.stderr.write(
      `test-run: vitest ended (${signal ?? `exit ${code}`}) before reporting counts\n`,
    );
  // Once, on stdout, as the last line of the run: every process that could write has exited.
  process.stdout.write(
    `\ntests: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped\n`,
  );
  process.exitCode = code ?? 1;
});
