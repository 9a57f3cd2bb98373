/**
 * Reads pasted `netstat`/`ss` text line by line. Each line is tried against every known row
 * format; a line none of them recognises is kept as it is (header or other), so nothing the
 * user pasted is lost and no input, however broken, makes this throw.
 */
import { parseLinuxNetstatRow } from './linux-netstat.js';
import { isHeaderLine } from './localized.js';
import { parseMacosNetstatRow } from './macos-netstat.js';
import { parsePowershellRow } from './powershell.js';
import { type ParsedRow, tokens } from './row.js';
import { parseSsRow } from './ss.js';
import type { PastedLine, PastedParse, PastedSocketLine, PasteFormat } from './types.js';
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

export function parsePasted(text: string): PastedParse {
  const lines: PastedLine[] = [];
  const formats: PasteFormat[] = [];
  let previous: PastedSocketLine | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const row = parseRow(raw);
    if (row) {
      const line: PastedSocketLine = { kind: 'socket', lineNo, text: raw, ...row };
      lines.push(line);
      if (!formats.includes(row.format)) formats.push(row.format);
      previous = line;
      return;
    }
    const exe = previous?.format === 'windows-netstat' ? windowsExecutable(raw) : undefined;
    if (exe && previous && previous.socket.process === undefined) previous.socket.process = exe;
    lines.push({ kind: isHeaderLine(raw) ? 'header' : 'other', lineNo, text: raw });
  });
  // A trailing newline is not a line of its own.
  const last = lines[lines.length - 1];
  if (last && last.kind === 'other' && last.text === '' && text.endsWith('\n')) lines.pop();
  const sockets = lines.flatMap((l) => (l.kind === 'socket' ? [l.socket] : []));
  return { lines, sockets, formats };
}
