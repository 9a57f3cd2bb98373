import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeReason, isPeerFin } from '../../src/net/close-reason.js';
import { errorForClose, netError } from '../../src/net/errors.js';

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

describe('reading a connection story from its transitions', () => {
  it('knows which transitions only a FIN makes', () => {
    expect(isPeerFin('ESTABLISHED', 'CLOSE_WAIT')).toBe(true);
    expect(isPeerFin('FIN_WAIT1', 'CLOSING')).toBe(true);
    expect(isPeerFin('FIN_WAIT2', 'TIME_WAIT')).toBe(true);
    expect(isPeerFin('FIN_WAIT1', 'FIN_WAIT2')).toBe(false);
    expect(isPeerFin('CLOSING', 'TIME_WAIT')).toBe(false);
  });

  it('tells why a connection reached CLOSED', () => {
    expect(closeReason('SYN_SENT', 'rcv RST,ACK')).toBe('refused');
    expect(closeReason('SYN_SENT', 'SYN retries exhausted')).toBe('timeout');
    expect(closeReason('ESTABLISHED', 'rcv RST')).toBe('reset');
    expect(closeReason('ESTABLISHED', 'abort()')).toBe('aborted');
    expect(closeReason('ESTABLISHED', 'retransmission timeout')).toBe('timeout');
    expect(closeReason('LAST_ACK', 'rcv ACK')).toBe('normal');
    expect(closeReason('TIME_WAIT', '2MSL timer')).toBe('normal');
    expect(closeReason('FIN_WAIT2', 'FIN_WAIT2 timer')).toBe('normal');
    expect(closeReason('TIME_WAIT', 'new SYN (TIME_WAIT reuse)')).toBe('normal');
    expect(closeReason('SYN_SENT', 'close()')).toBe('aborted');
    expect(closeReason('ESTABLISHED', 'close()')).toBe('aborted');
    expect(closeReason('LAST_ACK', 'retransmission limit')).toBe('timeout');
    expect(closeReason('ESTABLISHED', 'keepalive timeout')).toBe('timeout');
  });
});
