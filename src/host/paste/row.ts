/** What every format's row parser returns, and the helpers they share. */
import type { HostSocket } from '../types.js';
import type { PasteFormat } from './types.js';

export interface ParsedRow {
  format: PasteFormat;
  stateText: string;
  socket: HostSocket;
}

/** A non-negative integer column (queues, pids), or undefined. */
export function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined;
  return Number(text);
}

export function tokens(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
}
