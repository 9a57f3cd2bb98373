/** node:net's IPv6 surface over our stack: connect/listen/address() with family 'IPv6', isIPv6. */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { attachServer } from '../../src/net/http-attach.js';
import { isIPv6 } from '../../src/net/index.js';
import { createMemoryPair } from '../../src/net/memory-link.js';
import { NetStack } from '../../src/net/net-stack.js';
import type { Socket } from '../../src/net/socket.js';
import { Stack } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { once } from './pair.js';

const C4 = '10.0.0.1';
const S4 = '10.0.0.2';
const C6 = 'fd00::1';
const S6 = 'fd00::2';

function dualPair(client: { address: string; address6?: string }) {
  const a = new Stack({ ...client, rng: new SeededRng(1) });
  const b = new Stack({ address: S4, address6: S6, rng: new SeededRng(2) });
  const [da, db] = createMemoryPair(a, b);
  const pair = { client: new NetStack(da), server: new NetStack(db) };
  const close = () => {
    pair.client.close();
    pair.server.close();
  };
  return { ...pair, close };
}

function echoOnce(sock: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    sock.on('data', (c: Buffer) => {
      got += c.toString();
    });
    sock.on('end', () => resolve(got));
    sock.end(text);
  });
}

describe('net over IPv6', () => {
  let pair: ReturnType<typeof dualPair> | undefined;
  afterEach(() => pair?.close());

  it('listen() on a dual-stack host is `::` (IPv6), as Node’s; an IPv6 client connects', async () => {
    pair = dualPair({ address: C6 });
    const server = pair.server.createServer((s) => s.pipe(s));
    await once(server.listen(7), 'listening');
    expect(server.address()).toEqual({ address: '::', family: 'IPv6', port: 7 });
    const accepted = once<Socket>(server, 'connection');
    const sock = pair.client.connect(7, S6);
    await once(sock, 'connect');
    expect([sock.remoteAddress, sock.remoteFamily]).toEqual([S6, 'IPv6']);
    expect(sock.address()).toMatchObject({ address: C6, family: 'IPv6' });
    const s = await accepted;
    expect([s.remoteAddress, s.remoteFamily, s.localAddress]).toEqual([C6, 'IPv6', S6]);
    expect(await echoOnce(sock, 'six')).toBe('six');
  });

  it('an IPv4 client of a `::` server shows as ::ffff:a.b.c.d, family IPv6, on the server', async () => {
    pair = dualPair({ address: C4 });
    const server = pair.server.createServer((s) => s.pipe(s));
    await once(server.listen(8), 'listening');
    const accepted = once<Socket>(server, 'connection');
    const sock = pair.client.connect(8, S4);
    await once(sock, 'connect');
    expect(sock.remoteFamily).toBe('IPv4');
    const s = await accepted;
    expect([s.remoteAddress, s.remoteFamily]).toEqual([`::ffff:${C4}`, 'IPv6']);
    expect(await echoOnce(sock, 'mapped')).toBe('mapped');
  });

  it('ipv6Only refuses IPv4 (ECONNREFUSED); host 0.0.0.0 is IPv4', async () => {
    pair = dualPair({ address: C4, address6: C6 });
    const v6 = pair.server.createServer();
    await once(v6.listen({ port: 9, host: '::', ipv6Only: true }), 'listening');
    const refused = pair.client.connect(9, S4);
    const err = await once<NodeJS.ErrnoException>(refused, 'error');
    expect(err.code).toBe('ECONNREFUSED');
    const v4 = pair.server.createServer();
    await once(v4.listen(9, '0.0.0.0'), 'listening');
    expect(v4.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 9 });
  });

  it('runs Node’s http over IPv6', async () => {
    pair = dualPair({ address: C6 });
    const server = pair.server.createServer();
    const app = http.createServer((_req, res) => res.end('hello six'));
    attachServer(app, server);
    await once(server.listen(80, S6), 'listening');
    expect(server.address()).toEqual({ address: S6, family: 'IPv6', port: 80 });
    const client = pair.client;
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: S6, port: 80, path: '/', createConnection: () => client.connect(80, S6) },
        (res) => {
          let b = '';
          res.on('data', (c) => {
            b += c;
          });
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('hello six');
  });

  it('isIPv6 as node:net’s', () => {
    expect([isIPv6('fd00::1'), isIPv6('::ffff:10.0.0.1'), isIPv6('10.0.0.1'), isIPv6('x')]).toEqual(
      [true, true, false, false],
    );
  });
});
