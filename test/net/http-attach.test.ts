/**
 * attachServer: Node's http and http2 servers served from a tcpstate Server. Without it, an
 * http server fed with emit('connection') is never listening and tracks no connection, so
 * closeAllConnections() leaves keep-alive connections open until their timeout.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { attachServer } from '../../src/net/http-attach.js';
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js';

const dir = new URL('../fixtures/tls/', import.meta.url);
const key = readFileSync(new URL('key.pem', dir));
const cert = readFileSync(new URL('cert.pem', dir));

let net: TestNetwork | undefined;
afterEach(() => net?.close());

describe('attachServer: http, https and http2 over tcpstate', () => {
  it('closeAllConnections() ends a keep-alive connection at once, and listening/address agree', async () => {
    net = createTestNetwork({ latency: 2 });
    const n = net;
    const server = http.createServer({ keepAliveTimeout: 600_000 }, (_req, res) => res.end('ok'));
    const tcp = n.createServer();
    attachServer(server, tcp);
    const listening = once(server, 'listening');
    tcp.listen(80);
    await listening;
    expect(server.listening).toBe(true);
    expect(server.address()).toEqual(tcp.address());
    const agent = n.httpAgent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: n.serverAddress, port: 80, agent }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('ok');
    const [socket] = Object.values(agent.freeSockets).flat();
    expect(socket).toBeDefined();
    const closed = once(socket as NodeJS.EventEmitter, 'close');
    // With a 10-minute keep-alive timeout, only closeAllConnections() can end it within the test.
    server.closeAllConnections();
    await closed;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(tcp.listening).toBe(false);
    agent.destroy();
  });

  it('serves https and http2 under 3% loss', async () => {
    net = createTestNetwork({ latency: 3, loss: 0.03, seed: 9 });
    const n = net;
    const secure = https.createServer({ key, cert }, (_req, res) => res.end('secure'));
    const tcp1 = n.createServer();
    attachServer(secure, tcp1);
    tcp1.listen(443);
    await once(tcp1, 'listening');
    const agent = n.httpAgent();
    // An https request over a tcpstate socket: the agent's connection, wrapped by https itself.
    const tlsAgent = new https.Agent({ rejectUnauthorized: false });
    (tlsAgent as unknown as { createConnection: unknown }).createConnection = (
      opts: { host?: string; port?: number },
      cb: unknown,
    ) => {
      const raw = n.connect({ port: opts.port ?? 443, host: opts.host, allowHalfOpen: true });
      return (
        https.Agent.prototype as unknown as { createConnection: (o: object, c: unknown) => unknown }
      ).createConnection.call(tlsAgent, { ...opts, socket: raw, servername: 'tcpstate.test' }, cb);
    };
    const text = await new Promise<string>((resolve, reject) => {
      https
        .get(
          { host: n.serverAddress, port: 443, agent: tlsAgent, servername: 'tcpstate.test' },
          (res) => {
            let t = '';
            res.on('data', (c) => (t += c));
            res.on('end', () => resolve(t));
          },
        )
        .on('error', reject);
    });
    expect(text).toBe('secure');

    const h2 = http2.createServer();
    h2.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('over h2');
    });
    const tcp2 = n.createServer();
    attachServer(h2, tcp2);
    tcp2.listen(8080);
    await once(tcp2, 'listening');
    const session = http2.connect(`http://${n.serverAddress}:8080`, {
      createConnection: () => n.connect(8080, n.serverAddress) as never,
    });
    const h2text = await new Promise<string>((resolve, reject) => {
      const req = session.request({ ':path': '/' });
      let t = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (t += c));
      req.on('end', () => resolve(t));
      req.on('error', reject);
      req.end();
    });
    expect(h2text).toBe('over h2');
    expect((n.counts.lost ?? 0) + (n.counts.delivered ?? 0)).toBeGreaterThan(0);
    session.close();
    agent.destroy();
    tlsAgent.destroy();
  });
});
