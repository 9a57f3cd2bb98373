/**
 * The small applications `tcpstate tun --serve` runs over our sockets, and the byte pattern the
 * interop tests and benchmark check bodies against:
 * - http: `GET /` a short page; `GET /bytes/N` N bytes of the pattern below; any request with a
 *   body (POST/PUT) is answered with `{"bytes":N,"sha256":"…"}` of what arrived.
 * - echo: every byte back; half-close aware (the reply goes out after the client's FIN, then ours).
 * - close: reads and discards, and closes (FIN) each connection `closeAfterMs` after accepting it
 *   (to watch who closes first, or, timed against the peer's close, a simultaneous close).
 * - reset: answers the first byte received with an RST (resetAndDestroy), to watch an abort.
 */
import { createHash } from 'node:crypto';
import { createServer as httpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { endpointText } from '../util/address-text.js';
import type { NetStack } from './net-stack.js';
import type { Server } from './server.js';
import type { Socket } from './socket.js';

const CHUNK = 64 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Chunk `index` of the test pattern: xorshift32 seeded by the chunk index, so any offset can be
 * produced independently and a lost, duplicated or reordered chunk changes the hash.
 */
export function patternChunk(index: number, size = CHUNK): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (index * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  let i = 0;
  // Whole words through a Uint32Array where the buffer is aligned on a little-endian host
  // (the same bytes as writeUInt32LE, several times faster: both ends of a benchmark make them).
  const words =
    LITTLE_ENDIAN && out.byteOffset % 4 === 0
      ? new Uint32Array(out.buffer, out.byteOffset, size >>> 2)
      : undefined;
  if (words !== undefined) {
    for (let w = 0; w < words.length; w++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[w] = x;
    }
    i = words.length * 4;
  }
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) out[i] = i & 0xff;
  return out;
}

/** The first `total` bytes of the pattern, as a stream of 64 KiB chunks. */
export function patternStream(total: number): Readable {
  let index = 0;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(CHUNK, total - sent);
      const chunk = patternChunk(index++, CHUNK).subarray(0, size);
      sent += size;
      this.push(chunk);
    },
  });
}

/** sha256 (hex) of the first `total` bytes of the pattern. */
export function patternSha256(total: number): string {
  const hash = createHash('sha256');
  for (let index = 0, done = 0; done < total; index++, done += CHUNK) {
    hash.update(patternChunk(index).subarray(0, Math.min(CHUNK, total - done)));
  }
  return hash.digest('hex');
}

const MAX_PATTERN = 16 * 1024 * 1024 * 1024;

/** The http app's request handler (exported for the kernel's reference server in bench/). */
export function handle(req: IncomingMessage, res: ServerResponse): void {
  // The path alone: clients add query strings to make URLs distinct.
  const path = (req.url ?? '/').split('?')[0];
  const bytes = /^\/bytes\/(\d+)$/.exec(path);
  if (req.method === 'POST' || req.method === 'PUT') {
    const hash = createHash('sha256');
    let n = 0;
    req.on('data', (chunk: Buffer) => {
      n += chunk.byteLength;
      hash.update(chunk);
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(`${JSON.stringify({ bytes: n, sha256: hash.digest('hex') })}\n`);
    });
    return;
  }
  if (bytes) {
    const total = Number(bytes[1]);
    if (total > MAX_PATTERN) {
      res.statusCode = 400;
      res.end('too large\n');
      return;
    }
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', String(total));
    patternStream(total).pipe(res);
    return;
  }
  if (path === '/' || path === '') {
    const socket = req.socket as unknown as Socket;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(
      `Hello from tcpstate's own TCP stack.\nThis connection: ${endpointText(socket.localAddress ?? '', socket.localPort ?? 0)} <- ${endpointText(socket.remoteAddress ?? '', socket.remotePort ?? 0)}, ${socket.tcpState}\n`,
    );
    return;
  }
  res.statusCode = 404;
  res.end('not found\n');
}

/** Node's own http server, fed with our sockets. */
export function serveHttp(net: NetStack, port: number): Server {
  const http = httpServer(handle);
  http.keepAliveTimeout = 5000;
  const server = net.createServer((socket) => http.emit('connection', socket));
  server.on('close', () => http.close());
  return server.listen(port);
}

export function serveEcho(net: NetStack, port: number): Server {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  return server.listen(port);
}

export function serveClose(net: NetStack, port: number, closeAfterMs = 0): Server {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.resume();
    const timer = setTimeout(() => socket.end(), closeAfterMs);
    socket.on('close', () => clearTimeout(timer));
  });
  return server.listen(port);
}

export function serveReset(net: NetStack, port: number): Server {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', () => socket.resetAndDestroy());
  });
  return server.listen(port);
}
