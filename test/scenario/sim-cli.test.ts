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
      expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(15);
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
