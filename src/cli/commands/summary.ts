import type { Command } from 'commander';
import { isProblem } from '../../host/doctor.js';
import { HostError } from '../../host/errors.js';
import { type Snapshot, type SnapshotOptions, takeSnapshot } from '../../host/kernel/snapshot.js';
import { type HostSummary, type ListeningPort, summarize } from '../../host/summary.js';
import type { Finding } from '../../host/types.js';
import { detectLang, isLang, LANGS } from '../../render/lang.js';
import { stateStyle } from '../../render/state-style.js';
import { renderTable, wrap } from '../../render/table.js';
import { type Colors, colors } from '../../render/table-style.js';
import { type Lang, shortMeaning } from '../../state/meanings.js';
import { type Words, words } from '../../state/words.js';
import { CliError } from '../errors.js';
import { terminalWidth, useColor, writeOut } from '../terminal.js';

interface SummaryOptions {
  json?: boolean;
  netns?: string;
  color: boolean;
  lang?: string;
}

/** --lang, else the locale (as `tcpstate explain` does); for the states' meanings. */
export function chooseLang(given: string | undefined): Lang {
  if (given === undefined) return detectLang(process.env);
  const lang = given.toLowerCase();
  if (!isLang(lang)) throw new CliError(`unknown language "${given}"; use ${LANGS.join(' or ')}`);
  return lang;
}

export function register(program: Command): void {
  program
    .command('summary', { isDefault: true })
    .description(
      'this machine’s TCP sockets at a glance: how many in each state and what that means, who listens, what looks wrong',
    )
    .option('--json', 'machine-readable output')
    .option(
      '--netns <name|pid>',
      'look into another network namespace (a name in /run/netns, or a pid)',
    )
    .option('--no-color', 'no colours')
    .option(
      '--lang <lang>',
      `language of the meanings: ${LANGS.join(' or ')} (default: from LC_ALL/LANG)`,
    )
    // As the default command it also receives what commander did not recognize: `tcpstate foo`.
    .allowExcessArguments()
    .action(async (options: SummaryOptions, command: Command) => {
      const unknown = command.args;
      if (unknown.length > 0) {
        throw new CliError(`unknown command "${unknown[0]}"; see tcpstate --help`);
      }
      const lang = chooseLang(options.lang);
      const snapshot = await snapshotForCli({ netns: options.netns });
      const summary = summarize(snapshot.sockets, snapshot.context, lang);
      if (options.json) {
        writeOut(`${JSON.stringify({ ...summary, source: snapshot.source }, null, 2)}\n`);
      } else {
        const c = colors(options.color && useColor());
        writeOut(`${renderSummary(summary, snapshot, c, terminalWidth(), lang).join('\n')}\n`);
      }
      printNotes(snapshot.notes);
    });
}

/** takeSnapshot with host errors turned into one-line CLI errors. */
export async function snapshotForCli(options: SnapshotOptions): Promise<Snapshot> {
  try {
    return await takeSnapshot(options);
  } catch (err) {
    if (err instanceof HostError) throw new CliError(err.message, 1);
    throw err;
  }
}

/** Notes go to stderr, once each, so that stdout stays clean for pipes and --json. */
export function printNotes(notes: readonly string[]): void {
  for (const note of new Set(notes)) process.stderr.write(`tcpstate: note: ${note}\n`);
}

export function findingMark(c: Colors, finding: Finding): string {
  if (finding.severity === 'critical') return c.red(c.bold('!!'));
  if (finding.severity === 'warning') return c.yellow(' !');
  return c.dim(' i');
}

function listenAddresses(port: ListeningPort, w: Words): string {
  const all = port.addresses;
  const wildcard4 = all.includes('0.0.0.0');
  const wildcard6 = all.includes('::');
  if (wildcard4 && wildcard6) return w.allAddresses;
  return all.map((a) => (a.includes(':') ? `[${a}]` : a)).join(', ');
}

export function renderSummary(
  summary: HostSummary,
  snapshot: Pick<Snapshot, 'netns' | 'source'>,
  c: Colors,
  width: number,
  lang: Lang = 'en',
): string[] {
  const w = words(lang);
  const lines: string[] = [
    c.bold(
      snapshot.netns
        ? w.socketsIn(summary.total, snapshot.netns)
        : w.socketsOnThisMachine(summary.total),
    ),
    ...wrap(w.summaryIntro, width).map((l) => c.dim(l)),
    '',
  ];
  if (summary.states.length === 0) lines.push(`  ${w.noSockets}`);
  else {
    lines.push(
      ...renderTable(
        summary.states,
        [
          { header: w.colState, value: (s) => s.state, style: (t, s) => stateStyle(c, s.state)(t) },
          { header: w.colCount, value: (s) => String(s.count), align: 'right' },
          {
            header: w.colWhatItMeans,
            value: (s) => shortMeaning(s.state, lang),
            shrink: 1,
            minWidth: 20,
            overflow: 'wrap',
          },
        ],
        { width, indent: 2, headerStyle: c.dim },
      ),
    );
  }

  lines.push('', c.bold(w.listeningPorts));
  if (summary.listening.length === 0) {
    lines.push(`  ${w.noListeners}`);
  } else {
    lines.push(
      ...renderTable(
        summary.listening,
        [
          { header: w.colPort, value: (p) => String(p.port), align: 'right' },
          { header: w.colAddress, value: (p) => listenAddresses(p, w), shrink: 1, minWidth: 9 },
          {
            header: w.colProcess,
            value: (p) => (p.pid !== null ? `${p.pid}/${p.process ?? '?'}` : '?'),
            shrink: 1,
            minWidth: 8,
          },
          {
            header: w.colWaitingAccept,
            value: (p) => w.queueOf(p.acceptQueue, p.backlog ?? '?'),
            style: (t, p) =>
              p.backlog !== null && p.backlog > 0 && p.acceptQueue >= p.backlog ? c.red(t) : t,
          },
        ],
        { width, indent: 2, headerStyle: c.dim },
      ),
    );
  }

  lines.push('', c.bold(w.problems));
  const problems = summary.findings.filter(isProblem);
  if (problems.length === 0) lines.push(`  ${c.green(w.noneFound)}`);
  // Problems first, then notes (info findings: worth knowing, nothing to fix now).
  for (const finding of [...problems, ...summary.findings.filter((f) => !isProblem(f))]) {
    const [first, ...rest] = wrap(finding.title, width - 4);
    lines.push(`${findingMark(c, finding)} ${first}`, ...rest.map((l) => `   ${l}`));
  }
  if (summary.findings.length > 0) {
    lines.push(
      c.dim(
        `   ${w.doctorHint}${snapshot.netns ? ` --netns ${snapshot.netns.replace(/^(netns|pid) /, '')}` : ''}`,
      ),
    );
  }

  // The hints look where this summary looked: `--netns X` stays on every command that takes it.
  const netnsFlag = snapshot.netns ? ` --netns ${snapshot.netns.replace(/^(netns|pid) /, '')}` : '';
  const hints: [string, string][] = [
    [`tcpstate ls${netnsFlag}`, w.hintLs],
    [
      `tcpstate ls${netnsFlag} --state ${summary.states.some((s) => s.state === 'CLOSE_WAIT') ? 'close-wait' : 'time-wait'}`,
      w.hintLsState,
    ],
    ['tcpstate explain TIME_WAIT', w.hintExplain],
    [`tcpstate doctor${netnsFlag}`, w.hintDoctor],
    [`tcpstate watch${netnsFlag}`, w.hintWatch],
  ];
  lines.push('', c.bold(w.next));
  lines.push(
    ...renderTable(
      hints,
      [
        { header: '', value: (h) => h[0], style: (t) => c.cyan(t) },
        { header: '', value: (h) => h[1], shrink: 1, overflow: 'wrap', minWidth: 20 },
      ],
      { width, indent: 2 },
    ).slice(1),
  );
  return lines;
}
