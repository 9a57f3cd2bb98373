/**
 * What `tcpstate drill` prints: a line per script (pass, fail with the first mismatch, or
 * unsupported with the construct), the relaxations used, and the summary
 * `N passed, M failed, K unsupported`; or the same as JSON for machines.
 */
import { transitionJson } from '../state/events.js';
import type { DrillResult } from './run.js';

export interface ScriptReport {
  /** The script's path as the user named it (or relative to the folder given). */
  file: string;
  result: DrillResult;
}

export interface Summary {
  passed: number;
  failed: number;
  unsupported: number;
  /** Relaxations used, by check: how many scripts used each. */
  relaxations: Record<string, { count: number; why: string }>;
}

export function summarize(reports: readonly ScriptReport[]): Summary {
  const s: Summary = { passed: 0, failed: 0, unsupported: 0, relaxations: {} };
  for (const { result } of reports) {
    const st = result.outcome.status;
    if (st === 'pass') s.passed++;
    else if (st === 'fail') s.failed++;
    else s.unsupported++;
    // Each script counts once per check, however many of its lines used it.
    for (const r of new Map(result.relaxations.map((x) => [x.check, x])).values()) {
      s.relaxations[r.check] ??= { count: 0, why: r.why };
      s.relaxations[r.check].count++;
    }
  }
  return s;
}

export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.unsupported} unsupported`;
}

export interface TextOptions {
  /** List passing scripts too (default: only failures and unsupported ones). */
  verbose?: boolean;
  /** After each script listed, what happened: segments, calls, state changes, by time. */
  trace?: boolean;
}

function traceLines(result: DrillResult): string[] {
  return result.log.map(
    (e) => `        ${(e.t / 1e6).toFixed(6).padStart(12)}  ${`:${e.line}`.padEnd(5)} ${e.text}`,
  );
}

/** One line per script worth showing, then the relaxations and the summary. */
export function renderText(reports: readonly ScriptReport[], options: TextOptions = {}): string {
  const lines: string[] = [];
  for (const { file, result } of reports) {
    const o = result.outcome;
    if (o.status === 'pass') {
      if (options.verbose) {
        const relaxed = result.relaxations.length > 0 ? ` (relaxed: ${relaxedChecks(result)})` : '';
        lines.push(`pass  ${file}${relaxed}`);
        if (options.trace) lines.push(...traceLines(result));
        for (const u of result.unchecked)
          lines.push(`        after the last expectation, unchecked: ${u}`);
      }
      continue;
    }
    if (o.status === 'unsupported') {
      lines.push(`unsupported  ${at(file, o.line)}: ${o.construct}`);
      continue;
    }
    lines.push(`FAIL  ${at(file, o.line)}: ${o.message}`);
    if (options.trace) lines.push(...traceLines(result));
    if (o.expected !== undefined) lines.push(`        expected  ${o.expected}`);
    if (o.actual !== undefined) lines.push(`        actual    ${o.actual}`);
  }
  const s = summarize(reports);
  const relaxations = Object.entries(s.relaxations);
  if (relaxations.length > 0) {
    lines.push('', 'Relaxed checks (FreeBSD-only details the stack does not copy):');
    for (const [check, { count, why }] of relaxations) {
      lines.push(`  ${check}: ${count} script${count === 1 ? '' : 's'}: ${why}`);
    }
  }
  lines.push('', summaryLine(s));
  return `${lines.join('\n')}\n`;
}

/** `file:line`, or the file alone for what belongs to no line (options, an unreadable file). */
function at(file: string, line: number): string {
  return line > 0 ? `${file}:${line}` : file;
}

function relaxedChecks(result: DrillResult): string {
  return [...new Set(result.relaxations.map((r) => r.check))].join(', ');
}

/** The JSON report: every script with its outcome, relaxations and the commands read. */
export function renderJson(reports: readonly ScriptReport[]): string {
  const s = summarize(reports);
  return `${JSON.stringify(
    {
      summary: { passed: s.passed, failed: s.failed, unsupported: s.unsupported },
      relaxations: s.relaxations,
      scripts: reports.map(({ file, result }) => ({
        file,
        ...result.outcome,
        relaxations: result.relaxations,
        commands: result.commands,
        unchecked: result.unchecked,
        log: result.log,
        transitions: result.transitions.map(transitionJson),
      })),
    },
    null,
    2,
  )}\n`;
}
