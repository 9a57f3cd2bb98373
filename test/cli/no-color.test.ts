/**
 * `--no-color` is accepted by every subcommand, and neither it nor NO_COLOR lets an ANSI escape
 * through, even where FORCE_COLOR would colour. The list of subcommands comes from
 * `tcpstate --help`, so a new command without a case here fails the test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const isLinux = process.platform === 'linux' && existsSync('/proc/net/tcp');
const ESC = '\u001b';
const scratch = mkdtempSync(join(tmpdir(), 'tcpstate-nocolor-'));
const pcapFile = join(scratch, 'handshake.pcap');

/** Each subcommand's quickest real run (arguments after the command's name). */
const RUNS: Record<string, string[]> = {
  summary: [],
  ls: [],
  // polling: no tracefs session beside the watch tests that need the tracepoint to themselves
  watch: ['--source', 'poll', '--duration', '1'],
  top: ['-n', '1'],
  doctor: [],
  explain: ['TIME_WAIT'],
  metrics: [],
  sim: ['normal-close'],
  drill: ['test/drill/scripts/time-wait.pkt'],
  pcap: [pcapFile],
  // stops at its own check of the options, before it makes a device: still parses --no-color
  tun: ['--address', '10.77.0.2', '--kernel-address', '10.77.0.1/24'],
};

function run(args: string[], env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '100', ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** `web` serves until stopped: start it, read its first line, stop it. */
function runWeb(args: string[], env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'web', '--port', '0', ...args], {
      env: { ...process.env, ...env },
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

describe.skipIf(!isLinux || !existsSync(CLI))(
  `--no-color and NO_COLOR on every command (${CLI}; needs Linux and npm run build)`,
  () => {
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('the cases here name every subcommand of tcpstate --help', () => {
      const help = run(['--help'], { NO_COLOR: '1' }).out;
      const commands = [...help.matchAll(/^ {2}([a-z]+) /gm)]
        .map((m) => m[1])
        .filter((c) => c !== 'help');
      expect(commands.length).toBeGreaterThan(10);
      expect(new Set([...Object.keys(RUNS), 'web'])).toEqual(new Set(commands));
    });

    it('sim writes the capture pcap reads', () => {
      expect(run(['sim', 'handshake', '--format', 'pcap', '--out', pcapFile], {}).status).toBe(0);
    });

    // one test per command, each with room for a loaded machine (no deadline on the command)
    it.each(Object.entries(RUNS))(
      '%s: --no-color is accepted and wins over FORCE_COLOR; NO_COLOR too',
      (command, args) => {
        const flagged = run([command, '--no-color', ...args], { FORCE_COLOR: '1', NO_COLOR: '' });
        expect(flagged.out, command).not.toMatch(/unknown option/);
        expect(flagged.out, command).not.toContain(ESC);
        // tun is refused by its own option check (exit 2), doctor exits 1 when it finds something
        expect(flagged.status, `${command}: ${flagged.out}`).toBeLessThanOrEqual(
          command === 'tun' ? 2 : 1,
        );
        if (command === 'tun') expect(flagged.out).toMatch(/^tcpstate: give --serve/);
        const env = run([command, ...args], { NO_COLOR: '1', FORCE_COLOR: undefined });
        expect(env.out, command).not.toContain(ESC);
      },
      300_000,
    );

    it('the commands that colour do colour with FORCE_COLOR (so the checks above can fail)', {
      timeout: 300_000,
    }, () => {
      for (const command of ['summary', 'ls', 'explain', 'sim']) {
        const coloured = run([command, ...RUNS[command]], { FORCE_COLOR: '1', NO_COLOR: '' });
        expect(coloured.out, command).toContain(ESC);
      }
    });

    it.each([...Object.keys(RUNS), 'web'])(
      '%s: an unknown option is one line starting tcpstate:, exit 2',
      (command) => {
        // tun's required options are checked before unknown ones: give them
        const required = command === 'tun' ? RUNS.tun : [];
        const r = run([command, ...required, '--no-such-option'], { NO_COLOR: '1' });
        expect(r.status).toBe(2);
        expect(r.out).toBe("tcpstate: unknown option '--no-such-option'\n");
      },
      300_000,
    );

    it('web: --no-color accepted, no escape in what it prints', async () => {
      const flagged = await runWeb(['--no-color'], { FORCE_COLOR: '1', NO_COLOR: '' });
      expect(flagged).toMatch(/^tcpstate web: serving http:\/\/127\.0\.0\.1:\d+\//);
      expect(flagged).not.toContain(ESC);
      const env = await runWeb([], { NO_COLOR: '1' });
      expect(env).toMatch(/^tcpstate web: serving /);
      expect(env).not.toContain(ESC);
    });
  },
);
