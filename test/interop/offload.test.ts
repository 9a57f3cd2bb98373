/**
 * Offloads over TUN (IFF_VNET_HDR, TSO/GSO; on by default): the kernel's curl downloads from
 * our server and uploads to it, sha256 checked both ways, IPv4 and IPv6, with the kernel
 * handing over and taking 64 KB super-segments (counted by our device); then `--mtu` and
 * `--no-offload` as the kernel sees them (`ip link`, ethtool where installed).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternChunk, patternSha256 } from '../../src/net/demo-apps.js';
import { Scenario } from './harness.js';
import { missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('curl', 'tcpdump', 'tshark', 'sha256sum');
const SIZE = 16 * 1024 * 1024;
const hasEthtool = spawnSync('sh', ['-c', 'command -v ethtool'], { stdio: 'ignore' }).status === 0;

for (const family of ['ipv4', 'ipv6'] as const) {
  describe.skipIf(why !== undefined)(
    `curl over TUN with offloads, ${family}${why ? ` (skipped: ${why})` : ''}`,
    () => {
      let sc: Scenario;
      beforeAll(async () => {
        sc = new Scenario(`off${family === 'ipv6' ? 6 : 4}`, { ipv6: family === 'ipv6' });
        await sc.start(['http:80'], [], { snaplen: 96 });
      }, 30_000);
      afterAll(async () => {
        await sc?.dispose();
      });

      it('downloads 16 MiB intact', () => {
        const r = sc.run(
          'sh',
          ['-c', `curl --noproxy '*' -sS http://${sc.urlHost(sc.ours)}/bytes/${SIZE} | sha256sum`],
          { timeoutMs: 110_000 },
        );
        expect(r.stdout.toString().split(' ')[0]).toBe(patternSha256(SIZE));
      }, 120_000);

      it('uploads 16 MiB intact (our server answers with the sha256 of what arrived)', () => {
        const file = join(sc.dir, 'upload.bin');
        writeFileSync(
          file,
          Buffer.concat(Array.from({ length: SIZE / 65536 }, (_, i) => patternChunk(i))),
        );
        const r = sc.run(
          'curl',
          ['--noproxy', '*', '-sS', '-T', file, `http://${sc.urlHost(sc.ours)}/upload`],
          { timeoutMs: 110_000 },
        );
        expect(JSON.parse(r.stdout.toString())).toEqual({
          bytes: SIZE,
          sha256: patternSha256(SIZE),
        });
      }, 120_000);

      it('the device said offload on, and super-segments went both ways (its counters at exit)', async () => {
        expect(sc.stderr).toContain('offload on');
        await sc.stop();
        const m = /super-segments: (\d+) in, (\d+) out/.exec(sc.stderr);
        expect(m, sc.stderr).not.toBeNull();
        expect(Number(m?.[1])).toBeGreaterThan(0);
        expect(Number(m?.[2])).toBeGreaterThan(0);
      }, 60_000);
    },
  );
}

describe.skipIf(why !== undefined)(
  `--mtu and --no-offload${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let sc: Scenario;
    afterAll(async () => {
      await sc?.dispose();
    });

    it('--mtu 9000 --no-offload: the device has MTU 9000, no TSO, and 4 MiB still arrive intact', async () => {
      sc = new Scenario('mtu');
      await sc.start(['http:80'], ['--mtu', '9000', '--no-offload'], { snaplen: 96 });
      expect(sc.stderr).toContain('MTU 9000, offload off');
      const link = sc.run('ip', ['link', 'show', 'dev', sc.ifname]);
      expect(link.stdout.toString()).toMatch(/mtu 9000/);
      if (hasEthtool) {
        const k = sc.run('ethtool', ['-k', sc.ifname]).stdout.toString();
        expect(k).toMatch(/tcp-segmentation-offload: off/);
      }
      const size = 4 * 1024 * 1024;
      const r = sc.run(
        'sh',
        ['-c', `curl --noproxy '*' -sS http://${sc.ours}/bytes/${size} | sha256sum`],
        { timeoutMs: 60_000 },
      );
      expect(r.stdout.toString().split(' ')[0]).toBe(patternSha256(size));
    }, 90_000);
  },
);
