/**
 * `tcpstate pcap FILE`: a tcpdump or Wireshark capture (pcap or pcapng; `-` reads stdin) told
 * as each connection's story: both endpoints' RFC 9293 states over time, with causes, the
 * time in each state, findings in operators' words and Zeek's conn_state and history. Many
 * connections give a summary table; one (or `--conn N`) gives its sequence diagram in the
 * renderers of `tcpstate sim`.
 */
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { duration } from '../../capture/findings.js';
import {
  Analysis,
  type AnalysisOptions,
  type CaptureResult,
  type ConnectionId,
  type ConnectionReport,
  type ConnectionRow,
  captureHeadline,
  problemText,
} from '../../capture/index.js';
import { reportStory, storyTitle } from '../../capture/story.js';
import { reportText } from '../../capture/text.js';
import { renderMermaid } from '../../render/mermaid.js';
import { renderSvg } from '../../render/sequence-svg.js';
import { renderTextDiagram } from '../../render/sequence-text.js';
import { renderTable } from '../../render/table.js';
import { colors } from '../../render/table-style.js';
import { isoTime } from '../../util/iso-time.js';
import { CliError } from '../errors.js';
import { terminalWidth, useColor, writeOut } from '../terminal.js';
import { parseNumber } from './sim.js';

const FORMATS = ['text', 'json', 'mermaid', 'svg'] as const;
type Format = (typeof FORMATS)[number];

interface PcapOptions {
  format?: string;
  json?: boolean;
  conn?: string;
  port?: string;
  host?: string;
  out?: string;
  absolute?: boolean;
  maxSegments?: string;
  color: boolean;
}

export function register(program: Command): void {
  program
    .command('pcap')
    .description(
      'read a tcpdump or Wireshark capture (pcap, pcapng) and tell each TCP connection’s story: both endpoints’ states over time, findings, Zeek’s conn_state',
    )
    .argument('<file>', 'a .pcap or .pcapng file, or - for stdin')
    .option('--format <format>', `output: ${FORMATS.join(', ')} (default text)`)
    .option('--json', 'the same as --format json')
    .option('--conn <n>', 'only connection N (the summary table numbers them)')
    .option('--port <port>', 'only connections with this port on either side')
    .option('--host <addr>', 'only connections with this address on either side')
    .option(
      '--max-segments <n>',
      'segments kept per connection for diagrams and JSON (default 10000)',
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--absolute', 'raw sequence numbers instead of relative to each side’s ISN')
    .option('--no-color', 'no colours')
    .action(async (file: string, options: PcapOptions) => {
      const format = parseFormat(options.json ? 'json' : options.format);
      const { filter, conn } = parseFilter(options);
      const keepSegments =
        parseNumber('--max-segments', options.maxSegments, 0, 10_000_000, true) ?? 10_000;
      const filtered =
        options.conn !== undefined || options.port !== undefined || options.host !== undefined;
      // Segments only where a diagram or JSON may show them: JSON shows every connection's, a
      // filter picks connections, and a capture of one connection gets its diagram.
      const segmentsFor =
        format === 'json' ? undefined : filtered ? filter : (c: ConnectionId) => c.id === 1;
      const result = await readCapture(file, { keepSegments, segmentsFor });
      const selected = pick(result, filtered, filter, conn, format);
      const toFile = options.out !== undefined;
      const body = render(result, selected, format, {
        absolute: options.absolute ?? false,
        color: options.color && !toFile && useColor(),
        width: toFile ? 100 : Math.min(terminalWidth(), 140),
        filtered,
      });
      if (toFile) {
        const { writeFileSync } = await import('node:fs');
        try {
          writeFileSync(options.out as string, body);
        } catch (err) {
          throw new CliError(
            `cannot write ${options.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          );
        }
      } else {
        writeOut(body);
      }
      if (result.problem) {
        // Everything before the problem was reported above; the exit code says the file is damaged.
        process.stderr.write(
          `tcpstate: ${file}: ${problemText(result.problem)} (the ${result.counts.frames} frames before it are reported)\n`,
        );
        process.exitCode = 1;
      }
    });
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new CliError(`unknown format '${value}'; use ${FORMATS.join(', ')}`);
}

function parseFilter(o: PcapOptions): {
  filter: (c: ConnectionId) => boolean;
  conn: number | undefined;
} {
  const conn = parseNumber('--conn', o.conn, 1, Number.MAX_SAFE_INTEGER, true);
  const port = parseNumber('--port', o.port, 0, 65535, true);
  const host = o.host
    ?.trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (host === '') throw new CliError('--host needs an address');
  const filter = (c: ConnectionId) => {
    if (conn !== undefined && c.id !== conn) return false;
    const ends = [c.a, c.b].map(splitEndpoint);
    if (port !== undefined && !ends.some((e) => e.port === port)) return false;
    if (host !== undefined && !ends.some((e) => e.address === host)) return false;
    return true;
  };
  return { filter, conn };
}

/**
 * The connections to show: their reports where one connection's story or the JSON is asked
 * for, else the summary table's rows (a big capture's reports are never made for a table).
 */
function pick(
  result: CaptureResult,
  filtered: boolean,
  filter: (c: ConnectionId) => boolean,
  conn: number | undefined,
  format: Format,
): ConnectionReport[] | ConnectionRow[] {
  if (conn !== undefined) {
    const one = result.report(conn);
    return one && filter(one) ? [one] : [];
  }
  if (format === 'json') return filtered ? result.connections.filter(filter) : result.connections;
  const rows = filtered ? result.rows.filter(filter) : result.rows;
  if (rows.length !== 1) return rows;
  const one = result.report(rows[0].id);
  return one ? [one] : [];
}

function splitEndpoint(text: string): { address: string; port: number } {
  const i = text.lastIndexOf(':');
  return { address: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)) };
}

/** A file is read in chunks of this size (the reader copies what it keeps of one). */
const CHUNK = 4 << 20;

async function readCapture(file: string, options: AnalysisOptions): Promise<CaptureResult> {
  const analysis = new Analysis(file === '-' ? 'stdin' : file, options);
  try {
    if (file === '-') {
      for await (const chunk of process.stdin) {
        if (!analysis.push(chunk as Uint8Array)) break;
      }
    } else {
      const fh = await open(file, 'r');
      try {
        // Two buffers: the next chunk is read (in libuv's pool) while this one is analysed.
        const bufs = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
        let position = 0;
        let turn = 0;
        let next = fh.read(bufs[turn], 0, CHUNK, position);
        for (;;) {
          const { bytesRead } = await next;
          if (bytesRead === 0) break;
          const buf = bufs[turn];
          position += bytesRead;
          turn ^= 1;
          next = fh.read(bufs[turn], 0, CHUNK, position);
          if (!analysis.push(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead))) {
            await next;
            break;
          }
        }
      } finally {
        await fh.close();
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? String(err));
    throw new CliError(`cannot read ${file}: ${why}`);
  }
  return analysis.end();
}

interface RenderOptions {
  absolute: boolean;
  color: boolean;
  width: number;
  filtered: boolean;
}

export function render(
  result: CaptureResult,
  selected: ConnectionReport[] | ConnectionRow[],
  format: Format,
  opts: RenderOptions,
): string {
  if (format === 'json') {
    const out: Record<string, unknown> = {
      source: result.source,
      format: result.format ?? null,
      counts: result.counts,
      connections: reports(selected).map((c) => ({
        id: c.id,
        a: c.a,
        b: c.b,
        events: c.events,
        final: c.final,
        summary: c.summary,
      })),
    };
    if (result.problem) out.problem = result.problem;
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  if (format === 'mermaid' || format === 'svg') {
    const one = single(result, selected, format);
    const story = reportStory(one);
    if (format === 'mermaid') return renderMermaid(story, { absolute: opts.absolute });
    return renderSvg(story, { absolute: opts.absolute })
      .replace(
        `tcpstate sim ${story.scenario} (seed 0)`,
        `tcpstate pcap ${escapeXml(result.source)}, ${story.scenario}`,
      )
      .replace(`tcpstate sim ${story.scenario}`, story.scenario)
      .replace('seed 0 · ', `${isoTime(one.summary.start)} · `);
  }
  const c = colors(opts.color);
  const head = captureHeadline(result);
  if (selected.length === 0) {
    return `${head}\n${result.connectionCount === 0 ? 'no TCP connections in the capture' : 'no connection matches'}\n`;
  }
  if (selected.length > 1) {
    return `${head}\n\n${summaryTable(selected as ConnectionRow[], opts.width, c)}\n\none connection's diagram: tcpstate pcap ${result.source} --conn N\n`;
  }
  const [one] = reports(selected);
  const story = reportStory(one);
  const lines = renderTextDiagram(story, {
    absolute: opts.absolute,
    colors: c,
    width: opts.width,
  }).split('\n');
  lines[0] = c.bold(
    `${storyTitle(one)}  (${isoTime(one.summary.start)}, ${one.summary.packets} packets)`,
  );
  // The sim's diagram ends with the streams it compared; a capture has no such thing to say.
  const diagram = lines.join('\n').trimEnd();
  return `${head}\n\n${diagram}\n\n${reportText(one)}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `pick` gives reports wherever one connection or the JSON is shown. */
function reports(selected: ConnectionReport[] | ConnectionRow[]): ConnectionReport[] {
  return selected.filter((c): c is ConnectionReport => 'summary' in c);
}

function single(
  result: CaptureResult,
  selected: ConnectionReport[] | ConnectionRow[],
  format: string,
): ConnectionReport {
  if (selected.length === 1) return reports(selected)[0];
  if (selected.length === 0)
    throw new CliError(
      result.connectionCount === 0 ? 'no TCP connections in the capture' : 'no connection matches',
    );
  throw new CliError(
    `${selected.length} connections match and a ${format} diagram draws one: pick it with --conn N (tcpstate pcap ${result.source} lists them)`,
  );
}

function summaryTable(rows: ConnectionRow[], width: number, c: ReturnType<typeof colors>): string {
  return renderTable(
    rows,
    [
      { header: '#', value: (r) => String(r.id), align: 'right' },
      { header: 'a (opened)', value: (r) => r.a, overflow: 'truncate-middle' },
      { header: 'b', value: (r) => r.b, overflow: 'truncate-middle' },
      { header: 'pkts', value: (r) => String(r.packets), align: 'right' },
      {
        header: 'duration',
        value: (r) => duration(r.end - r.start),
        align: 'right',
      },
      { header: 'a final', value: (r) => r.final.a },
      { header: 'b final', value: (r) => r.final.b },
      { header: 'zeek', value: (r) => r.zeek },
      {
        header: 'findings',
        value: (r) => findingCodes(r),
        overflow: 'wrap',
        shrink: 1,
        minWidth: 24,
      },
    ],
    { width, headerStyle: (t) => c.bold(t) },
  ).join('\n');
}

/** The findings as short codes: the table's last column (the report of one spells them out). */
function findingCodes(r: ConnectionRow): string {
  const codes = r.findings
    .filter((f) => f.code !== 'capture-point')
    .map((f) => (f.side ? `${f.side}:${f.code}` : f.code));
  return codes.length === 0 ? '-' : codes.join(', ');
}
