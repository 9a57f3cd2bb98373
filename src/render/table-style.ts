/**
 * The colours every table printer uses, on or off as the caller says (cli/terminal.ts decides
 * that from the terminal; render/ itself never looks at the process).
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
