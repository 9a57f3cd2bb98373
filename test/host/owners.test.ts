import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachOwners, scanSocketOwners } from '../../src/host/kernel/owners.js';
import { sock } from './fixtures/sockets.js';

/** A fake /proc: pid -> { comm, fds: fd -> link target }. */
function fakeProc(
  processes: Record<number, { comm: string; fds: Record<number, string> }>,
): string {
  const root = mkdtempSync(join(tmpdir(), 'tcpstate-proc-'));
  for (const [pid, p] of Object.entries(processes)) {
    mkdirSync(join(root, pid, 'fd'), { recursive: true });
    writeFileSync(join(root, pid, 'comm'), `${p.comm}\n`);
    for (const [fd, target] of Object.entries(p.fds))
      symlinkSync(target, join(root, pid, 'fd', fd));
  }
  mkdirSync(join(root, 'self'));
  return root;
}

describe('socket owners', () => {
  const root = fakeProc({
    10: { comm: 'nginx', fds: { 3: 'socket:[100]', 4: '/var/log/x', 5: 'socket:[101]' } },
    11: { comm: 'nginx', fds: { 3: 'socket:[100]', 6: 'socket:[102]' } },
    20: { comm: 'python3', fds: { 7: 'socket:[200]', 8: 'pipe:[5]' } },
  });

  it('maps socket inodes to the lowest pid holding them, with comm and fd', () => {
    const { owners } = scanSocketOwners(root);
    expect(owners.get(100)).toEqual({ pid: 10, process: 'nginx', fd: 3 });
    expect(owners.get(102)).toEqual({ pid: 11, process: 'nginx', fd: 6 });
    expect(owners.get(200)).toEqual({ pid: 20, process: 'python3', fd: 7 });
    expect(owners.size).toBe(4);
  });

  it('stops once the wanted inodes are found', () => {
    const { owners } = scanSocketOwners(root, new Set([100]));
    expect([...owners.keys()]).toEqual([100]);
  });

  it('attaches owners and counts sockets whose owner is not visible', () => {
    const sockets = [
      sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { inode: 100 }),
      sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.2:1', { inode: 999 }),
      sock('TIME_WAIT', '10.0.0.1:80', '10.0.0.2:2'),
    ];
    expect(attachOwners(sockets, scanSocketOwners(root))).toBe(1);
    expect(sockets[0]).toMatchObject({ pid: 10, process: 'nginx', fd: 3 });
    expect(sockets[1].pid).toBeUndefined();
    expect(sockets[2].pid).toBeUndefined();
  });

  it('a missing /proc gives no owners, not an error', () => {
    expect(scanSocketOwners('/nonexistent-proc').owners.size).toBe(0);
  });
});
