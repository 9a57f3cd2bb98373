import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket, SocketStateChange } from '../../src/net/socket.js';
import { CLIENT_ADDRESS, makePair, once, type Pair, SERVER_ADDRESS } from './pair.js';

const title = 'net Socket over our stack';

function collect(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.once('end', () => resolve(Buffer.concat(chunks))));
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe(title, () => {
  let pair: Pair;
  afterEach(() => pair?.close());

  it('connects, exchanges data, ends and closes with Node’s events and properties', async () => {
    pair = makePair();
    const server = pair.server.createServer((s) => s.pipe(s));
    await once(server.listen(7), 'listening');
    expect(server.address()).toEqual({ address: SERVER_ADDRESS, family: 'IPv4', port: 7 });

    const events: string[] = [];
    const sock = pair.client.connect(7, SERVER_ADDRESS);
    expect(sock.pending).toBe(true);
    expect(sock.connecting).toBe(true);
    expect(sock.readyState).toBe('opening');
    for (const e of ['connect', 'ready', 'end', 'finish']) sock.on(e, () => events.push(e));
    const closed = once<boolean>(sock, 'close');
    await once(sock, 'connect');
    expect(sock.readyState).toBe('open');
    expect(sock.pending).toBe(false);
    expect(sock.remoteAddress).toBe(SERVER_ADDRESS);
    expect(sock.remotePort).toBe(7);
    expect(sock.remoteFamily).toBe('IPv4');
    expect(sock.localAddress).toBe(CLIENT_ADDRESS);
    expect(sock.address()).toMatchObject({ address: CLIENT_ADDRESS, family: 'IPv4' });
    expect(sock.tcpState).toBe('ESTABLISHED');
    const body = collect(sock);
    sock.end('hello, stack');
    expect((await body).toString()).toBe('hello, stack');
    expect(await closed).toBe(false);
    expect(events).toEqual(['connect', 'ready', 'finish', 'end']);
    expect(sock.bytesWritten).toBe(12);
    expect(sock.bytesRead).toBe(12);
    expect(sock.readyState).toBe('closed');
  });

  it('reports every transition as a state event, also after close (TIME_WAIT)', async () => {
    pair = makePair(2);
    const serverStates: SocketStateChange[] = [];
    const server = pair.server.createServer((s) => {
      s.on('state', (c: SocketStateChange) => serverStates.push(c));
      s.resume();
      s.on('end', () => s.end());
    });
    await once(server.listen(80), 'listening');
    const sock = pair.client.connect(80, SERVER_ADDRESS);
    const states: SocketStateChange[] = [];
    sock.on('state', (c: SocketStateChange) => states.push(c));
    sock.resume();
    sock.end();
    await once(sock, 'close');
    await new Promise((r) => setTimeout(r, 50));
    expect(states.map((s) => s.to)).toEqual([
      'SYN_SENT',
      'ESTABLISHED',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
    ]);
    expect(states[0].from).toBe('CLOSED');
    expect(typeof states[0].cause).toBe('string');
    expect(typeof states[0].time).toBe('number');
    expect(sock.tcpState).toBe('TIME_WAIT');
    expect(serverStates.map((s) => s.to)).toEqual(['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('moves 4 MiB each way intact with backpressure (write() false, then drain)', async () => {
    pair = makePair(3);
    const size = 4 * 1024 * 1024;
    const toServer = pattern(size, 1);
    const toClient = pattern(size, 2);
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const server = pair.server.createServer({ allowHalfOpen: true }, (s) => {
      serverGot = collect(s);
      s.end(toClient);
    });
    await once(server.listen(9), 'listening');
    const sock = pair.client.connect({ port: 9, host: SERVER_ADDRESS, allowHalfOpen: true });
    const clientGot = collect(sock);
    let sawFalse = false;
    let drains = 0;
    sock.on('drain', () => drains++);
    for (let off = 0; off < size; off += 64 * 1024) {
      if (!sock.write(toServer.subarray(off, off + 64 * 1024))) {
        sawFalse = true;
        await once(sock, 'drain');
      }
    }
    sock.end();
    const [a, b] = await Promise.all([serverGot, clientGot]);
    const h = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    expect(h(a)).toBe(h(toServer));
    expect(h(b)).toBe(h(toClient));
    expect(sawFalse).toBe(true);
    expect(drains).toBeGreaterThan(0);
  }, 30_000);

  it('refuses a connection to a closed port with ECONNREFUSED like node:net', async () => {
    pair = makePair(4);
    const sock = pair.client.connect(81, SERVER_ADDRESS);
    const closed = once<boolean>(sock, 'close');
    const err = await once<NodeJS.ErrnoException & { address: string; port: number }>(
      sock,
      'error',
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: SERVER_ADDRESS,
      port: 81,
    });
    expect(await closed).toBe(true);
  });

  it('gives ECONNRESET to the peer of resetAndDestroy()', async () => {
    pair = makePair(5);
    const server = pair.server.createServer((s) => {
      s.once('data', () => s.resetAndDestroy());
    });
    await once(server.listen(82), 'listening');
    const sock = pair.client.connect(82, SERVER_ADDRESS);
    sock.write('x');
    const err = await once<NodeJS.ErrnoException>(sock, 'error');
    expect(err).toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
  });

  it('keeps a half-closed connection: the server still answers after the client’s FIN', async () => {
    pair = makePair(6);
    const server = pair.server.createServer({ allowHalfOpen: true }, (s) => {
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d;
      });
      s.on('end', () => {
        expect(s.tcpState).toBe('CLOSE_WAIT');
        expect(s.readyState).toBe('writeOnly');
        s.end(`got ${got}`);
      });
    });
    await once(server.listen(83), 'listening');
    const sock = pair.client.connect({ port: 83, host: SERVER_ADDRESS, allowHalfOpen: true });
    const reply = collect(sock);
    sock.end('question');
    expect((await reply).toString()).toBe('got question');
  });

  it('emits timeout after idleness and keeps the socket open', async () => {
    pair = makePair(7);
    const server = pair.server.createServer(() => {});
    await once(server.listen(84), 'listening');
    const sock = pair.client.connect(84, SERVER_ADDRESS);
    await once(sock, 'connect');
    const t0 = performance.now();
    sock.setTimeout(60);
    await once(sock, 'timeout');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(sock.destroyed).toBe(false);
    sock.destroy();
  });

  it('closes a server after its last connection, and counts connections', async () => {
    pair = makePair(8);
    const server = pair.server.createServer((s) => s.resume());
    await once(server.listen(85), 'listening');
    const sock = pair.client.connect(85, SERVER_ADDRESS);
    await once(server, 'connection');
    const count = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    expect(count).toBe(1);
    let serverClosed = false;
    server.close(() => {
      serverClosed = true;
    });
    expect(server.listening).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(serverClosed).toBe(false);
    sock.end();
    await once(server, 'close');
    expect(serverClosed).toBe(true);
    // A new connection to the closed port is refused.
    const late = pair.client.connect(85, SERVER_ADDRESS);
    expect(await once<NodeJS.ErrnoException>(late, 'error')).toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
