/**
 * Reads pasted `netstat`/`ss` text line by line. Each line is tried against every known row
 * format; a line none of them recognises is kept as it is (header, a detail of the row above,
 * or other), so nothing the user pasted is lost and no input, however broken, makes this throw.
 * A line that looks like a socket row but cannot be read is named in a note with a hint.
 *
 * Three layouts need more than one line: `ss … state X` prints no State column (the state is
 * the filter's, read from the pasted command line); PowerShell's `Format-List` prints one
 * `Key : Value` line per field (powershell-list.ts); `netstat -b` and `ss -i`/`-m` put details
 * of a row on the lines after it.
 */
import { parseState } from '../../state/aliases.js';
import type { TcpState } from '../../state/states.js';
import { unknownService } from './endpoint.js';
import { parseLinuxNetstatRow } from './linux-netstat.js';
import { isHeaderLine, localizedState } from './localized.js';
import { parseMacosNetstatRow } from './macos-netstat.js';
import { parsePowershellRow } from './powershell.js';
import { powershellListBlocks } from './powershell-list.js';
import { type ParsedRow, tokens } from './row.js';
import { parseSsRow } from './ss.js';
import type { PastedLine, PastedParse, PastedSocketLine, PasteFormat, PasteNote } from './types.js';
import { parseWindowsNetstatRow, windowsExecutable } from './windows-netstat.js';

/** Longer lines are no table row; they are passed through without being parsed. */
const MAX_ROW_LENGTH = 4096;

function parseRow(line: string): ParsedRow | undefined {
  if (line.length > MAX_ROW_LENGTH) return undefined;
  const t = tokens(line);
  if (t.length === 0) return undefined;
  // The first column says which tools can have printed the row; only those are tried.
  switch (t[0]) {
    case 'TCP':
      return parseWindowsNetstatRow(t);
    case 'tcp':
    case 'tcp6':
      return parseLinuxNetstatRow(t) ?? parseMacosNetstatRow(t) ?? parseSsRow(t, line);
    case 'tcp4':
    case 'tcp46':
      return parseMacosNetstatRow(t);
    default:
      return parseSsRow(t, line) ?? parsePowershellRow(t);
  }
}

/** `ss -tn state established` (a prompt may precede it): the filter's state, or its text. */
const SS_STATE_FILTER = /\bss\b[^|]*?\bstate\s+([A-Za-z0-9_-]+)/;
/** ss's header without a State column, printed when a `state` filter picks one state. */
const SS_NO_STATE_HEADER = /^\s*recv-q\s+send-q\s+local\s+address:port\b/i;

/** What to paste instead, by the row's first column. */
function hintFor(first: string): string {
  if (first === 'TCP') return 'paste `netstat -ano` output (numbers, not names)';
  if (first === 'tcp4' || first === 'tcp46') return 'paste `netstat -an -p tcp` output';
  if (first === 'tcp' || first === 'tcp6') return 'paste `netstat -tan` or `ss -tan` output';
  return 'paste `ss -tan` output';
}

/** Why a row-like line was not read, or undefined when it does not look like a socket row. */
function unreadRow(line: string): { reason: string; hint: string } | undefined {
  if (line.length > MAX_ROW_LENGTH) return undefined;
  const t = tokens(line);
  const first = t[0] ?? '';
  const rowLike =
    (['TCP', 'tcp', 'tcp6', 'tcp4', 'tcp46'].includes(first) && t.length >= 4) ||
    (t.length >= 4 && t.filter((x) => /\S:\S/.test(x)).length >= 2 && /^\d+$/.test(t[1] ?? ''));
  if (!rowLike) return undefined;
  const service = t
    .filter((x) => x.includes(':'))
    .map((x) => x.slice(x.lastIndexOf(':') + 1))
    .find(unknownService);
  const reason = service
    ? `"${service}" is a service name whose port number tcpstate does not know`
    : 'not a socket row of any format tcpstate reads (a broken address, port or state?)';
  return { reason, hint: hintFor(first) };
}

/**
 * An indented line under a Windows or ss row that is no row itself: that row's details
 * (`netstat -b`'s service, `[program.exe]` or "cannot obtain ownership" line in whatever
 * language; `ss -i`/`-m`'s tab-indented `skmem:(…) cubic rtt:…`).
 */
function isDetailLine(format: PasteFormat, raw: string): boolean {
  if (!/^\s/.test(raw) || isHeaderLine(raw)) return false;
  const t = tokens(raw);
  if (format === 'windows-netstat') {
    return !/^(TCP|UDP)$/i.test(t[0] ?? '') && !t.some((x) => /\S:(\d+|\*)$/.test(x));
  }
  if (format === 'ss') {
    return (
      !/^(tcp|udp|raw|mptcp|sctp|u_|nl|p_|v_|xdp)/i.test(t[0] ?? '') && !localizedState(t[0] ?? '')
    );
  }
  return false;
}

export function parsePasted(text: string): PastedParse {
  const raws = text.split(/\r\n|\r|\n/);
  const lines: PastedLine[] = [];
  const formats: PasteFormat[] = [];
  const notes: PasteNote[] = [];
  const list = powershellListBlocks(raws);
  let previous: PastedSocketLine | undefined;
  /** After ss's header without State: the state of the `state` filter, or its unknown text. */
  let noStateColumn: { state?: TcpState; filter?: string } | undefined;
  let ssFilter: { state?: TcpState; filter?: string } | undefined;

  const addSocket = (lineNo: number, raw: string, row: ParsedRow): void => {
    const line: PastedSocketLine = { kind: 'socket', lineNo, text: raw, ...row };
    lines.push(line);
    if (!formats.includes(row.format)) formats.push(row.format);
    previous = line;
  };
  raws.forEach((raw, index) => {
    const lineNo = index + 1;
    const fromList = list.rows.get(index);
    if (fromList) {
      addSocket(lineNo, raw, fromList);
      return;
    }
    if (list.details.has(index)) {
      lines.push({ kind: 'detail', lineNo, text: raw });
      return;
    }
    const filter = SS_STATE_FILTER.exec(raw);
    if (filter) {
      const state = parseState(filter[1]);
      ssFilter = state ? { state, filter: filter[1] } : { filter: filter[1] };
    }
    if (SS_NO_STATE_HEADER.test(raw)) noStateColumn = ssFilter ?? {};
    let row = parseRow(raw);
    if (!row && noStateColumn) {
      const t = tokens(raw);
      if (noStateColumn.state && t.length >= 4) {
        row = parseSsRow([noStateColumn.state, ...t], raw);
        if (row) row.stateText = noStateColumn.filter ?? noStateColumn.state;
      } else if (t.length >= 4 && parseSsRow(['ESTAB', ...t], raw)) {
        lines.push({ kind: 'other', lineNo, text: raw });
        notes.push({
          lineNo,
          text: raw,
          reason: noStateColumn.filter
            ? `ss printed no State column: its filter "state ${noStateColumn.filter}" is a group of states`
            : 'ss printed no State column (a `state` filter), and the pasted text does not say which',
          hint: 'paste the `ss … state NAME` command line with it, or `ss -tan` output',
        });
        return;
      }
    }
    if (row) {
      addSocket(lineNo, raw, row);
      return;
    }
    if (raw.trim() === '') {
      previous = undefined;
      lines.push({ kind: 'other', lineNo, text: raw });
      return;
    }
    if (previous && isDetailLine(previous.format, raw)) {
      const exe = previous.format === 'windows-netstat' ? windowsExecutable(raw) : undefined;
      if (exe && previous.socket.process === undefined) previous.socket.process = exe;
      lines.push({ kind: 'detail', lineNo, text: raw });
      return;
    }
    lines.push({ kind: isHeaderLine(raw) ? 'header' : 'other', lineNo, text: raw });
    const unread = unreadRow(raw);
    if (unread) notes.push({ lineNo, text: raw, ...unread });
  });
  // A trailing newline is not a line of its own.
  const last = lines[lines.length - 1];
  if (last && last.kind === 'other' && last.text === '' && /[\r\n]$/.test(text)) lines.pop();
  const sockets = lines.flatMap((l) => (l.kind === 'socket' ? [l.socket] : []));
  return { lines, sockets, formats, notes };
}
