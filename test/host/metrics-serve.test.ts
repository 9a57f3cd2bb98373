import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, isLinux, isRoot } from './helpers/live.js';

const tracefs = existsSync('/sys/kernel/tracing/events/sock/inet_sock_set_state');

describe.skipIf(!isLinux || !existsSync(CLI))(
  `tcpstate metrics --serve (needs Linux and ${CLI})`,
  () => {
    let child: ChildProcess;
    let base = '';

    beforeAll(async () => {
      child = spawn(process.execPath, [CLI, 'metrics', '--serve', '--port', '0'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
      base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the server did not start')), 15_000);
        lines.on('line', (line) => {
          const url = /serving metrics at (http:\/\/\S+)\/metrics/.exec(line)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
      });
    });

    afterAll(async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    });

    it('serves the exposition at /metrics with the Prometheus content type, 404 elsewhere', async () => {
      const r = await fetch(`${base}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('version=0.0.4');
      expect(await r.text()).toMatch(/^tcpstate_sockets\{state="LISTEN"\} \d+$/m);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    });

    it.skipIf(!isRoot || !tracefs)(
      'counts transitions seen since start (needs root and tracefs)',
      async () => {
        // One connection opened and closed on loopback while the server runs.
        const server = net.createServer((s) => s.end());
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const port = (server.address() as net.AddressInfo).port;
        await new Promise<void>((resolve) => {
          const c = net.connect(port, '127.0.0.1');
          c.on('close', () => resolve());
          c.resume();
        });
        server.close();
        let text = '';
        for (let i = 0; i < 40 && !/from="SYN_SENT",to="ESTABLISHED"/.test(text); i++) {
          await new Promise((r) => setTimeout(r, 100));
          text = await (await fetch(`${base}/metrics`)).text();
        }
        expect(text).toMatch(
          /^tcpstate_transitions_total\{from="SYN_SENT",to="ESTABLISHED"\} [1-9]\d*$/m,
        );
      },
    );

    it('stops on SIGTERM and removes its tracing instance', async () => {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      if (tracefs && isRoot) {
        const left = existsSync('/sys/kernel/tracing/instances')
          ? (await import('node:fs'))
              .readdirSync('/sys/kernel/tracing/instances')
              .filter((d) => d === `tcpstate-${child.pid}`)
          : [];
        expect(left).toEqual([]);
      }
    });
  },
);
