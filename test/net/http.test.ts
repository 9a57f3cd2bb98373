import { createHash } from 'node:crypto';
import { createServer as createHttpServer, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { patternSha256, serveHttp } from '../../src/net/demo-apps.js';
import { CLIENT_ADDRESS, makePair, once, type Pair, SERVER_ADDRESS } from './pair.js';

const title = 'Node’s own http over our sockets';

function get(pair: Pair, port: number, path: string, body?: Buffer) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        {
          host: SERVER_ADDRESS,
          port,
          path,
          method: body ? 'POST' : 'GET',
          // No `agent`: with one, http would ignore createConnection and use the kernel.
          createConnection: () => pair.client.connect(port, SERVER_ADDRESS),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe(title, () => {
  let pair: Pair;
  afterEach(() => pair?.close());

  it('http.createServer fed with our sockets answers http.request over our sockets', async () => {
    pair = makePair(11);
    const http = createHttpServer((req, res) => {
      res.setHeader('x-path', req.url ?? '');
      res.setHeader('x-peer', `${req.socket.remoteAddress}`);
      res.end(`hello ${req.method} ${req.url}`);
    });
    const server = pair.server.createServer((s) => http.emit('connection', s));
    await once(server.listen(8080), 'listening');
    const r = await get(pair, 8080, '/a?b=1');
    expect(r.status).toBe(200);
    expect(r.headers['x-path']).toBe('/a?b=1');
    // It went through our two stacks, not the kernel.
    expect(r.headers['x-peer']).toBe(CLIENT_ADDRESS);
    expect(r.body.toString()).toBe('hello GET /a?b=1');
  });

  it('serves the demo app: a 1 MiB pattern body and an upload hashed by the server', async () => {
    pair = makePair(12);
    await once(serveHttp(pair.server, 80), 'listening');
    const size = 1024 * 1024;
    const r = await get(pair, 80, `/bytes/${size}`);
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(size);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(patternSha256(size));
    const upload = Buffer.alloc(300_000, 7);
    const u = await get(pair, 80, '/upload', upload);
    expect(JSON.parse(u.body.toString())).toEqual({
      bytes: upload.length,
      sha256: createHash('sha256').update(upload).digest('hex'),
    });
  }, 30_000);
});
