import { type Command, Option } from 'commander';
import {
  buildSocketFilter,
  FilterError,
  filterSockets,
  matches,
  type SocketFilter,
  sortSockets,
} from '../../host/filters.js';
import type { HostSocket } from '../../host/types.js';
import {
  formatLocal,
  formatOwner,
  formatRemote,
  formatSendQ,
  formatTimer,
  socketJsonText,
} from '../../host/view.js';
import { stateStyle } from '../../render/state-style.js';
import { type Column, renderTable, wrap } from '../../render/table.js';
import { type Colors, colors } from '../../render/table-style.js';
import { type Lang, shortMeaning } from '../../state/meanings.js';
import { words } from '../../state/words.js';
import { CliError } from '../errors.js';
import { tableWidth, useColor, writeOut } from '../terminal.js';
import { chooseLang, printNotes, snapshotForCli } from './summary.js';

interface LsOptions {
  state: string[];
  port: string[];
  pid: string[];
  process?: string;
  listening?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  json?: boolean;
  explain?: boolean;
  netns?: string;
  color: boolean;
  source: 'auto' | 'netlink' | 'proc';
  lang?: string;
  info?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('ls')
    .description('list this machine’s TCP sockets: state, addresses, queues, timer, process')
    .option(
      '-s, --state <name>',
      'only this state (any spelling: time-wait, TIME_WAIT, ESTAB…) or group: connected, synchronized, bucket, big, all; repeatable',
      collect,
      [],
    )
    .option('--port <n>', 'only sockets with this local or remote port; repeatable', collect, [])
    .option('--pid <n>', 'only sockets of this process; repeatable', collect, [])
    .option('--process <name>', 'only sockets of processes whose name contains this')
    .option('-l, --listening', 'only listening sockets')
    .option('-4, --ipv4', 'only IPv4 sockets')
    .option('-6, --ipv6', 'only IPv6 sockets')
    .option('--json', 'machine-readable output: one JSON array')
    .option('-e, --explain', 'add what each state means')
    .option(
      '-i, --info',
      'tcp_info as `ss -ti` shows it: rtt/rttvar, cwnd, ssthresh, retransmits, unacked, bytes acked/received, delivery rate, pmtu, congestion algorithm (netlink)',
    )
    .option(
      '--netns <name|pid>',
      'look into another network namespace (a name in /run/netns, or a pid)',
    )
    .option('--source <how>', 'where to read sockets: auto, netlink, proc', 'auto')
    .option('--no-color', 'no colours')
    .option('--lang <lang>', 'language of the text: en or pt (default: from LC_ALL/LANG)')
    // ss/netstat habits (`ls -tanp`): TCP only, all states, numeric, with processes is what ls
    // always does, so these are accepted and change nothing.
    .addOption(new Option('-t, --tcp').hideHelp())
    .addOption(new Option('-a, --all').hideHelp())
    .addOption(new Option('-n, --numeric').hideHelp())
    .addOption(new Option('-p, --processes').hideHelp())
    .action(async (options: LsOptions) => {
      const filter = buildFilter(options);
      const lang = chooseLang(options.lang);
      // Filters that need no process are applied before the (costly) owner lookup.
      const { pids, process: name, ...early } = filter;
      const snapshot = await snapshotForCli({
        netns: options.netns,
        source: options.source,
        kernelInfo: false,
        ...(options.info ? { tcpInfo: true } : {}),
        ...(Object.keys(early).length > 0 ? { keep: (s: HostSocket) => matches(s, early) } : {}),
      });
      const rows = sortSockets(filterSockets(snapshot.sockets, filter));
      if (options.json) {
        writeOut(jsonLines(rows));
      } else {
        const c = colors(options.color && useColor());
        writeOut(
          `${renderSockets(rows, c, tableWidth(), options.explain ?? false, lang, options.info ?? false).join('\n')}\n`,
        );
        if (rows.length === 0) writeOut(`${c.dim(words(lang).noSocketsMatch)}\n`);
      }
      if (options.info && snapshot.source !== 'netlink') {
        snapshot.notes.push(
          'tcp_info comes from netlink sock_diag, which could not be used here: no INFO columns',
        );
      }
      printNotes(snapshot.notes);
    });
}

/**
 * One JSON array, one socket per line: valid JSON for machines, greppable for people, and several
 * times faster to produce and parse than indented JSON on 100k sockets.
 */
export function jsonLines(rows: readonly HostSocket[]): string {
  if (rows.length === 0) return '[]\n';
  return `[\n${rows.map(socketJsonText).join(',\n')}\n]\n`;
}

function buildFilter(options: LsOptions): SocketFilter {
  if (!['auto', 'netlink', 'proc'].includes(options.source)) {
    throw new CliError(`--source must be auto, netlink or proc, not "${options.source}"`);
  }
  try {
    return buildSocketFilter({
      ...options,
      state: [...options.state, ...(options.listening ? ['listen'] : [])],
    });
  } catch (err) {
    if (err instanceof FilterError) throw new CliError(err.message);
    throw err;
  }
}

/** Below this width the meaning goes on its own line under each row instead of a column. */
const MEANING_COLUMN_MIN_WIDTH = 140;

export function renderSockets(
  rows: readonly HostSocket[],
  c: Colors,
  width: number,
  explain: boolean,
  lang: Lang = 'en',
  info = false,
): string[] {
  const inColumn = explain && width >= MEANING_COLUMN_MIN_WIDTH;
  const columns = [...socketColumns(c, inColumn, lang), ...(info ? infoColumns(lang) : [])];
  const lines = renderTable(rows, columns, { width, headerStyle: c.bold });
  if (!explain || inColumn) return lines;
  // No column wraps in this table, so line i + 1 is row i.
  const out = [lines[0]];
  rows.forEach((row, i) => {
    out.push(lines[i + 1]);
    wrap(shortMeaning(row.state, lang), width - 4).forEach((part, k) => {
      out.push(c.dim(`${k === 0 ? '  ↳ ' : '    '}${part}`));
    });
  });
  return out;
}

/** Bits per second as ss prints rates: 61.6Mbps, 226Kbps, 800bps. */
export function formatRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(1)}Gbps`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)}Mbps`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(1)}Kbps`;
  return `${Math.round(bits)}bps`;
}

/** The `ls --info` columns, after the usual ones; `-` where the kernel gave no tcp_info. */
export function infoColumns(lang: Lang = 'en'): Column<HostSocket>[] {
  const w = words(lang);
  const of =
    (f: (i: NonNullable<HostSocket['info']>) => string) =>
    (s: HostSocket): string =>
      s.info ? f(s.info) : '-';
  const ms = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, ''));
  return [
    { header: 'RTT/VAR ms', value: of((i) => `${ms(i.rttMs)}/${ms(i.rttVarMs)}`), align: 'right' },
    { header: 'CWND', value: of((i) => String(i.cwnd)), align: 'right' },
    {
      header: 'SSTHRESH',
      value: of((i) => (i.ssthresh === null ? '-' : String(i.ssthresh))),
      align: 'right',
    },
    { header: 'RETRANS', value: of((i) => `${i.retrans}/${i.totalRetrans}`), align: 'right' },
    { header: 'UNACKED', value: of((i) => String(i.unacked)), align: 'right' },
    { header: 'ACKED', value: of((i) => String(i.bytesAcked)), align: 'right' },
    { header: w.colReceived, value: of((i) => String(i.bytesReceived)), align: 'right' },
    { header: w.colDelivery, value: of((i) => formatRate(i.deliveryRate)), align: 'right' },
    { header: 'PMTU', value: of((i) => String(i.pmtu)), align: 'right' },
    { header: 'CC', value: of((i) => i.congestion ?? '-') },
  ];
}

export function socketColumns(
  c: Colors,
  meaningColumn: boolean,
  lang: Lang = 'en',
): Column<HostSocket>[] {
  const w = words(lang);
  // Shrinking order when narrow: the timer first, then the process, addresses last.
  const columns: Column<HostSocket>[] = [
    {
      header: w.colState,
      value: (s) => s.state,
      style: (t, s) => stateStyle(c, s.state)(t),
      minWidth: 11,
    },
    { header: 'RECV-Q', value: (s) => String(s.recvQ), align: 'right' },
    { header: 'SEND-Q', value: formatSendQ, align: 'right' },
    {
      header: w.colLocal,
      value: formatLocal,
      shrink: 1,
      minWidth: 15,
      overflow: 'truncate-middle',
    },
    {
      header: w.colRemote,
      value: formatRemote,
      shrink: 1,
      minWidth: 15,
      overflow: 'truncate-middle',
    },
    { header: w.colTimer, value: (s) => formatTimer(s.timer, lang), shrink: 4, minWidth: 5 },
    { header: w.colProcess, value: formatOwner, shrink: 2, minWidth: 8 },
  ];
  if (meaningColumn) {
    columns.push({
      header: w.colMeaning,
      value: (s) => shortMeaning(s.state, lang),
      shrink: 6,
      minWidth: 20,
      overflow: 'wrap',
      style: (t) => c.dim(t),
    });
  }
  return columns;
}
