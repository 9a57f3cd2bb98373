import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { renderMetrics } from '../../host/metrics.js';
import { CliError } from '../errors.js';
import { writeOut } from '../terminal.js';
import { printNotes, snapshotForCli } from './summary.js';

interface MetricsOptions {
  serve?: boolean;
  rules?: boolean;
  port: string;
  host: string;
  netns?: string;
  transitions: boolean;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The alerting rules shipped beside the metrics: prometheus/ at the package root (from src/cli/commands/ and dist/cli/commands/ alike). */
export const RULES_URL = new URL('../../../prometheus/tcpstate-rules.yml', import.meta.url);

function rulesText(): string {
  try {
    return readFileSync(RULES_URL, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read the rules file ${RULES_URL.pathname}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

async function scrape(
  netns: string | undefined,
  transitions?: ReadonlyMap<string, number>,
): Promise<{ text: string; notes: string[] }> {
  const started = process.hrtime.bigint();
  const snapshot = await snapshotForCli({ netns });
  const scrapeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    text: renderMetrics({
      sockets: snapshot.sockets,
      context: snapshot.context,
      scrapeSeconds,
      ...(transitions ? { transitions } : {}),
    }),
    notes: snapshot.notes,
  };
}

/**
 * Counts the kernel's state changes while serving, from the tracefs event (the watch module).
 * Only tracefs: polling /proc every 100 ms would cost a busy host more than the metrics are
 * worth. The tracepoint sees every namespace, so it is off with --netns.
 */
async function countTransitions(): Promise<
  { counts: Map<string, number>; stop: () => Promise<void> } | undefined
> {
  const { startWatch } = await import('../../host/kernel/watch.js');
  const counts = new Map<string, number>();
  try {
    const session = await startWatch({
      source: 'tracefs',
      onEvent: (event) => {
        if (event.kind !== 'transition') return;
        const key = `${event.from}>${event.to}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      },
    });
    return { counts, stop: () => session.stop() };
  } catch (err) {
    printNotes([
      `no transition counts: ${(err as Error).message} (tracefs needs root and a kernel with tracing)`,
    ]);
    return undefined;
  }
}

export function register(program: Command): void {
  program
    .command('metrics')
    .description(
      'Prometheus metrics: sockets per state, accept queues, doctor findings, kernel TCP counters (print once, or --serve)',
    )
    .option('--serve', 'serve them over HTTP at /metrics instead of printing once')
    .option(
      '--rules',
      'print the Prometheus alerting rules for these metrics (a rule_files YAML file)',
    )
    .option('--port <n>', 'port for --serve', '9469')
    .option('--host <address>', 'address for --serve', '127.0.0.1')
    .option(
      '--netns <name|pid>',
      'look into another network namespace (a name in /run/netns, or a pid)',
    )
    .option('--no-transitions', 'with --serve: do not count state changes through tracefs')
    // Metrics are plain text: accepted so that one flag works with every command.
    .option('--no-color', 'no colours (metrics have none)')
    .action(async (options: MetricsOptions) => {
      if (options.rules) {
        if (options.serve)
          throw new CliError('--rules prints the rules file; it does not go with --serve');
        writeOut(rulesText());
        return;
      }
      if (!options.serve) {
        const { text, notes } = await scrape(options.netns);
        writeOut(text);
        printNotes(notes);
        return;
      }
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new CliError(`--port must be a port number (0-65535), not "${options.port}"`);
      }
      // Fail now on a bad --netns rather than on the first scrape.
      printNotes((await scrape(options.netns)).notes);
      const tracer =
        options.transitions && options.netns === undefined ? await countTransitions() : undefined;
      try {
        await serve(options.host, port, options.netns, tracer?.counts);
      } finally {
        await tracer?.stop();
      }
    });
}

function serve(
  host: string,
  port: number,
  netns: string | undefined,
  transitions: ReadonlyMap<string, number> | undefined,
): Promise<void> {
  // One scrape at a time: concurrent scrapes share the one in progress.
  let inFlight: Promise<string> | undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    inFlight ??= scrape(netns, transitions)
      .then((r) => r.text)
      .finally(() => {
        inFlight = undefined;
      });
    inFlight.then(
      (text) =>
        res
          .writeHead(200, { 'content-type': CONTENT_TYPE })
          .end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CliError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    // SIGINT/SIGTERM end the server cleanly, so the tracer's cleanup (tracefs instance) runs.
    const shutdown = () => server.close();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    server.listen(port, host, () => {
      const address = server.address();
      const shown = typeof address === 'object' && address ? address.port : port;
      process.stderr.write(`tcpstate: serving metrics at http://${host}:${shown}/metrics\n`);
    });
    server.once('close', () => resolve());
  });
}
