/** One folder of FreeBSD's tcp-testsuite in ../shared/conformance, played for its STANDARD branches. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ScriptReport, type Summary, summarize } from '../../src/drill/report.js';
import { runScriptText } from '../../src/drill/run.js';

export function playSuite(folder: string) {
  const suite = resolve(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'shared',
    'conformance',
    'freebsd-tcp-testsuite',
    folder,
  );
  const present = existsSync(suite);
  if (!present) {
    console.log(
      `${folder}: skipped, ${suite} is absent (it ships beside the repository in ../shared)`,
    );
  }
  const files = present
    ? readdirSync(suite, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.pkt'))
        .sort()
    : [];
  const read = (file: string) => readFileSync(join(suite, file), 'utf8');
  const reports: ScriptReport[] = files.map((file) => ({
    file,
    result: runScriptText(read(file)),
  }));
  return { suite, present, files, read, reports, summary: summarize(reports) };
}

/**
 * A suite's result for the test log, worded as the public suites' lines are ("N/M pass"): the
 * only "N passed, M failed" line in a test run is the run's own count, the line CI reads.
 */
export function countLine(s: Summary, total: number): string {
  return `${s.passed}/${total} pass, ${s.failed} fail, ${s.unsupported} unsupported`;
}
