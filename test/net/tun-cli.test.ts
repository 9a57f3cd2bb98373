/**
 * `tcpstate tun` refuses bad arguments and missing privileges with one line and a non-zero exit,
 * never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTunAddresses } from '../../src/link/tun/kernel-side.js';
import { nobodySkipReason, spawnAsNobody } from '../support/as-nobody.js';

const ROOT = resolve(import.meta.dirname, '../..');

function tcpstate(args: string[], asNobody = false) {
  const cmd = [
    process.execPath,
    '--import',
    'tsx',
    resolve(ROOT, 'src/cli/main.ts'),
    'tun',
    ...args,
  ];
  const r = asNobody
    ? spawnAsNobody(cmd, { cwd: ROOT, dropCaps: true })
    : spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
  return { status: r.status, stderr: r.stderr.replace(/^npm warn.*\n/gm, '') };
}

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('tcpstate tun: bad arguments', () => {
  it.each([
    [
      ['--address', '10.77.0.2', '--kernel-address', '10.77.0.1/24', '--serve', 'ftp:21'],
      /--serve expects/,
    ],
    [
      ['--address', '10.78.0.2', '--kernel-address', '10.77.0.1/24', '--serve', 'http:80'],
      /not in the kernel's subnet/,
    ],
    [
      ['--address', '10.77.0.1', '--kernel-address', '10.77.0.1/24', '--serve', 'http:80'],
      /different addresses/,
    ],
    [
      ['--address', '10.77.0.2', '--kernel-address', '10.77.0.1', '--serve', 'http:80'],
      /with a prefix/,
    ],
    [
      ['--address', '10.77.0.2', '--kernel-address', '10.77.0.1/24', '--get', 'https://10.77.0.1/'],
      /http:\/\/ only/,
    ],
    [
      [
        '--address',
        '10.77.0.2',
        '--kernel-address',
        '10.77.0.1/24',
        '--get',
        'http://example.org/',
      ],
      /needs an IP address/,
    ],
    [['--address', '10.77.0.2', '--kernel-address', '10.77.0.1/24'], /give --serve/],
    [
      [
        '--address',
        '10.77.0.2',
        '--kernel-address',
        '10.77.0.1/24',
        '--serve',
        'echo:7',
        '--mtu',
        '9',
      ],
      /--mtu/,
    ],
    [
      [
        '--address',
        '10.77.0.2',
        '--kernel-address',
        '10.77.0.1/24',
        '--serve',
        'echo:7',
        '--trace',
        '/nonexistent/t.jsonl',
      ],
      /--trace .*ENOENT/,
    ],
    [
      [
        '--address',
        '10.77.0.2',
        '--kernel-address',
        '10.77.0.1/24',
        '--serve',
        'echo:7',
        '--pcap',
        '/nonexistent/t.pcap',
      ],
      /--pcap .*ENOENT/,
    ],
  ])(
    '%j',
    (args, pattern) => {
      const r = tcpstate(args);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, pattern);
    },
    30_000,
  );

  it('checks addresses as the kernel would route them', () => {
    expect(() => checkTunAddresses('10.77.0.2', '10.77.0.1/24')).not.toThrow();
    expect(() => checkTunAddresses('10.77.1.2', '10.77.0.1/23')).not.toThrow();
    expect(() => checkTunAddresses('10.77.0.2', '10.77.0.1/31')).toThrow(/subnet/);
    expect(() => checkTunAddresses('10.77.0.256', '10.77.0.1/24')).toThrow(/IPv4/);
  });
});

const why = nobodySkipReason ?? (existsSync('/dev/net/tun') ? undefined : 'needs /dev/net/tun');

describe.skipIf(why !== undefined)(
  `tcpstate tun without privileges${why ? ` (skipped: ${why})` : ''}`,
  () => {
    it('says it needs root or CAP_NET_ADMIN, in one line, exit 1', () => {
      const r = tcpstate(
        [
          '--ifname',
          'tsnopriv0',
          '--address',
          '10.77.0.2',
          '--kernel-address',
          '10.77.0.1/24',
          '--serve',
          'echo:7',
        ],
        true,
      );
      expect(r.status).toBe(1);
      expectOneLine(r.stderr, /^tcpstate: .*(root|CAP_NET_ADMIN)/);
    }, 30_000);
  },
);
