/**
 * `tcpstate web`: serves the web page (built by `npm run build` into dist/web/) and a small API
 * for the views that need this machine: `GET /api/snapshot` is `tcpstate ls --json`.
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
import { sortSockets } from '../../host/filters.js';
import { CliError } from '../errors.js';
import { jsonLines } from './ls.js';
import { snapshotForCli } from './summary.js';

interface WebOptions {
  port: string;
  host: string;
  open?: boolean;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The page may load only what it was served with: no other host, ever. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

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

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
  res.end(body);
}

async function serveFile(root: string, pathname: string, res: ServerResponse): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return send(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
  }
  const file = normalize(join(root, rel.endsWith('/') ? `${rel}index.html` : rel));
  if (!file.startsWith(root)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden\n');
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  try {
    send(res, 200, type, await readFile(file));
  } catch {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

async function serveSnapshot(res: ServerResponse): Promise<void> {
  try {
    const snapshot = await snapshotForCli({ kernelInfo: false });
    send(res, 200, CONTENT_TYPES['.json'], jsonLines(sortSockets(snapshot.sockets)));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    send(res, 500, CONTENT_TYPES['.json'], `${JSON.stringify({ error: message })}\n`);
  }
}

function handler(root: string, loopbackOnly: boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (loopbackOnly && !isLoopback(hostOf(req.headers.host ?? ''))) {
      return send(res, 421, 'text/plain; charset=utf-8', 'this server answers on loopback only\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
    }
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/api/snapshot') return void serveSnapshot(res);
    if (pathname.startsWith('/api/'))
      return send(res, 404, CONTENT_TYPES['.json'], '{"error":"no such API"}\n');
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
    .description('serve the web page (simulator, paste) and this machine’s sockets on localhost')
    .option('--port <n>', 'TCP port to listen on (0: any free port)', '8000')
    .option(
      '--host <address>',
      'address to bind; anything but loopback exposes your sockets',
      '127.0.0.1',
    )
    .option('--open', 'open the page in the default browser')
    .action(async (options: WebOptions) => {
      const port = parsePort(options.port);
      const root = webRoot();
      const loopback = isLoopback(options.host);
      if (!loopback) {
        process.stderr.write(
          `tcpstate: warning: serving on ${options.host}, not loopback: anyone who can reach it sees this machine’s connections and processes\n`,
        );
      }
      const server = createServer(handler(root, loopback));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE')
            reject(
              new CliError(
                `port ${port} is already in use on ${options.host}: choose another with --port`,
                1,
              ),
            );
          else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
            reject(new CliError(`cannot bind to ${options.host}: no such local address`, 1));
          else if (err.code === 'EACCES')
            reject(new CliError(`port ${port} needs privileges: choose one above 1023`, 1));
          else reject(err);
        });
        server.listen(port, options.host, resolve);
      });
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
      const url = `http://${shown}:${actual}/`;
      process.stdout.write(`tcpstate web: serving ${url} (Ctrl-C to stop)\n`);
      if (options.open) openBrowser(url);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
