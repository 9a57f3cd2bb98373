#!/usr/bin/env node
/**
 * The layer rule (lint/layers.cjs) checked by dependency-cruiser, its verdict said in one plain
 * line. dependency-cruiser marks a clean result with a check mark, the glyph Node's own test
 * runner puts before each passing test; a CI log that is read for a test runner's lines must not
 * take the lint step for a test run, so the mark is left out. Violations are printed as
 * dependency-cruiser reports them, and the exit code is its own.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'node_modules', '.bin', 'depcruise');
const r = spawnSync(bin, ['--config', 'lint/layers.cjs', '--output-type', 'err-long', 'src'], {
  cwd: join(import.meta.dirname, '..'),
  encoding: 'utf8',
});
if (r.error) {
  process.stderr.write(`layers: could not run dependency-cruiser: ${r.error.message}\n`);
  process.exit(2);
}
const out = `${r.stdout}${r.stderr}`.replace(/^\s*\u2714\s*/gmu, 'layers: ').trim();
if (out) process.stdout.write(`${out}\n`);
process.exit(r.status ?? 1);
