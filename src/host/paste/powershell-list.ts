/**
 * PowerShell `Get-NetTCPConnection | Format-List`: one block per connection, one field a line,
 * blocks apart by blank lines:
 *   `LocalAddress   : 192.168.1.20`
 *   `LocalPort      : 49823`  … `State          : Established` … `OwningProcess  : 7720`
 * A block with the five fields of a connection becomes one row, put on its State line; its other
 * lines are details of that row.
 */
import { parsePowershellRow } from './powershell.js';
import type { ParsedRow } from './row.js';

const FIELD = /^\s*([A-Za-z]+)\s*:\s?(.*?)\s*$/;
const NEEDED = ['LocalAddress', 'LocalPort', 'RemoteAddress', 'RemotePort', 'State'] as const;

export interface ListBlocks {
  /** Line index (0-based) of each block's State line -> its row. */
  rows: Map<number, ParsedRow>;
  /** Every other line of those blocks. */
  details: Set<number>;
}

export function powershellListBlocks(lines: readonly string[]): ListBlocks {
  const out: ListBlocks = { rows: new Map(), details: new Set() };
  let block: { index: number; key: string; value: string }[] = [];
  const close = (): void => {
    const get = (key: string) => block.find((f) => f.key === key);
    const state = get('State');
    if (state && NEEDED.every((k) => get(k) !== undefined)) {
      const pid = get('OwningProcess')?.value;
      const row = parsePowershellRow([
        ...NEEDED.map((k) => get(k)?.value ?? ''),
        ...(pid ? [pid] : []),
      ]);
      if (row) {
        out.rows.set(state.index, row);
        for (const f of block) if (f !== state) out.details.add(f.index);
      }
    }
    block = [];
  };
  lines.forEach((line, index) => {
    const m = FIELD.exec(line);
    // A key seen again starts the next block even without a blank line between.
    if (!m || block.some((f) => f.key === m[1])) close();
    if (m) block.push({ index, key: m[1], value: m[2] });
  });
  close();
  return out;
}
