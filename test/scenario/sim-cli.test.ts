import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const built = existsSync('dist/cli/main.js');

function sim(args: string[]) {
  return spawnSync(process.execPath, ['dist/cli/main.js', 'sim', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe.skipIf(!built)(
  'tcpstate sim arguments (spawned; skipped until `npm run build` made dist/)',
  () => {
    it('lists the scenarios', () => {
      const r = sim(['--list']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^handshake +three-way handshake/m);
      expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(17);
      expect(r.stdout).toMatch(/^syn-flood +spoofed SYNs flood b/m);
      expect(r.stdout).toMatch(/^blind-reset +an off-path attacker/m);
    });

    it('syn-flood prints the flood’s figures and a’s time to ESTABLISHED with its verdict', () => {
      const r = sim(['syn-flood', '--rate', '10000', '--bytes', '5000']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/SYN,ACK with a SYN cookie/);
      expect(r.stdout).toMatch(/SYN flood: 50000 spoofed SYNs at 10000\/s to b:80/);
      expect(r.stdout).toMatch(/SYN queue peak 4096 of 4096 \(the backlog\)/);
      expect(r.stdout).toMatch(/ESTABLISHED at \d+ ms: \d+ ms \(target within 1000 ms: met\)/);
      expect(r.stdout).toMatch(/a's bytes at b: 5000 of 5000, intact \(target intact: met\)/);
    });

    it('blind-reset in JSON: the attack’s figures beside the story', () => {
      const r = sim(['blind-reset', '--count', '200', '--format', 'json']);
      expect(r.status).toBe(0);
      const story = JSON.parse(r.stdout);
      expect(story.attack.blind.sent).toEqual({ RST: 200, SYN: 200 });
      expect(story.attack.blind.resets).toBe(0);
      expect(story.end).toEqual({ reason: 'settled', time: expect.any(Number), pending: [] });
    });

    it('a run cut with a retransmission pending says so in text and JSON, and exits 1', () => {
      const args = ['normal-close', '--loss', '0.2', '--seed', '61', '--max-time', '62000'];
      const text = sim(args);
      expect(text.status).toBe(1);
      expect(text.stdout).toMatch(/run cut at \d+ ms \(time-limit\) with work pending/);
      expect(text.stdout).toMatch(
        / {2}b LAST_ACK 10\.0\.0\.2:80 -> 10\.0\.0\.1:\d+: retransmit timer due at/,
      );
      expect(text.stderr).toMatch(/cut at its time-limit with work pending: b in LAST_ACK/);
      const json = sim([...args, '--format', 'json']);
      expect(json.status).toBe(1);
      const story = JSON.parse(json.stdout);
      expect(story.end.reason).toBe('time-limit');
      expect(story.end.pending[0]).toMatchObject({
        side: 'b',
        state: 'LAST_ACK',
        timer: 'retransmit',
      });
      // without the bound the same run goes on until b is answered
      const whole = sim(args.slice(0, 5));
      expect(whole.status).toBe(0);
      expect(whole.stdout).toMatch(/final: a CLOSED, b CLOSED/);
    });

    const bad: Array<[string[], RegExp]> = [
      [['nope'], /unknown scenario 'nope'; built-in: handshake/],
      [['./missing.yaml'], /no such scenario file: \.\/missing\.yaml/],
      [['handshake', '--loss', '2'], /--loss must be a number from 0 to 1, not '2'/],
      [['handshake', '--loss', 'lots'], /--loss must be a number/],
      [['handshake', '--seed', '1.5'], /--seed must be an integer/],
      [['handshake', '--latency', '-1'], /--latency must be a number from 0/],
      [['handshake', '--bytes', '0'], /--bytes must be an integer from 1/],
      [['handshake', '--mss', '10'], /--mss must be an integer from 64/],
      [
        ['handshake', '--format', 'png'],
        /unknown format 'png'; use text, json, mermaid, svg, pcap/,
      ],
      [['test/fixtures/scenario/bad.yaml'], /no such scenario file/],
      [[], /name a scenario/],
      [['syn-flood', '--rate', '0'], /--rate must be an integer from 1 to 100000, not '0'/],
      [['syn-flood', '--rate', 'fast'], /--rate must be an integer/],
      [['handshake', '--rate', '100'], /--rate: scenario 'handshake' has no SYN flood/],
      [['blind-reset', '--count', '-3'], /--count must be an integer from 1/],
      [['syn-flood', '--count', '10'], /--count: scenario 'syn-flood' has no blind attack/],
      [['syn-flood', '--syn-cookies', 'maybe'], /unknown --syn-cookies mode 'maybe'; use off/],
      [['handshake', '--max-time', '0'], /--max-time must be an integer from 1/],
    ];
    for (const [args, message] of bad) {
      it(`rejects ${args.join(' ') || '(nothing)'} with one line and exit code 2`, () => {
        const r = sim(args);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      });
    }
  },
);
