/**
 * net/ over the stack's typed events and error codes: close reasons become Node's error codes,
 * StackError codes become the same codes on 'error', drops reach the NetStack's 'drop'.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Server, type ServerHost } from '../../src/net/server.js';
import { StackError, type StackEvent } from '../../src/stack/stack.js';
import { makePair, once, type Pair, SERVER_ADDRESS } from './pair.js';

describe('net/ over the stack events', () => {
  let pair: Pair;
  afterEach(() => pair?.close());

  it('gives ETIMEDOUT (connect) when the SYN retransmissions give up', async () => {
    pair = makePair(21, 0, { synRetries: 1, initialRto: 20, minRto: 20 });
    // Nobody answers for 10.0.0.9: the server's stack drops it as not for us.
    const drops: StackEvent[] = [];
    pair.server.on('drop', (e: StackEvent) => drops.push(e));
    const sock = pair.client.connect(80, '10.0.0.9');
    const err = await once<NodeJS.ErrnoException>(sock, 'error');
    expect(err).toMatchObject({ code: 'ETIMEDOUT', syscall: 'connect' });
    expect(drops.map((d) => d.type === 'drop' && d.reason)).toContain('not-for-us');
  });

  it('gives EADDRNOTAVAIL on error for a 4-tuple in use, as node:net, not a throw', async () => {
    pair = makePair(22);
    const server = pair.server.createServer((s) => s.resume());
    await once(server.listen(90), 'listening');
    const first = pair.client.connect({ port: 90, host: SERVER_ADDRESS, localPort: 5555 });
    await once(first, 'connect');
    const second = pair.client.connect({ port: 90, host: SERVER_ADDRESS, localPort: 5555 });
    const err = await once<NodeJS.ErrnoException>(second, 'error');
    expect(err).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'connect', port: 90 });
    first.destroy();
  });

  it('gives EADDRINUSE to a second server on the same port', async () => {
    pair = makePair(23);
    await once(pair.server.createServer().listen(91), 'listening');
    const again = pair.server.createServer().listen(91);
    const err = await once<NodeJS.ErrnoException>(again, 'error');
    expect(err).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', port: 91 });
  });
});

describe('Server and the codes of its host', () => {
  const host = (fail: () => never): ServerHost => ({
    address: '10.0.0.2',
    listen: fail,
    unlisten: () => {},
    newSocket: () => {
      throw new Error('not used');
    },
    now: () => 0,
    schedule: () => {},
    holdOpen: () => {},
  });

  it('maps a StackError by its code, not to EADDRINUSE', async () => {
    const server = new Server(
      host(() => {
        throw new StackError('EADDRNOTAVAIL', 'no address');
      }),
    );
    server.listen(80);
    const err = await once<NodeJS.ErrnoException>(server, 'error');
    expect(err).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'listen' });
    expect(server.listening).toBe(false);
  });

  it('lets an error that is not the stack’s through', () => {
    const server = new Server(
      host(() => {
        throw new TypeError('a bug');
      }),
    );
    expect(() => server.listen(80)).toThrow(TypeError);
  });
});
