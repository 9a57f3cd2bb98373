/**
 * Under loss: netem on the kernel's side of the device (5% loss, 20 ms delay on everything the
 * kernel sends us) while 10 MiB go each way: a download from our server (the kernel's ACKs are
 * lost) and an upload to it (the kernel's data is lost, our ACKs and SACKs recover it). Where
 * the kernel has no netem (CONFIG_NET_SCH_NETEM unset, as on this project's CI machines), the
 * same loss is made in our link (`--loss 5% --delay 10`), on both directions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternSha256 } from '../../src/net/demo-apps.js';
import { expertVerdict, Scenario } from './harness.js';
import { hasNetem, missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('curl', 'tcpdump', 'tshark');
const netem = why === undefined && hasNetem();
const how = netem
  ? 'netem on the device: 5% loss, 20 ms delay'
  : 'no netem in this kernel: tcpstate --loss 5% --delay 10 on both directions';
const SIZE = 10 * 1024 * 1024;

describe.skipIf(why !== undefined)(
  `10 MiB each way under 5% loss (${why ? `skipped: ${why}` : how})`,
  () => {
    let sc: Scenario;
    beforeAll(async () => {
      sc = new Scenario('loss');
      if (netem) {
        await sc.start(['http:80'], [], { snaplen: 96 });
        const args = [
          'qdisc',
          'add',
          'dev',
          sc.ifname,
          'root',
          'netem',
          'loss',
          '5%',
          'delay',
          '20ms',
        ];
        expect(sc.run('tc', args).stderr).toBe('');
      } else {
        await sc.start(['http:80'], ['--loss', '5%', '--delay', '10'], { snaplen: 96 });
      }
    }, 30_000);
    afterAll(async () => {
      await sc?.dispose();
    });

    it('download from our server arrives intact', () => {
      const r = sc.run(
        'sh',
        ['-c', `curl --noproxy '*' -sS http://${sc.ours}/bytes/${SIZE} | sha256sum`],
        {
          timeoutMs: 120_000,
        },
      );
      expect(r.stdout.toString().split(' ')[0]).toBe(patternSha256(SIZE));
    }, 130_000);

    it('upload to our server arrives intact', () => {
      const r = sc.run(
        'sh',
        [
          '-c',
          `head -c ${SIZE} /dev/urandom > ${sc.dir}/up && sha256sum ${sc.dir}/up | cut -d' ' -f1 && curl --noproxy '*' -sS --data-binary @${sc.dir}/up http://${sc.ours}/upload`,
        ],
        { timeoutMs: 120_000 },
      );
      const [hash, json] = r.stdout.toString().trim().split('\n');
      expect(JSON.parse(json)).toEqual({ bytes: SIZE, sha256: hash });
    }, 130_000);

    it('the capture has no TCP error caused by our stack', async () => {
      await sc.stop();
      const v = expertVerdict(sc.capturePath);
      if (v.warnings.length) console.log(`tshark warnings (loss): ${v.warnings.join('; ')}`);
      expect(v.tcpErrors).toEqual([]);
    }, 60_000);
  },
);
