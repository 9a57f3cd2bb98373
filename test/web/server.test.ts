/** `tcpstate web` itself: its errors, its warning, its file serving and its snapshot API. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, runWeb, startWeb, type WebServer } from './server.js';

/** A raw GET, so that the Host header and the path are sent exactly as given. */
function get(url: string, path: string, host?: string) {
  const u = new URL(url);
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, headers: host ? { host } : {} },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!built)(
  `tcpstate web${built ? '' : ' (skipped: run `npm run build` first)'}`,
  () => {
    let server: WebServer;
    beforeAll(async () => {
      server = await startWeb();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('binds to 127.0.0.1 by default', () => {
      expect(new URL(server.url).hostname).toBe('127.0.0.1');
    });

    it('serves the page and its assets with their content types', async () => {
      const page = await get(server.url, '/');
      expect(page.status).toBe(200);
      expect(page.type).toBe('text/html; charset=utf-8');
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
      const style = /href="\.\/(assets\/[^"]+\.css)"/.exec(page.body)?.[1];
      expect((await get(server.url, `/${script}`)).type).toBe('text/javascript; charset=utf-8');
      expect((await get(server.url, `/${style}`)).type).toBe('text/css; charset=utf-8');
    });

    it('serves nothing outside dist/web/ and answers only a loopback Host', async () => {
      expect((await get(server.url, '/../../package.json')).status).toBe(404);
      expect((await get(server.url, '/%2e%2e/%2e%2e/package.json')).status).toBe(404);
      expect((await get(server.url, '/', 'attacker.example')).status).toBe(421);
    });

    it('GET /api/snapshot is the ls --json array, with the server’s own listening socket', async () => {
      const res = await get(server.url, '/api/snapshot');
      expect(res.type).toBe('application/json; charset=utf-8');
      const sockets = JSON.parse(res.body) as Array<{ state: string; local: { port: number } }>;
      const port = Number(new URL(server.url).port);
      expect(sockets).toContainEqual(
        expect.objectContaining({ state: 'LISTEN', local: { address: '127.0.0.1', port } }),
      );
    });

    it('says in one line that a port is bad or in use', async () => {
      const bad = await runWeb(['--port', 'http']);
      expect(bad).toEqual({
        code: 2,
        stderr: 'tcpstate: --port must be a number from 0 to 65535, not "http"\n',
      });
      const port = new URL(server.url).port;
      const busy = await runWeb(['--port', port]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(
        `tcpstate: port ${port} is already in use on 127.0.0.1: choose another with --port\n`,
      );
    });

    it('warns when --host is not loopback', async () => {
      const open = await startWeb(['--host', '0.0.0.0']);
      try {
        expect(open.stderr()).toMatch(/^tcpstate: warning: serving on 0\.0\.0\.0, not loopback/);
      } finally {
        await open.stop();
      }
    });
  },
);
