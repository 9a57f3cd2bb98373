/**
 * `tcpstate top`: a full-screen view refreshed in place, like top(1): sockets per state, the
 * processes holding the most, and the newest transitions (from `watch`'s tracer, or polling).
 * On a terminal it takes the alternate screen and reads keys (q, Q, Esc or Ctrl-C quit) and
 * gives the screen back as it was; otherwise (a pipe, a file) it prints plain frames, one per
 * interval, `--iterations` of them (default 1), with no escape codes.
 */
import type { Command } from 'commander';
import { HostError } from '../../host/errors.js';
import type { Snapshot } from '../../host/kernel/snapshot.js';
import { startWatch, type WatchSession } from '../../host/kernel/watch.js';
import type { WatchEvent } from '../../host/watch-tracker.js';
import { colors } from '../../render/table-style.js';
import { renderTop } from '../../render/table-top.js';
import type { Lang } from '../../state/meanings.js';
import { words } from '../../state/words.js';
import { CliError } from '../errors.js';
import { useColor, writeOut } from '../terminal.js';
import { chooseLang, snapshotForCli } from './summary.js';
import { clock } from './watch.js';

interface TopOptions {
  netns?: string;
  interval: string;
  iterations?: string;
  color: boolean;
  lang?: string;
}

/** Transitions kept for the screen; a terminal taller than this shows them all. */
const RECENT = 200;

export function register(program: Command): void {
  program
    .command('top')
    .description(
      'a live full-screen view: sockets per state, the busiest processes, the newest transitions (q quits)',
    )
    .option(
      '--netns <name|pid>',
      'look into another network namespace (a name in /run/netns, or a pid)',
    )
    .option('-i, --interval <seconds>', 'time between refreshes', '1')
    .option(
      '-n, --iterations <n>',
      'stop after this many refreshes (default: until q on a terminal, 1 otherwise)',
    )
    .option('--no-color', 'no colours')
    .option('--lang <lang>', 'language of the text: en or pt (default: from LC_ALL/LANG)')
    .action(async (options: TopOptions) => {
      await runTop(options);
    });
}

function parseInterval(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || n < 0.1 || n > 3600) {
    throw new CliError(`--interval must be a number of seconds from 0.1 to 3600, not "${text}"`);
  }
  return n * 1000;
}

function parseIterations(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(text.trim())) {
    throw new CliError(`--iterations must be a whole number above 0, not "${text}"`);
  }
  return Number(text);
}

async function runTop(options: TopOptions): Promise<void> {
  const intervalMs = parseInterval(options.interval);
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const iterations = parseIterations(options.iterations) ?? (tty ? undefined : 1);
  const c = colors(options.color && useColor());
  const lang = chooseLang(options.lang);
  const recent: WatchEvent[] = [];
  const notes: string[] = [];
  let source = 'starting';
  let session: WatchSession | undefined;
  try {
    session = await startWatch({
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
      onEvent: (event) => {
        recent.push(event);
        if (recent.length > RECENT) recent.splice(0, recent.length - RECENT);
      },
      onNote: (note) => notes.push(note),
    });
    source = session.source;
  } catch (err) {
    if (err instanceof HostError && err.code === 'ENONETNS') throw new CliError(err.message);
    // No transitions (no tracefs, no /proc access): the counts still work.
    source = `none (${(err as Error).message})`;
  }
  let snapshot: Snapshot | undefined;
  const refresh = async (): Promise<void> => {
    snapshot = await snapshotForCli({
      kernelInfo: false,
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
    });
  };
  const frame = (): string[] => {
    const size = tty
      ? { width: process.stdout.columns ?? 80, height: process.stdout.rows ?? 24 }
      : // piped or redirected: never cut lines (as ss does not)
        { width: 10_000, height: 20 + Math.min(recent.length, 30) };
    return renderTop(
      {
        // the watch module's label for its own namespace is English: said in the language here
        netns: namespaceLabel(session?.netns ?? options.netns, lang),
        clock: clock(Date.now()),
        sockets: snapshot?.sockets ?? [],
        recent,
        recentClock: recent.map((e) => clock(e.time)),
        source,
        ...(notes.length > 0 ? { note: notes.at(-1) } : {}),
      },
      size,
      c,
      lang,
    );
  };

  try {
    if (!tty) {
      for (let i = 0; i < (iterations ?? 1); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
        await refresh();
        writeOut(`${i > 0 ? '\n' : ''}${frame().join('\n')}\n`);
      }
      return;
    }
    await runScreen(refresh, frame, intervalMs, iterations);
  } finally {
    await session?.stop();
  }
}

/** The terminal loop: alternate screen, hidden cursor, raw keys; everything undone at the end. */
async function runScreen(
  refresh: () => Promise<void>,
  frame: () => string[],
  intervalMs: number,
  iterations: number | undefined,
): Promise<void> {
  const out = process.stdout;
  const stdin = process.stdin;
  // Alternate screen + hidden cursor; each frame homes the cursor and clears to the end.
  const restore = (): void => {
    out.write('\x1b[?25h\x1b[?1049l');
  };
  out.write('\x1b[?1049h\x1b[?25l');
  process.once('exit', restore);
  stdin.setRawMode(true);
  stdin.resume();
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const onKey = (data: Buffer): void => {
    const key = data.toString('latin1');
    // q, Q, Esc alone, Ctrl-C (raw mode: no SIGINT), Ctrl-D
    if (key === 'q' || key === 'Q' || key === '\x1b' || key === '\x03' || key === '\x04') stop();
  };
  stdin.on('data', onKey);
  process.once('SIGTERM', () => stop());
  process.once('SIGHUP', () => stop());
  const draw = (): void => {
    out.write(`\x1b[H${frame().join('\x1b[K\n')}\x1b[K\x1b[J`);
  };
  out.on('resize', draw);
  try {
    let count = 0;
    for (;;) {
      await refresh();
      draw();
      count++;
      if (iterations !== undefined && count >= iterations) break;
      const quit = await Promise.race([
        stopped.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), intervalMs)),
      ]);
      if (quit) break;
    }
  } finally {
    out.off('resize', draw);
    stdin.off('data', onKey);
    stdin.setRawMode(false);
    stdin.pause();
    restore();
    process.removeListener('exit', restore);
  }
}

function namespaceLabel(label: string | undefined, lang: Lang): string {
  return label === undefined || label === 'this namespace' ? words(lang).thisNamespace : label;
}
