/**
 * A small column fitter for terminal tables: each column takes its natural width, and when the
 * row is wider than the terminal, the columns that may shrink give up width (by weight, never
 * below their minimum), then truncate with "…" or wrap onto more lines. Styling (colour) is
 * applied after fitting, so widths are always counted on plain text.
 *
 * Why not cli-table3: it draws boxes and needs fixed column widths; fitting to the terminal is
 * the part needed here, and it is small.
 *
 * Layer render/: tables, sequence diagrams, the state diagram, Mermaid, pcap, JSON. May import:
 * every pure layer (scenario/, drill/, capture/, host/'s analysis, link/sim/, stack/, tcp/, wire/,
 * state/, util/). Must not: import host/kernel/, net/, link/tun/ or the user interfaces, or touch
 * the process: terminal width and colour come in as arguments (cli/terminal.ts finds them).
 */

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
  /** Relative share of the shrinking when too wide; 0 (default) never shrinks. */
  shrink?: number;
  /** The narrowest this column may get (default: the header's width, at most 8). */
  minWidth?: number;
  /** What to do with text wider than the column: cut it ("…") or wrap it on words. */
  overflow?: 'truncate' | 'truncate-middle' | 'wrap';
  /** Styles a cell's visible text (e.g. colour); must not change its width. */
  style?: (text: string, row: T) => string;
}

export interface TableOptions {
  /** Total width available (terminal columns). */
  width: number;
  /** Spaces between columns. */
  gap?: number;
  /** Styles the header line's text. */
  headerStyle?: (text: string) => string;
  /** Leading indentation of every line. */
  indent?: number;
}

/** Display width of plain text: code points (every character used here is one column wide). */
export function textWidth(text: string): number {
  // UTF-16 units less one for each surrogate pair (a table of thousands of rows asks often).
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const v = text.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function truncate(text: string, width: number, where: 'end' | 'middle' = 'end'): string {
  if (text.length <= width) return text;
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  if (where === 'middle') {
    const head = Math.ceil((width - 1) / 2);
    const tail = width - 1 - head;
    return `${chars.slice(0, head).join('')}…${tail > 0 ? chars.slice(-tail).join('') : ''}`;
  }
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** Splits text into lines of at most `width`, breaking at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (textWidth(rest) > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...rest];
      lines.push(chars.slice(0, width).join(''));
      rest = chars.slice(width).join('');
    }
    if (!line) line = rest;
    else if (textWidth(line) + 1 + textWidth(rest) <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  lines.push(line);
  return lines;
}

/** Column widths that fit `available`, shrinking the shrinkable columns by weight. */
export function fitWidths(
  natural: readonly number[],
  minimum: readonly number[],
  weights: readonly number[],
  available: number,
): number[] {
  const widths = [...natural];
  let excess = widths.reduce((a, b) => a + b, 0) - available;
  // Repeatedly share the excess among columns that can still give, by weight.
  while (excess > 0) {
    const giving = widths.map((_w, i) => i).filter((i) => weights[i] > 0 && widths[i] > minimum[i]);
    if (giving.length === 0) break;
    const totalWeight = giving.reduce((a, i) => a + weights[i], 0);
    let given = 0;
    for (const i of giving) {
      const share = Math.max(1, Math.floor((excess * weights[i]) / totalWeight));
      const take = Math.min(share, widths[i] - minimum[i], excess - given);
      widths[i] -= take;
      given += take;
      if (given >= excess) break;
    }
    if (given === 0) break;
    excess -= given;
  }
  return widths;
}

export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  options: TableOptions,
): string[] {
  const gap = options.gap ?? 2;
  const indent = ' '.repeat(options.indent ?? 0);
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const natural = columns.map((c, i) => {
    let w = textWidth(c.header);
    for (const r of cells) w = Math.max(w, textWidth(r[i]));
    return w;
  });
  const minimum = columns.map((c, i) =>
    Math.min(natural[i], c.minWidth ?? Math.min(textWidth(c.header), 8)),
  );
  const available = options.width - indent.length - gap * (columns.length - 1);
  const widths = fitWidths(
    natural,
    minimum,
    columns.map((c) => c.shrink ?? 0),
    available,
  );

  const pad = (text: string, i: number, styled: string): string => {
    const space = ' '.repeat(Math.max(0, widths[i] - textWidth(text)));
    return columns[i].align === 'right' ? space + styled : styled + space;
  };
  const joinLine = (parts: string[]): string => (indent + parts.join(' '.repeat(gap))).trimEnd();

  const headerStyle = options.headerStyle ?? ((t: string) => t);
  const lines = [
    joinLine(
      columns.map((c, i) =>
        pad(truncate(c.header, widths[i]), i, headerStyle(truncate(c.header, widths[i]))),
      ),
    ),
  ];
  rows.forEach((row, r) => {
    const parts = columns.map((c, i) => {
      const text = cells[r][i];
      if (c.overflow === 'wrap') return wrap(text, widths[i]);
      return [truncate(text, widths[i], c.overflow === 'truncate-middle' ? 'middle' : 'end')];
    });
    const height = Math.max(...parts.map((p) => p.length));
    for (let line = 0; line < height; line++) {
      lines.push(
        joinLine(
          columns.map((c, i) => {
            const text = parts[i][line] ?? '';
            return pad(text, i, text && c.style ? c.style(text, row) : text);
          }),
        ),
      );
    }
  });
  return lines;
}
