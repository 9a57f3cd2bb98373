import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatLocal,
  formatOwner,
  formatRemote,
  formatTimer,
  socketJson,
  socketJsonText,
} from '../../src/host/view.js';
import { sock } from './fixtures/sockets.js';

describe('socket text forms', () => {
  it('endpoints: IPv6 in brackets, IPv4-mapped as IPv4 in tables, * for a listener’s peer', () => {
    expect(formatLocal(sock('ESTABLISHED', '[2001:db8::1]:443', '[::1]:5'))).toBe(
      '[2001:db8::1]:443',
    );
    const mapped = sock('ESTABLISHED', '[::ffff:10.0.0.1]:80', '[::ffff:10.0.0.2]:5000');
    expect(formatLocal(mapped)).toBe('10.0.0.1:80');
    expect(formatRemote(mapped)).toBe('10.0.0.2:5000');
    expect(socketJson(mapped).local.address).toBe('::ffff:10.0.0.1');
    expect(formatRemote(sock('LISTEN', '0.0.0.0:22', '0.0.0.0:0'))).toBe('*');
  });

  it('timers: time left first, retries when any', () => {
    expect(formatTimer(undefined)).toBe('');
    expect(formatTimer({ kind: 'time-wait', remainingMs: 59_000, retries: 0 })).toBe(
      '59s timewait',
    );
    expect(formatTimer({ kind: 'retransmit', remainingMs: 1200, retries: 3 })).toBe(
      '1.2s retrans ×3',
    );
    expect(formatTimer({ kind: 'keepalive', remainingMs: 7_200_000, retries: 0 })).toBe(
      '2h00m keepalive',
    );
    expect(formatDuration(200)).toBe('200ms');
    expect(formatDuration(125_000)).toBe('2m05s');
  });

  it('owners: pid/name, - for no process, ? when not visible', () => {
    expect(
      formatOwner(sock('ESTABLISHED', '1.1.1.1:1', '2.2.2.2:2', { pid: 7, process: 'sshd' })),
    ).toBe('7/sshd');
    expect(formatOwner(sock('TIME_WAIT', '1.1.1.1:1', '2.2.2.2:2'))).toBe('-');
    expect(formatOwner(sock('ESTABLISHED', '1.1.1.1:1', '2.2.2.2:2', { inode: 55 }))).toBe('?');
  });

  it('JSON: exactly the documented fields, null where unknown', () => {
    const json = socketJson(
      sock('LISTEN', '127.0.0.1:80', '0.0.0.0:0', { backlogUnknown: true, uid: undefined }),
    );
    expect(Object.keys(json)).toEqual([
      'state',
      'local',
      'remote',
      'recvQ',
      'sendQ',
      'timer',
      'uid',
      'inode',
      'pid',
      'process',
    ]);
    expect(json).toMatchObject({ sendQ: null, timer: null, uid: null, pid: null, process: null });
  });

  it('socketJsonText is exactly JSON.stringify(socketJson(...)), quotes and all', () => {
    const cases = [
      sock('LISTEN', '127.0.0.1:80', '0.0.0.0:0', { backlogUnknown: true, uid: undefined }),
      sock('ESTABLISHED', '[2001:db8::1]:443', '[::ffff:10.0.0.2]:5000', {
        pid: 42,
        process: 'we"ird\\name\n',
        timer: { kind: 'retransmit', remainingMs: 200, retries: 3 },
      }),
      sock('TIME_WAIT', '10.0.0.1:40000', '10.0.0.2:80', {
        timer: { kind: 'time-wait', remainingMs: 59000, retries: 0 },
      }),
    ];
    for (const socket of cases) {
      expect(socketJsonText(socket)).toBe(JSON.stringify(socketJson(socket)));
      expect(JSON.parse(socketJsonText(socket))).toEqual(socketJson(socket));
    }
  });
});
