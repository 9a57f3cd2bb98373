/** `tcpstate web` itself: its errors, its warning, its file serving and its API. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { get as httpGet, request } from 'node:http';
import { createServer as netServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, runWeb, startWeb, type WebServer } from './server.js';

/** A raw GET, so that the Host header and the path are sent exactly as given. */
function get(url: string, path: string, host?: string) {
  const u = new URL(url);
  let headers: Record<string, string | string[] | undefined> = {};
  return new Promise<{
    status: number;
    type: string;
    body: string;
    headers: Record<string, string | string[] | undefined>;
  }>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, headers: host ? { host } : {} },
      (res) => {
        headers = res.headers;
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            body,
            headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const TRACING = '/sys/kernel/tracing/instances';

interface ServerEvent {
  event: string;
  data: string;
}

/** A reader of GET /api/events: `next(match)` waits for the first event that matches. */
function events(url: string): Promise<{
  next(match: (e: ServerEvent) => boolean, timeoutMs?: number): Promise<ServerEvent>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const req = httpGet(new URL('/api/events', url), (res) => {
      if (res.headers['content-type'] !== 'text/event-stream; charset=utf-8') {
        reject(new Error(`not an event stream: ${res.headers['content-type']}`));
        return;
      }
      const seen: ServerEvent[] = [];
      const waiting: Array<() => void> = [];
      let buffer = '';
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) seen.push({ event, data });
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiting.splice(0)) wake();
      });
      resolve({
        next: (match, timeoutMs = 20_000) =>
          new Promise((found, fail) => {
            const timer = setTimeout(() => fail(new Error('no such event')), timeoutMs);
            const look = () => {
              const hit = seen.find(match);
              if (hit) {
                clearTimeout(timer);
                found(hit);
              } else waiting.push(look);
            };
            look();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
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

    it('GET /api/doctor is what doctor --json prints', async () => {
      const res = await get(server.url, '/api/doctor?sample=0');
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json; charset=utf-8');
      const report = JSON.parse(res.body) as Record<string, unknown>;
      const cli = spawnSync(process.execPath, [MAIN, 'doctor', '--json', '--sample', '0'], {
        encoding: 'utf8',
      });
      const printed = JSON.parse(cli.stdout) as Record<string, unknown>;
      // The same fields in the same order; socket counts move between two looks, so not values.
      expect(Object.keys(report)).toEqual(Object.keys(printed));
      expect(Object.keys(report)).toEqual(['healthy', 'sockets', 'findings', 'notes']);
      expect(typeof report.healthy).toBe('boolean');
      expect(report.sockets).toBeGreaterThan(0);
      expect(Array.isArray(report.findings)).toBe(true);
      const kinds = (r: Record<string, unknown>) =>
        (r.findings as Array<{ kind: string }>).map((f) => f.kind).sort();
      expect(kinds(report)).toEqual(kinds(printed));
    });

    it('GET /api/doctor says in one line what is wrong with ?sample', async () => {
      const res = await get(server.url, '/api/doctor?sample=soon');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        error: 'sample must be 0 to 60 seconds, not "soon"',
      });
    });

    it('marks its answers as the API server’s (X-Tcpstate-Api), which a static copy lacks', async () => {
      expect((await get(server.url, '/')).headers['x-tcpstate-api']).toBe('1');
      expect((await get(server.url, '/nope')).status).toBe(404);
      expect((await get(server.url, '/api/nope')).status).toBe(404);
    });

    it('GET /api/events streams the kernel’s transitions as watch --json lines', async () => {
      const stream = await events(server.url);
      try {
        const hello = await stream.next((e) => e.event === 'hello');
        const { source } = JSON.parse(hello.data) as { source: string };
        expect(['tracefs', 'poll']).toContain(source);
        // A listener made now, on loopback: a transition (tracefs) or a `seen` line (polling).
        const listener = netServer();
        await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
        const address = listener.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        try {
          const line = await stream.next((e) => {
            if (e.event !== 'message') return false;
            const j = JSON.parse(e.data) as { local: { port: number }; type: string };
            return j.local.port === port;
          });
          const j = JSON.parse(line.data) as Record<string, unknown>;
          expect(j).toMatchObject({ local: { address: '127.0.0.1', port }, source });
          expect(j.type === 'transition' ? j.to : j.state).toBe('LISTEN');
          // The host fields of watch --json, in its order.
          expect(Object.keys(j)).toEqual(
            j.type === 'transition'
              ? [
                  'type',
                  'time',
                  'local',
                  'remote',
                  'from',
                  'to',
                  'date',
                  'pid',
                  'process',
                  'ms',
                  'reported',
                  'skaddr',
                  'source',
                ]
              : ['type', 'time', 'local', 'remote', 'state', 'date', 'pid', 'process', 'source'],
          );
        } finally {
          listener.close();
        }
      } finally {
        stream.close();
      }
    });

    it.skipIf(!existsSync(TRACING))(
      'stops with a stream open, and leaves no tracing instance behind',
      async () => {
        const own = await startWeb();
        const stream = await events(own.url);
        await stream.next((e) => e.event === 'hello');
        const pid = own.child.pid;
        const before = readdirSync(TRACING).filter((d) => d.startsWith(`tcpstate-${pid}`));
        await own.stop();
        stream.close();
        expect(readdirSync(TRACING).filter((d) => d.startsWith(`tcpstate-${pid}`))).toEqual([]);
        console.log(`tracing instances while streaming: ${before.join(', ') || 'none (polling)'}`);
      },
    );

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

    it('says in one line that it cannot bind to an address, with no warning first', async () => {
      // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
      for (const host of ['192.0.2.77', 'nosuch.invalid']) {
        expect(await runWeb(['--port', '0', '--host', host])).toEqual({
          code: 1,
          stderr: `tcpstate: cannot bind to ${host}: no such local address\n`,
        });
      }
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
