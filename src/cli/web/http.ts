/** What every response of `tcpstate web` carries, and the one way it answers. */
import type { ServerResponse } from 'node:http';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
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

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The page may load only what it was served with: no other host, ever. `X-Tcpstate-Api` tells
 * the page that this server has the API (a plain static server does not send it), so the host
 * view can say why it is empty without a failing request.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Tcpstate-Api': '1',
};

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  send(res, status, JSON_TYPE, `${JSON.stringify({ error: message })}\n`);
}
