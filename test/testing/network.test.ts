/**
 * tcpstate/testing: the README's examples, run. Each drives a real application pattern (an http
 * client with retries, a server that leaks CLOSE_WAIT, a WebSocket that reconnects, undici)
 * over createTestNetwork with faults, and checks what the application and the TCP states show.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js';

let net: TestNetwork | undefined;
afterEach(() => net?.close());

/** Resolves when one of `host`'s connections enters `state` (no wall-clock deadline). */
function reaches(n: TestNetwork, host: 'client' | 'server', state: string): Promise<void> {
  return new Promise((resolve) => {
    const stack = host === 'client' ? n.client : n.server;
    const onTransition = (t: { to: string }) => {
      if (t.to !== state) return;
      stack.off('transition', onTransition);
      resolve();
    };
    stack.on('transition', onTransition);
  });
}

/** GET with up to `tries` attempts, each with a timeout: the client logic under test. */
async function getWithRetry(
  agent: http.Agent,
  host: string,
  tries: number,
): Promise<{ body: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host, port: 80, path: '/', agent, timeout: 300 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      });
      return { body, attempts: attempt };
    } catch (e) {
      if (attempt >= tries) throw e;
    }
  }
}

describe('tcpstate/testing', () => {
  it('an http client retries through a partition and succeeds once it heals', async () => {
    net = createTestNetwork({ latency: 5 });
    const n = net;
    const server = http.createServer((_req, res) => res.end('hello'));
    const listener = n.createServer((socket) => server.emit('connection', socket));
    listener.listen(80);
    await once(listener, 'listening');
    n.partition();
    setTimeout(() => n.heal(), 700);
    const agent = n.httpAgent();
    const result = await getWithRetry(agent, n.serverAddress, 10);
    expect(result.body).toBe('hello');
    // The first attempts timed out while the partition held.
    expect(result.attempts).toBeGreaterThan(1);
    expect(n.counts.partitioned).toBeGreaterThan(0);
    agent.destroy();
    listener.close();
  });

  it('finds a server that leaks CLOSE_WAIT (it never closes after the client’s FIN)', async () => {
    net = createTestNetwork({ latency: 2 });
    const n = net;
    // The bug under test: the server reads but never ends its side (allowHalfOpen, no end()).
    const leaky = n.createServer({ allowHalfOpen: true }, (socket) => socket.resume());
    leaky.listen(7000);
    await once(leaky, 'listening');
    const client = n.connect(7000, n.serverAddress);
    await once(client, 'connect');
    const leaked = Promise.all([
      reaches(n, 'server', 'CLOSE_WAIT'),
      reaches(n, 'client', 'FIN_WAIT2'),
    ]);
    client.end('bye');
    await leaked;
    const [conn] = n.connections;
    expect(conn?.serverState).toBe('CLOSE_WAIT');
    expect(conn?.clientState).toBe('FIN_WAIT2');
    expect(conn?.states.filter((s) => s.host === 'server').map((s) => s.to)).toEqual([
      'SYN_RECV',
      'ESTABLISHED',
      'CLOSE_WAIT',
    ]);
    client.destroy();
  });

  it('a WebSocket client reconnects after the server resets its connection, under 2% loss', async () => {
    net = createTestNetwork({ latency: 3, loss: 0.02, seed: 5 });
    const n = net;
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer();
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo ${m}`))),
    );
    const listener = n.createServer((socket) => server.emit('connection', socket));
    listener.listen(8080);
    await once(listener, 'listening');

    const received: string[] = [];
    let opens = 0;
    const done = new Promise<void>((resolve) => {
      const open = () => {
        const ws = new WebSocket(`ws://${n.serverAddress}:8080/`, {
          createConnection: () => n.connect(8080, n.serverAddress) as never,
        });
        ws.on('open', () => {
          opens++;
          ws.send(`hello ${opens}`);
        });
        ws.on('message', (m) => {
          received.push(String(m));
          if (opens === 1) {
            // The fault under test: the server's end resets the connection.
            const tcp = (ws as unknown as { _socket: Parameters<TestNetwork['reset']>[0] })._socket;
            n.reset(tcp, 'server');
          } else {
            ws.close();
            resolve();
          }
        });
        ws.on('close', () => {
          if (opens === 1) setTimeout(open, 50);
        });
        ws.on('error', () => {});
      };
      open();
    });
    await done;
    expect(received).toEqual(['echo hello 1', 'echo hello 2']);
    expect(n.connections.length).toBeGreaterThanOrEqual(2);
    const first = n.connections[0];
    expect(first?.states.some((s) => s.cause === 'rcv RST')).toBe(true);
    listener.close();
  });

  it('undici and a scripted drop of the server’s FIN; the pcap tap writes a capture', async () => {
    net = createTestNetwork({ latency: 4 });
    const n = net;
    const dir = mkdtempSync(join(tmpdir(), 'tcpstate-testing-'));
    try {
      const capture = await n.capture(join(dir, 'run.pcap'));
      const server = http.createServer((_req, res) => {
        res.setHeader('connection', 'close');
        res.end('from undici');
      });
      const listener = n.createServer((socket) => server.emit('connection', socket));
      listener.listen(80);
      await once(listener, 'listening');
      n.drop({ from: 'server', flags: ['FIN'] });
      const finAcked = reaches(n, 'server', 'TIME_WAIT');
      const agent = new UndiciAgent({ connect: n.undiciConnect as never });
      const res = await undiciRequest(`http://${n.serverAddress}/`, { dispatcher: agent });
      expect(await res.body.text()).toBe('from undici');
      await agent.close();
      await finAcked;
      expect(n.counts.dropped).toBe(1);
      // The dropped FIN was retransmitted and acknowledged: the server's end reached TIME_WAIT.
      const conn = n.connections[0];
      expect(conn?.states.filter((s) => s.host === 'server').map((s) => s.to)).toContain(
        'FIN_WAIT1',
      );
      await capture.stop();
      const pcap = readFileSync(join(dir, 'run.pcap'));
      expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(pcap.length).toBeGreaterThan(24 + 16 * 6);
      listener.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
