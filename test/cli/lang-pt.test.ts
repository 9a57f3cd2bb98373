/**
 * `--lang pt` translates every heading and cause of every host command's text output. The known
 * English words are taken from the catalogues themselves (state/words.ts, the findings' titles,
 * the explain page's words, the causes' names) plus the ones the issue named, so a heading added
 * in English only to a catalogue, or printed past it, is caught: each command is run with
 * `--lang pt` and its output must hold none of them (the findings' evidence and advice, English
 * only, are left out of the check and said so in the README).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/host/doctor.js';
import { findingTitles } from '../../src/host/doctor-words.js';
import type { Finding } from '../../src/host/types.js';
import { formatLifetime } from '../../src/host/watch-view.js';
import { colors } from '../../src/render/table-style.js';
import { renderTop } from '../../src/render/table-top.js';
import { causeName, explainWords } from '../../src/state/explanations.js';
import { TCP_STATES } from '../../src/state/states.js';
import { TRANSITIONS } from '../../src/state/transitions.js';
import { words } from '../../src/state/words.js';
import { many, sock } from '../host/fixtures/sockets.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const isLinux = process.platform === 'linux' && existsSync('/proc/net/tcp');

/** The fixed pieces of a catalogue entry: strings as they are, functions around sample values. */
function fragments(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(fragments);
  if (typeof value === 'function') {
    const samples = [7301, '§A§', true, 7302, 7303];
    const text = String((value as (...a: unknown[]) => unknown)(...samples));
    return text.split(/7301|7302|7303|§A§/);
  }
  if (value && typeof value === 'object') return Object.values(value).flatMap(fragments);
  return [];
}

/** English fragments of at least two words or 4 letters that Portuguese does not share. */
function untranslatedCandidates(en: unknown, pt: unknown): string[] {
  const ptText = new Set(fragments(pt).map((f) => f.trim()));
  return [
    ...new Set(
      fragments(en)
        .map((f) => f.trim().replace(/^[,:;.]\s*|[,:;(]\s*$/g, ''))
        .filter((f) => f.replace(/[^A-Za-z]/g, '').length >= 4 && !ptText.has(f)),
    ),
  ];
}

/** A fragment as a regular expression that does not match inside a longer word (PORT, PORTA). */
function asPattern(fragment: string): RegExp {
  const escaped = fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = /^\w/.test(fragment) ? '(?<![\\w-])' : '';
  const end = /\w$/.test(fragment) ? '(?![\\w-])' : '';
  return new RegExp(`${start}${escaped}${end}`);
}

const ISSUE_NAMED = [
  'Listening ports',
  'Problems',
  'Next',
  'retransmission limit',
  '2MSL timer',
  'What to do',
  'What was seen',
  'WHAT IT MEANS',
  'WAITING TO BE ACCEPTED',
  'IN OLD STATE',
  'Connections seen',
  'still open',
  'q quits',
  'rcv FIN',
  'rcv SYN',
  'FIN_WAIT2 timer',
  'keepalive timeout',
  'user timeout',
];

const HEADINGS = [
  ...untranslatedCandidates(words('en'), words('pt')),
  // "from" and "to" head explain's transition lines; alone they are too common a word to look
  // for (top's screen shows the watch module's English notes, "set from 0 to 1")
  ...untranslatedCandidates(explainWords('en'), explainWords('pt')).filter((w) => w !== 'from'),
  ...TRANSITIONS.map((t) => t.cause).filter((c) => causeName(c, 'pt') !== c),
  ...ISSUE_NAMED,
];
const TITLES = untranslatedCandidates(findingTitles('en'), findingTitles('pt'));

/**
 * The English left in `text`: headings anywhere except the findings' evidence and advice (lines
 * indented 5 or more, English by design), and title fragments in the finding lines.
 */
function english(text: string): string[] {
  const checked = text
    .split('\n')
    .filter((l) => !/^ {5,}/.test(l))
    .join('\n');
  const titleLines = text
    .split('\n')
    .filter((l) => /^( i|!!| !| {2}[!i✖]) /.test(l))
    .join('\n');
  return [
    ...HEADINGS.filter((h) => asPattern(h).test(checked)),
    ...TITLES.filter((t) => asPattern(t).test(titleLines)),
  ];
}

describe('the catalogues', () => {
  it('know the English of every heading and cause the issue named', () => {
    expect(HEADINGS.length).toBeGreaterThan(60);
    expect(TITLES.length).toBeGreaterThan(20);
    for (const named of ['Listening ports', 'Problems', 'Next', 'IN OLD STATE']) {
      expect(HEADINGS).toContain(named);
    }
  });

  it('the check finds English in English output (so it can fail)', () => {
    const en = [words('en').listeningPorts, causeName('2MSL timer', 'en'), ' i '].join('\n');
    expect(english(en)).toEqual(expect.arrayContaining(['Listening ports', '2MSL timer']));
  });

  it('every finding title is Portuguese with --lang pt', () => {
    const sockets = [
      sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { recvQ: 128, sendQ: 128, pid: 7, process: 'n' }),
      ...many(6, (i) => sock('CLOSE_WAIT', '10.0.0.1:80', `10.0.0.2:${40000 + i}`, { pid: 9 })),
      ...many(400, (i) => sock('TIME_WAIT', `10.0.0.1:${33000 + i}`, '10.0.0.5:5432')),
      ...many(120, (i) => sock('SYN_RECV', '10.0.0.1:443', `198.51.100.${i % 200}:${5000 + i}`)),
      ...many(12, (i) => sock('FIN_WAIT2', `10.0.0.1:${34000 + i}`, '10.0.0.6:80')),
      ...many(3, (i) =>
        sock('ESTABLISHED', `10.0.0.1:${35000 + i}`, '10.0.0.7:80', {
          timer: { kind: 'retransmit', remainingMs: 5000, retries: 7 },
        }),
      ),
    ];
    const context = {
      ephemeralPorts: { low: 33000, high: 33999 },
      twReuse: 0,
      maxTwBuckets: 500,
      maxOrphans: 10,
      sockstat: { inuse: 1, orphan: 9, tw: 400, alloc: 1, mem: 1 },
      tcpExt: { ListenOverflows: 50, ListenDrops: 50 },
      snmpTcp: { RetransSegs: 500, OutSegs: 5000 },
      earlier: {
        seconds: 1,
        tcpExt: { ListenOverflows: 10 },
        snmpTcp: { RetransSegs: 0, OutSegs: 0 },
      },
    };
    const pt = diagnose(sockets, context, 'pt');
    const en = diagnose(sockets, context, 'en');
    const kinds = new Set(pt.map((f: Finding) => f.kind));
    expect(kinds.size).toBe(6);
    expect(pt.map((f) => f.kind)).toEqual(en.map((f) => f.kind));
    for (const [i, f] of pt.entries()) {
      expect(f.title).not.toBe(en[i].title);
      expect(english(` i ${f.title}`), f.title).toEqual([]);
    }
  });

  it('top and the watch lifetimes speak Portuguese', () => {
    const screen = renderTop(
      {
        netns: 'x',
        clock: '12:00:00.000',
        sockets: [sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { pid: 1, process: 'p' })],
        recent: [],
        recentClock: [],
        source: 'poll',
      },
      { width: 200, height: 30 },
      colors(false),
      'pt',
    ).join('\n');
    expect(english(screen)).toEqual([]);
    expect(screen).toContain('NO ESTADO ANTERIOR');
    const lifetime = {
      family: 4 as const,
      local: { address: '10.0.0.1', port: 5000 },
      remote: { address: '10.0.0.2', port: 80 },
      start: 0,
      states: [
        'SYN_SENT' as const,
        'ESTABLISHED' as const,
        'FIN_WAIT1' as const,
        'FIN_WAIT2' as const,
      ],
      joinedMidway: false,
    };
    expect(formatLifetime(lifetime, words('pt'))).toContain('ainda aberta');
    expect(formatLifetime({ ...lifetime, end: 10, handedOff: true }, words('pt'))).toContain(
      '(socket de time-wait)',
    );
    expect(english(formatLifetime(lifetime, words('pt')))).toEqual([]);
  });
});

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--lang', 'pt'], {
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '1000' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PASTE = [
  'Proto Recv-Q Send-Q Local Address           Foreign Address         State',
  'tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN',
  ...Array.from(
    { length: 6 },
    (_, i) => `tcp        1      0 10.0.0.1:80             10.0.0.2:4000${i}          CLOSE_WAIT`,
  ),
  'tcp        0      0 10.0.0.1:5000           10.0.0.9:443            TIME_WAIT',
  'tcp        0      0 10.0.0.1:ssh            10.0.0.9:https          ESTABLISHED',
  '',
].join('\n');

describe.skipIf(!isLinux || !existsSync(CLI))(
  `every host command with --lang pt (${CLI}; needs Linux and npm run build)`,
  () => {
    const cases: [string, string[], string, string?][] = [
      ['summary', [], 'Portas em escuta'],
      ['ls', ['ls'], 'ESTADO'],
      ['ls --explain', ['ls', '--explain'], 'ESTADO'],
      ['doctor', ['doctor', '--sample', '0'], 'Verificado:'],
      ['top', ['top', '-n', '1'], 'NO ESTADO ANTERIOR'],
      ['explain (the diagram)', ['explain'], 'temporizador 2MSL'],
      ['explain (every state)', ['explain', ...TCP_STATES], 'limite de retransmissões'],
      ['explain - (pasted netstat)', ['explain', '-'], 'Por estado', PASTE],
    ];
    it.each(cases)(
      '%s',
      (_name, args, expected, input) => {
        const r = run(args, input);
        expect(r.stderr).not.toMatch(/unknown option/);
        expect(r.stdout).toContain(expected);
        expect(english(r.stdout), r.stdout).toEqual([]);
      },
      120_000,
    );

    it('watch: its header, its transitions and its summary', async () => {
      const server = net.createServer((s) => s.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      const child = spawn(
        process.execPath,
        [CLI, 'watch', '--source', 'poll', '--port', String(port), '--lang', 'pt'],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      // connect once watch says it is watching, and again until it has printed a line; then
      // stop it as Ctrl-C does (no duration a loaded machine could overrun)
      for (let i = 0; i < 1200 && !err.includes('polling'); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (let i = 0; i < 40 && !out.includes('->'); i++) {
        await new Promise<void>((resolve) => {
          const c = net.connect(port, '127.0.0.1', () => setTimeout(() => c.end(), 300));
          c.on('close', () => resolve());
          c.on('error', () => resolve());
        });
        await new Promise((r) => setTimeout(r, 150));
      }
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGINT');
      await exited;
      server.close();
      expect(out).toContain('MUDANÇA');
      expect(out).toContain('Conexões vistas');
      expect(english(out), out).toEqual([]);
    }, 120_000);
  },
);
