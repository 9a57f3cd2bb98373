/**
 * The long one, kept apart: curl fetches a 100 MiB body from our server over TUN, sha256
 * checked. The capture keeps headers only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternSha256 } from '../../src/net/demo-apps.js';
import { expertVerdict, Scenario } from './harness.js';
import { missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('curl', 'tcpdump', 'tshark');
const SIZE = 100 * 1024 * 1024;

describe.skipIf(why !== undefined)(
  `100 MiB from our server${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let sc: Scenario;
    beforeAll(async () => {
      sc = new Scenario('big');
      await sc.start(['http:80'], [], { snaplen: 96 });
    }, 30_000);
    afterAll(async () => {
      await sc?.dispose();
    });

    it('curl downloads 100 MiB intact', () => {
      const t0 = performance.now();
      const r = sc.run(
        'sh',
        ['-c', `curl --noproxy '*' -sS http://${sc.ours}/bytes/${SIZE} | sha256sum`],
        {
          timeoutMs: 170_000,
        },
      );
      const secs = (performance.now() - t0) / 1000;
      console.log(
        `100 MiB in ${secs.toFixed(1)} s (${((SIZE * 8) / secs / 1e6).toFixed(0)} Mbit/s incl. curl and sha256sum)`,
      );
      expect(r.stdout.toString().split(' ')[0]).toBe(patternSha256(SIZE));
    }, 180_000);

    it('the capture has no TCP error in tshark’s expert analysis', async () => {
      await sc.stop();
      const v = expertVerdict(sc.capturePath);
      if (v.warnings.length) console.log(`tshark warnings (100 MiB): ${v.warnings.join('; ')}`);
      expect(v.tcpErrors).toEqual([]);
    }, 120_000);
  },
);
