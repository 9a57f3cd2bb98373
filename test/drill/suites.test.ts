/**
 * The public packetdrill suites from the fetched snapshots (scripts/suites.mjs): google/packetdrill
 * gtests/net/tcp with the linux profile, FreeBSD tcp-testsuite's snd-syn, socket-api, rcv-icmp
 * and fast-open (IPv4). Skipped, saying so, where a snapshot is absent (CI cannot fetch them).
 * The floors are the counts reached when this was written; a drop fails.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { counts, runSuite, SUITES, snapshotOf } from '../../scripts/suites.mjs';

type Outcome = { status: 'pass' | 'fail' | 'unsupported' };
type Suite = { name: string; repo: string };
const FLOORS: Record<string, number> = {
  'linux-gtests': 65,
  'freebsd-snd-syn': 13,
  'freebsd-socket-api': 4,
  'freebsd-rcv-icmp': 7,
  'freebsd-fast-open': 114,
};

for (const suite of SUITES as Suite[]) {
  const gitDir = snapshotOf(suite.repo) as string | undefined;
  if (gitDir === undefined) {
    console.log(
      `suites: ${suite.name} skipped, no snapshot of ${suite.repo} (fetch github:${suite.repo})`,
    );
  }
  describe.skipIf(gitDir === undefined)(`${suite.name} (${suite.repo})`, () => {
    it(`passes at least ${FLOORS[suite.name]} scripts`, () => {
      const results = runSuite(suite, gitDir) as Array<{ path: string; outcome: Outcome }>;
      const c = counts(results);
      console.log(
        `suites: ${suite.name}: ${c.pass}/${c.total} pass, ${c.fail} fail, ${c.unsupported} unsupported`,
      );
      expect(c.pass).toBeGreaterThanOrEqual(FLOORS[suite.name]);
    });
  });
}
