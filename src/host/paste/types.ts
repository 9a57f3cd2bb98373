/** What `parsePasted` makes of text copied from `netstat` or `ss` on any system. */
import type { HostSocket } from '../types.js';

/** The tools and systems whose socket tables are recognised. */
export type PasteFormat =
  | 'linux-netstat' // net-tools `netstat -tan` / `-tanp`
  | 'ss' // iproute2 `ss -tan` / `-tanp`
  | 'macos-netstat' // macOS and the BSDs: `netstat -an -p tcp`
  | 'windows-netstat' // `netstat -an` / `-ano`, in any display language
  | 'windows-powershell'; // PowerShell `Get-NetTCPConnection` as a table

/** A socket row: the line as pasted, and what it says. */
export interface PastedSocketLine {
  kind: 'socket';
  /** 1-based line number in the pasted text. */
  lineNo: number;
  text: string;
  format: PasteFormat;
  /** The state word exactly as printed ("ESTAB", "ABHÖREN", "À L'ÉCOUTE", …). */
  stateText: string;
  socket: HostSocket;
}

/**
 * Any other line, kept so the output can print everything back: a known column header or
 * title ("Active Connections", "Conexões ativas", "Proto Recv-Q …"), or anything else
 * (UDP rows, blank lines, prompts, garbage).
 */
export interface PastedOtherLine {
  /**
   * `detail`: a line that belongs to the socket row above it: Windows `netstat -b`'s service
   * and `[program.exe]` lines or its "cannot obtain ownership" line (in any language), `ss -i`
   * / `-m` continuation lines, the other fields of a PowerShell Format-List block.
   */
  kind: 'header' | 'other' | 'detail';
  lineNo: number;
  text: string;
}

/** A line that looks like a socket row but could not be read, with what to paste instead. */
export interface PasteNote {
  lineNo: number;
  text: string;
  /** What is wrong with it (a service name with no known number, no State column, …). */
  reason: string;
  /** What to paste instead. */
  hint: string;
}

export type PastedLine = PastedSocketLine | PastedOtherLine;

export interface PastedParse {
  lines: PastedLine[];
  /** The sockets of every recognised row, in order. */
  sockets: HostSocket[];
  /** The formats seen, in order of first appearance (a paste may mix several). */
  formats: PasteFormat[];
  /** Rows that could not be read, each named with a hint. */
  notes: PasteNote[];
}
