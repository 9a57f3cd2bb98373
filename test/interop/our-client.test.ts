/**
 * Our stack as client (`tcpstate tun --get`), the kernel as server (python3 -m http.server in
 * the namespace): the body arrives intact, the server's FIN and ours close it, and a SYN to a
 * closed port of the kernel comes back as a one-line ECONNREFUSED.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expertVerdict, oursFor, Scenario } from './harness.js';
import { missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('python3', 'tcpdump', 'tshark');

describe.skipIf(why !== undefined)(
  `our client -> kernel server${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let sc: Scenario;
    let blob: Buffer;
    beforeAll(async () => {
      sc = new Scenario('ocli');
      blob = randomBytes(3 * 1024 * 1024 + 123);
      writeFileSync(join(sc.dir, 'blob'), blob);
      await sc.serveDirectory('0.0.0.0');
    }, 30_000);
    afterAll(async () => {
      await sc?.dispose();
    });

    function get(url: string, extra: string[] = []) {
      return sc.tunGet(url, extra);
    }

    it('fetches a 3 MiB file from python’s http.server intact; the server closes first', () => {
      const pcap = join(sc.dir, 'get.pcap');
      const r = get(`http://${sc.kernel}:8000/blob`, ['--pcap', pcap]);
      expect(r.stderr).toContain('stopped;');
      expect(r.status).toBe(0);
      expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(
        createHash('sha256').update(blob).digest('hex'),
      );
      // HTTP/1.0: the kernel closes first, so we pass through CLOSE_WAIT and LAST_ACK.
      const trace = sc.readTrace();
      expect(trace.length).toBeGreaterThan(0);
      const { local, remote } = trace[0];
      expect(
        oursFor(trace, `${local.address}:${local.port}`, `${remote.address}:${remote.port}`),
      ).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
      const v = expertVerdict(pcap);
      if (v.warnings.length) console.log(`tshark warnings (our client): ${v.warnings.join('; ')}`);
      expect(v.tcpErrors).toEqual([]);
    }, 60_000);

    it('a SYN to a closed kernel port: one line, ECONNREFUSED, exit 1', () => {
      const r = get(`http://${sc.kernel}:9/`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^tcpstate: --get .*ECONNREFUSED/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);
  },
);
