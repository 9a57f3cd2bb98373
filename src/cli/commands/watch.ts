import type { Command } from 'commander';
import { HostError } from '../../host/errors.js';
import { FilterError, parsePid, parsePort, parseStateFilter } from '../../host/filters.js';
import {
  DEFAULT_POLL_INTERVAL_MS,
  startWatch,
  TraceUnavailableError,
  type WatchSession,
} from '../../host/kernel/watch.js';
import { formatDuration } from '../../host/view.js';
import type { WatchFilter } from '../../host/watch-filter.js';
import type { WatchEvent, WatchSource } from '../../host/watch-tracker.js';
import { formatLifetime, lifetimeJson, watchEventJson } from '../../host/watch-view.js';
import { colors } from '../../render/table-style.js';
import { words } from '../../state/words.js';
import { CliError } from '../errors.js';
import { useColor, writeOut } from '../terminal.js';
import { chooseLang } from './summary.js';

interface WatchOptions {
  state: string[];
  port: string[];
  pid: string[];
  process?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  json?: boolean;
  duration?: string;
  interval?: string;
  source: string;
  summary: boolean;
  raw?: boolean;
  color: boolean;
  netns?: string;
  lang?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('watch')
    .description(
      'show the kernel’s TCP state changes live (tracefs as root, else polling /proc), then each connection’s lifetime',
    )
    .option(
      '-s, --state <name>',
      'only changes from or to this state (or group); repeatable',
      collect,
      [],
    )
    .option(
      '-p, --port <n>',
      'only sockets with this local or remote port; repeatable',
      collect,
      [],
    )
    .option(
      '--pid <n>',
      'only changes made while this pid ran (see the note on TASK); repeatable',
      collect,
      [],
    )
    .option('--process <name>', 'only changes whose task/process name contains this')
    .option('-4, --ipv4', 'only IPv4 sockets')
    .option('-6, --ipv6', 'only IPv6 sockets')
    .option('--json', 'one JSON object per line: each change, then a final summary object')
    .option('-d, --duration <seconds>', 'stop by itself after this many seconds')
    .option(
      '--interval <ms>',
      `polling interval when tracefs cannot be used (default ${DEFAULT_POLL_INTERVAL_MS})`,
    )
    .option('--source <how>', 'auto, tracefs or poll', 'auto')
    .option('--no-summary', 'no lifetime summary at the end')
    .option(
      '--raw',
      'print the kernel’s events as they are: no /proc lookup turning "FIN_WAIT2 -> CLOSED" into "-> TIME_WAIT"',
    )
    .option(
      '--netns <name|pid>',
      'watch another network namespace (a name from `ip netns`, or a pid living in it); default: the one tcpstate runs in',
    )
    .option('--no-color', 'no colours')
    .option('--lang <lang>', 'language of the text: en or pt (default: from LC_ALL/LANG)')
    .action(async (options: WatchOptions) => {
      await runWatch(options);
    });
}

function positiveNumber(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || n <= 0 || n > max) {
    throw new CliError(`${what} must be a number above 0 (at most ${max}), not "${text}"`);
  }
  return n;
}

function buildFilter(options: WatchOptions): WatchFilter {
  if (options.ipv4 && options.ipv6)
    throw new CliError('-4 and -6 together match nothing; pick one');
  try {
    return {
      ...(options.state.length > 0 ? { states: parseStateFilter(options.state) } : {}),
      ...(options.port.length > 0 ? { ports: options.port.map(parsePort) } : {}),
      ...(options.pid.length > 0 ? { pids: options.pid.map(parsePid) } : {}),
      ...(options.process !== undefined ? { process: options.process } : {}),
      ...(options.ipv4 ? { family: 4 as const } : options.ipv6 ? { family: 6 as const } : {}),
    };
  } catch (err) {
    if (err instanceof FilterError) throw new CliError(err.message);
    throw err;
  }
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Local wall-clock time of an epoch ms, to the millisecond (watch's and top's TIME column). */
export function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

async function runWatch(options: WatchOptions): Promise<void> {
  const filter = buildFilter(options);
  if (!['auto', 'tracefs', 'poll'].includes(options.source)) {
    throw new CliError(`--source must be auto, tracefs or poll, not "${options.source}"`);
  }
  const durationS =
    options.duration !== undefined
      ? positiveNumber(options.duration, '--duration', 31_536_000)
      : undefined;
  const intervalMs =
    options.interval !== undefined
      ? positiveNumber(options.interval, '--interval', 3_600_000)
      : undefined;
  const c = colors(options.color && useColor());
  const w = words(chooseLang(options.lang));
  const note = (text: string): void => {
    process.stderr.write(`${c.dim(`note: ${text}`)}\n`);
  };
  let headerDone = false;
  let correctedNoted = false;
  const onEvent = (event: WatchEvent, source: WatchSource): void => {
    if (options.json) {
      writeOut(`${JSON.stringify(watchEventJson(event, source))}\n`);
      return;
    }
    if (!headerDone) {
      headerDone = true;
      const who = source === 'tracefs' ? w.colTask : w.colProcess;
      writeOut(
        `${c.bold(`${w.colTime.padEnd(14)}${who.padEnd(21)}${w.colLocal.padEnd(23)}${w.colRemote.padEnd(23)}${w.colChange.padEnd(27)}${w.colInOldState}`)}\n`,
      );
    }
    const who = event.pid !== undefined ? `${event.pid}/${event.process ?? '?'}` : '-';
    const { local, remote } = event.connection;
    let change: string;
    let ms = '';
    if (event.kind === 'seen') {
      change = `${w.newSocket} -> ${event.state}`;
    } else {
      change = `${event.from} -> ${event.to}${event.reported ? '*' : ''}`;
      if (event.reported && !correctedNoted) {
        correctedNoted = true;
        note(
          `* the kernel reported ${event.reported}; /proc/net/tcp shows the connection's time-wait socket in ${event.to} (--raw shows the kernel's own words)`,
        );
      }
      if (event.ms !== null) ms = formatDuration(event.ms);
    }
    writeOut(
      `${clock(event.time)}  ${who.padEnd(20)} ${endpoint(local).padEnd(22)} ${endpoint(remote).padEnd(22)} ${change.padEnd(26)} ${ms}\n`,
    );
  };

  let session: WatchSession;
  try {
    session = await startWatch({
      source: options.source as 'auto' | WatchSource,
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      filter,
      onEvent,
      onNote: note,
      checkTimeWait: !options.raw,
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
    });
  } catch (err) {
    if (err instanceof TraceUnavailableError || err instanceof HostError) {
      throw new CliError(err.message);
    }
    throw err;
  }
  note(
    session.source === 'tracefs'
      ? `watching kernel TCP state changes in ${session.netns} through tracefs (instance ${session.instanceDir}); stop with Ctrl-C`
      : `watching ${session.netns} by polling /proc/net/tcp; stop with Ctrl-C`,
  );
  if (!options.json && session.source === 'tracefs') {
    note(
      'TASK is the task running when the kernel changed the state: the caller of connect()/close(), or, for changes on packet arrival, whatever ran on that CPU (often swapper/N).',
    );
  }

  await new Promise<void>((resolve) => {
    const finish = (): void => resolve();
    // The reader (a child process or an interval) keeps the process alive until one of these.
    if (durationS !== undefined) setTimeout(finish, durationS * 1000);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    process.once('SIGHUP', finish);
  });
  await session.stop();

  const lifetimes = session.tracker.lifetimes();
  const forgotten = session.tracker.forgottenLifetimes;
  const undecided = session.undecided;
  if (undecided > 0) {
    note(
      `${undecided} connection${undecided === 1 ? '' : 's'} ended before watch could tell ${undecided === 1 ? 'its' : 'their'} network namespace (softirq-only changes, process gone) and ${undecided === 1 ? 'is' : 'are'} left out`,
    );
  }
  if (options.json) {
    writeOut(
      `${JSON.stringify({ type: 'summary', connections: lifetimes.map(lifetimeJson), notListed: forgotten, undecided })}\n`,
    );
  } else if (options.summary) {
    writeOut(`\n${c.bold(w.connectionsSeen(lifetimes.length + forgotten))}\n`);
    if (forgotten > 0) writeOut(`  ${c.dim(w.notListed(forgotten))}\n`);
    for (const l of lifetimes) writeOut(`  ${formatLifetime(l, w)}\n`);
  }
}
