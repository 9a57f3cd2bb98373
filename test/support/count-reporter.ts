/**
 * Prints one line CI counts after Vitest's own summary:
 * `tests: N passed, M failed, K skipped`, alone on its line.
 *
 * A test file that fails before its tests run (an import error, a throwing hook) and an error
 * Vitest caught outside any test each count as one failure, so the line never says
 * "0 failed" while the run failed.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // The module itself failed (collection error, failing beforeAll/afterAll) with no failed test to show for it.
      if (failedHere === 0 && (mod.state() === 'failed' || mod.errors().length > 0)) failedHere = 1;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    // Under scripts/test-run.mjs (npm test) the wrapper prints the line after every process has
    // exited, so nothing Vitest or a worker writes late can come after it.
    const file = process.env.TCPSTATE_COUNT_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    else process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
