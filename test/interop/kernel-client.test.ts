/**
 * The kernel as client, our stack as server, over TUN in a namespace made for the test:
 * curl fetches pages and pattern bodies (sha256 checked), many in a row and 50 at once; nc
 * half-closes and still gets the echo; a SYN to a port we don't serve is refused; ping works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternSha256 } from '../../src/net/demo-apps.js';
import { expertVerdict, Scenario } from './harness.js';
import { missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('curl', 'nc', 'tcpdump', 'tshark');
const MiB = 1024 * 1024;

describe.skipIf(why !== undefined)(
  `kernel client -> our server${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let sc: Scenario;
    beforeAll(async () => {
      sc = new Scenario('kcli');
      await sc.start(['http:80', 'echo:7']);
    }, 30_000);
    afterAll(async () => {
      await sc?.dispose();
    });

    it('curl fetches the page', () => {
      const r = sc.curl([`http://${sc.ours}/`]);
      expect(r.stderr).toBe('');
      expect(r.stdout.toString()).toContain("Hello from tcpstate's own TCP stack");
      expect(r.stdout.toString()).toContain('ESTABLISHED');
    });

    it('curl fetches 1 MiB 20 times in a row, each body intact', () => {
      const expected = patternSha256(MiB);
      for (let i = 0; i < 20; i++) {
        const r = sc.run('sh', [
          '-c',
          `curl --noproxy '*' -sS http://${sc.ours}/bytes/${MiB} | sha256sum`,
        ]);
        expect(r.stdout.toString().split(' ')[0], `fetch ${i}`).toBe(expected);
      }
    }, 120_000);

    it('curl fetches 50 bodies at once', () => {
      const size = 64 * 1024;
      const urls = Array.from({ length: 50 }, (_, i) => `http://${sc.ours}/bytes/${size}?n=${i}`);
      const script = `cd ${sc.dir} && curl --noproxy '*' -sS --no-progress-meter --parallel --parallel-max 50 ${urls
        .map((u, i) => `-o p${i} '${u}'`)
        .join(' ')} && sha256sum p* | cut -d' ' -f1 | sort | uniq -c`;
      const r = sc.run('sh', ['-c', script], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.toString().trim()).toBe(`50 ${patternSha256(size)}`);
    }, 120_000);

    it('curl uploads 1 MiB and our server hashes it', () => {
      const r = sc.run('sh', [
        '-c',
        `head -c ${MiB} /dev/urandom > ${sc.dir}/up && sha256sum ${sc.dir}/up | cut -d' ' -f1 && curl --noproxy '*' -sS --data-binary @${sc.dir}/up http://${sc.ours}/upload`,
      ]);
      const [hash, json] = r.stdout.toString().trim().split('\n');
      expect(JSON.parse(json)).toEqual({ bytes: MiB, sha256: hash });
    }, 60_000);

    it('nc half-closes (FIN after its input) and still gets the echo', () => {
      const r = sc.run('nc', ['-N', sc.ours, '7'], {
        input: 'half-closed but listening\n',
        timeoutMs: 20_000,
      });
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toBe('half-closed but listening\n');
    });

    it('a SYN to a port we do not serve is refused with RST (curl: connection refused)', () => {
      const r = sc.curl([`http://${sc.ours}:9/`]);
      expect(r.status).toBe(7);
      expect(r.stderr).toMatch(/refused|couldn't connect/i);
    });

    it.skipIf(missingTools('ping') !== undefined)(
      'answers ping (ICMP echo) — skipped without ping',
      () => {
        const r = sc.run('ping', ['-c', '2', '-W', '2', sc.ours]);
        expect(r.stdout.toString()).toContain('2 received');
      },
    );

    it('the capture has no TCP error in tshark’s expert analysis', async () => {
      await sc.stop();
      const v = expertVerdict(sc.capturePath);
      if (v.warnings.length)
        console.log(`tshark warnings (kernel client): ${v.warnings.join('; ')}`);
      expect(v.tcpErrors).toEqual([]);
      expect(sc.stderr).toContain('stopped;');
    }, 60_000);
  },
);
