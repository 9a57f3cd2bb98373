/**
 * Terminal facts every table printer needs: the width to fit, and whether to colour.
 * Colour follows picocolors' rules (off for NO_COLOR, for a non-TTY stdout, or with --no-color).
 * Here in cli/ because it reads the process; render/ takes the answers as arguments.
 */
import pc from 'picocolors';

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && pc.isColorSupported;
}

/** Terminal columns; 80 when not a terminal, unless COLUMNS says otherwise. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env >= 20 ? env : 80;
}

/**
 * The width a table may take: the terminal's; piped or redirected, COLUMNS if set, else no
 * limit, so that nothing is cut (as ss never cuts its output).
 */
export function tableWidth(stream: NodeJS.WriteStream = process.stdout): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env >= 20 ? env : 100_000;
}

let pipeGuard = false;

/**
 * Writes to stdout; when the reader goes away (`tcpstate ls | head`), stops quietly like other
 * Unix tools instead of dying on EPIPE with a stack trace.
 */
export function writeOut(text: string): void {
  if (!pipeGuard) {
    pipeGuard = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.stdout.write(text);
}
