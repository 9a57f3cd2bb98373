import { connect, createServer } from 'node:net';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errorForClose, netError, netErrorFromStack } from '../../src/net/errors.js';
import { StackError } from '../../src/stack/errors.js';

/** A real ECONNREFUSED from Node's own net, to compare shapes with. */
async function nodeRefused(): Promise<NodeJS.ErrnoException & { address?: string; port?: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return new Promise((resolve) => {
    connect(port, '127.0.0.1').on('error', (err) => resolve(err as NodeJS.ErrnoException));
  });
}

describe('errors shaped like node:net', () => {
  it('ECONNREFUSED has the same code, errno, syscall, address, port and message form', async () => {
    const real = await nodeRefused();
    const ours = netError('ECONNREFUSED', 'connect', {
      address: '127.0.0.1',
      port: real.port ?? 0,
    });
    expect(ours).toBeInstanceOf(Error);
    expect(ours.code).toBe(real.code);
    expect(ours.errno).toBe(real.errno);
    expect(ours.syscall).toBe(real.syscall);
    expect(ours.address).toBe(real.address);
    expect(ours.message).toBe(real.message);
  });

  it('maps every close reason', () => {
    const remote = { address: '10.0.0.1', port: 80 };
    expect(errorForClose('refused', true, remote)?.code).toBe('ECONNREFUSED');
    expect(errorForClose('reset', false, remote)).toMatchObject({
      code: 'ECONNRESET',
      syscall: 'read',
    });
    expect(errorForClose('timeout', true, remote)).toMatchObject({
      code: 'ETIMEDOUT',
      syscall: 'connect',
    });
    expect(errorForClose('timeout', false, remote)).toMatchObject({
      code: 'ETIMEDOUT',
      syscall: 'read',
    });
    expect(errorForClose('normal', false, remote)).toBeUndefined();
    expect(errorForClose('aborted', false, remote)).toBeUndefined();
    expect(netError('EPIPE', 'write').errno).toBe(-32);
  });
});

describe('stack errors as node:net errors', () => {
  it('keeps the stack code, with the syscall and the endpoint', () => {
    const where = { address: '10.0.0.1', port: 80 };
    const inUse = netErrorFromStack(new StackError('EADDRINUSE', 'x'), 'listen', where);
    expect(inUse).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', port: 80 });
    expect(inUse.errno).toBe(-(constants.errno.EADDRINUSE ?? 0));
    const none = netErrorFromStack(new StackError('EADDRNOTAVAIL', 'x'), 'connect', where);
    expect(none).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'connect' });
    expect(netErrorFromStack(new StackError('EINVAL', 'x'), 'listen').code).toBe('EINVAL');
  });
});
