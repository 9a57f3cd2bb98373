import type { Command } from 'commander';
import { diagnose, isProblem } from '../../host/doctor.js';
import type { Snapshot } from '../../host/kernel/snapshot.js';
import type { Finding } from '../../host/types.js';
import { wrap } from '../../render/table.js';
import { type Colors, colors } from '../../render/table-style.js';
import type { Lang } from '../../state/meanings.js';
import { words } from '../../state/words.js';
import { CliError } from '../errors.js';
import { terminalWidth, useColor, writeOut } from '../terminal.js';
import { chooseLang, findingMark, printNotes, snapshotForCli } from './summary.js';

interface DoctorOptions {
  json?: boolean;
  netns?: string;
  color: boolean;
  sample: string;
  lang?: string;
}

/** Longest sampling window accepted: doctor is a quick look, not a monitor. */
export const MAX_SAMPLE_SECONDS = 60;

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'find the usual TCP problems on this machine, with evidence and advice (exit 1 when something is wrong)',
    )
    .option('--json', 'machine-readable output: { healthy, findings, notes }')
    .option(
      '--netns <name|pid>',
      'look into another network namespace (a name in /run/netns, or a pid)',
    )
    .option('--no-color', 'no colours')
    .option('--lang <lang>', 'language of the text: en or pt (default: from LC_ALL/LANG)')
    .option(
      '--sample <seconds>',
      'read the kernel counters this long apart, to tell overflows and retransmissions happening now from those since boot (0: no wait)',
      '1',
    )
    .action(async (options: DoctorOptions) => {
      const seconds = Number(options.sample);
      if (!/^\d+(\.\d+)?$/.test(options.sample) || seconds > MAX_SAMPLE_SECONDS) {
        throw new CliError(
          `--sample must be 0 to ${MAX_SAMPLE_SECONDS} seconds, not "${options.sample}"`,
        );
      }
      const lang = chooseLang(options.lang);
      const report = await doctorReport({ netns: options.netns, sampleSeconds: seconds, lang });
      if (options.json) {
        writeOut(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const c = colors(options.color && useColor());
        const lines = renderFindings(report.findings, report.sockets, c, terminalWidth(), lang);
        writeOut(`${lines.join('\n')}\n`);
        printNotes(report.notes);
      }
      const { healthy } = report;
      // 1 = something to fix; info findings are notes, not problems.
      process.exitCode = healthy ? 0 : 1;
    });
}

/** What `doctor --json` prints (and `tcpstate web` serves as GET /api/doctor). */
export interface DoctorReport {
  healthy: boolean;
  sockets: number;
  findings: Finding[];
  notes: string[];
}

/**
 * One look at this machine: the counters read `sampleSeconds` apart (0: once), then the
 * findings, with the notes of both reads.
 */
export async function doctorReport(options: {
  netns?: string | undefined;
  sampleSeconds: number;
  /** The language of the findings' titles (default English, as GET /api/doctor gives them). */
  lang?: Lang;
}): Promise<DoctorReport> {
  const { netns, sampleSeconds: seconds } = options;
  const earlier =
    seconds > 0 ? await snapshotForCli({ netns, sockets: false, owners: false }) : undefined;
  if (earlier) await new Promise((r) => setTimeout(r, seconds * 1000));
  const snapshot = await snapshotForCli({ netns });
  if (earlier) {
    snapshot.context.earlier = {
      seconds,
      ...(earlier.context.tcpExt ? { tcpExt: earlier.context.tcpExt } : {}),
      ...(earlier.context.snmpTcp ? { snmpTcp: earlier.context.snmpTcp } : {}),
    };
  }
  const findings = diagnose(snapshot.sockets, snapshot.context, options.lang);
  return {
    healthy: !findings.some(isProblem),
    sockets: snapshot.sockets.length,
    findings,
    notes: [...snapshot.notes, ...kernelNotesWorthSaying(snapshot)],
  };
}

/**
 * A network namespace has no copy of the host-wide sysctls (tcp_max_orphans, …), and the host's
 * own namespace always has them: a /proc/sys/net file that is missing says only that doctor looks
 * from inside a namespace (`ip netns exec`, a container, --netns), so that note is left out.
 */
function kernelNotesWorthSaying(snapshot: Snapshot): string[] {
  return snapshot.kernelNotes.filter(
    (note) => !(note.includes('/proc/sys/net/') && note.endsWith('(ENOENT)')),
  );
}

function bullets(items: readonly string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const [first, ...rest] = wrap(item, width - indent.length - 2);
    lines.push(`${indent}- ${first}`, ...rest.map((l) => `${indent}  ${l}`));
  }
  return lines;
}

export function renderFindings(
  findings: readonly Finding[],
  socketCount: number,
  c: Colors,
  width: number,
  lang: Lang = 'en',
): string[] {
  const w = words(lang);
  const lines: string[] = [];
  if (!findings.some(isProblem)) {
    lines.push(c.green(w.noProblemsAmong(socketCount)), '');
    lines.push(c.dim(w.checked), ...bullets(w.checks, width, '  ').map((l) => c.dim(l)));
    if (findings.length > 0) lines.push('');
  }
  for (const finding of findings) {
    const [first, ...rest] = wrap(finding.title, width - 4);
    lines.push(
      `${findingMark(c, finding)} ${c.bold(first)}`,
      ...rest.map((l) => `   ${c.bold(l)}`),
    );
    lines.push(c.dim(`   [${finding.kind}, ${w.severity[finding.severity]}]`));
    lines.push(`   ${w.whatWasSeen}`, ...bullets(finding.evidence, width, '     '));
    lines.push(`   ${w.whatToDo}`, ...bullets(finding.advice, width, '     '), '');
  }
  return lines;
}
