/**
 * `tcpstate web`: serves the web page (built by `npm run build` into dist/web/) and a small API
 * for the view that needs this machine (src/cli/web/): `GET /api/snapshot` is `tcpstate ls
 * --json`, `GET /api/doctor` is `tcpstate doctor --json`, `GET /api/events` streams the
 * kernel's transitions as `tcpstate watch --json` prints them (server-sent events).
 *
 * It binds to 127.0.0.1 unless told otherwise, because the snapshot lists this machine's
 * connections and processes; on loopback it also refuses requests whose Host header names
 * another host, so a web site cannot reach it through DNS rebinding.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { serveDoctor, serveSnapshot } from '../web/api.js';
import { EventStreams } from '../web/events.js';
import { CONTENT_TYPES, JSON_TYPE, send, TEXT_TYPE } from '../web/http.js';

interface WebOptions {
  port: string;
  host: string;
  open?: boolean;
}

/** dist/web/ beside dist/cli/ when built; from the sources (tsx), the build's dist/web/. */
export function webRoot(): string {
  for (const rel of ['../../web/', '../../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (dir.endsWith(`${sep}dist${sep}web${sep}`) && existsSync(join(dir, 'index.html'))) {
      return dir;
    }
  }
  throw new CliError('the web page is not built: run `npm run build` first', 1);
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new CliError(`--port must be a number from 0 to 65535, not "${text}"`);
  }
  return port;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** The host part of a Host header: `[::1]:8000` → `::1`, `localhost:8000` → `localhost`. */
function hostOf(header: string): string {
  const m = /^\[([^\]]+)\]/.exec(header);
  return m ? m[1] : header.replace(/:\d+$/, '');
}

async function serveFile(root: string, pathname: string, res: ServerResponse): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return send(res, 400, TEXT_TYPE, 'bad path\n');
  }
  const file = normalize(join(root, rel.endsWith('/') ? `${rel}index.html` : rel));
  if (!file.startsWith(root)) return send(res, 403, TEXT_TYPE, 'forbidden\n');
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  try {
    send(res, 200, type, await readFile(file));
  } catch {
    send(res, 404, TEXT_TYPE, 'not found\n');
  }
}

function handler(root: string, loopbackOnly: boolean, streams: EventStreams) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (loopbackOnly && !isLoopback(hostOf(req.headers.host ?? ''))) {
      return send(res, 421, TEXT_TYPE, 'this server answers on loopback only\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, TEXT_TYPE, 'only GET\n');
    }
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/api/snapshot') return void serveSnapshot(res);
    if (pathname === '/api/doctor') return void serveDoctor(res, searchParams);
    if (pathname === '/api/events') return streams.serve(req, res);
    if (pathname.startsWith('/api/')) return send(res, 404, JSON_TYPE, '{"error":"no such API"}\n');
    void serveFile(root, pathname, res);
  };
}

function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () =>
    process.stderr.write(`tcpstate: could not open a browser; go to ${url}\n`),
  );
  child.unref();
}

export function register(program: Command): void {
  program
    .command('web')
    .description(
      'serve the web page (simulator, this machine, paste, drill) and its API on localhost',
    )
    .option('--port <n>', 'TCP port to listen on (0: any free port)', '8000')
    .option(
      '--host <address>',
      'address to bind; anything but loopback exposes your sockets',
      '127.0.0.1',
    )
    .option('--open', 'open the page in the default browser')
    // Its output has no colours: accepted so that one flag works with every command.
    .option('--no-color', 'no colours (this command prints none)')
    .action(async (options: WebOptions) => {
      const port = parsePort(options.port);
      const root = webRoot();
      const loopback = isLoopback(options.host);
      const streams = new EventStreams();
      const server = createServer(handler(root, loopback, streams));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE')
            reject(
              new CliError(
                `port ${port} is already in use on ${options.host}: choose another with --port`,
                1,
              ),
            );
          else if (['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? ''))
            reject(new CliError(`cannot bind to ${options.host}: no such local address`, 1));
          else if (err.code === 'EACCES')
            reject(new CliError(`port ${port} needs privileges: choose one above 1023`, 1));
          else
            reject(
              new CliError(`cannot listen on ${options.host} port ${port}: ${err.message}`, 1),
            );
        });
        server.listen(port, options.host, resolve);
      });
      // Only once bound: a bad address is one line of error, not a warning and then an error.
      if (!loopback) {
        process.stderr.write(
          `tcpstate: warning: serving on ${options.host}, not loopback: anyone who can reach it sees this machine’s connections and processes\n`,
        );
      }
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
      const url = `http://${shown}:${actual}/`;
      process.stdout.write(`tcpstate web: serving ${url} (Ctrl-C to stop)\n`);
      if (options.open) openBrowser(url);
      await new Promise<void>((resolve) => {
        // Open event streams would keep close() waiting for ever: end them (and their tracing).
        const stop = () => {
          server.close(() => resolve());
          void streams.closeAll().then(() => server.closeAllConnections());
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
