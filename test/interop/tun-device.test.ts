/**
 * The TUN link alone (no TCP stack): the device is created in a namespace, the kernel's side is
 * configured, packets flow both ways, what is not ours is counted, and the device disappears
 * when its fd closes.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TunDevice } from '../../src/link/tun/device.js';
import { exited, missingTools, Netns, ROOT, waitForOutput, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('nc');
const reflector = resolve(ROOT, 'test/interop/fixtures/tun-udp-reflector.ts');

describe('TunDevice errors (any machine)', () => {
  it('refuses an invalid interface name before any system call', async () => {
    await expect(TunDevice.open({ name: 'a/b' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(TunDevice.open({ name: 'x'.repeat(16) })).rejects.toMatchObject({
      code: 'EINVAL',
    });
  });

  it.skipIf(process.platform !== 'linux')(
    'says ENOENT when the tun device node is missing',
    async () => {
      await expect(
        TunDevice.open({ name: 'tsnone0', devicePath: '/nonexistent/net/tun' }),
      ).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );
});

describe.skipIf(why !== undefined)(
  `TunDevice in a namespace${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let ns: Netns | undefined;
    afterEach(async () => {
      await ns?.delete();
      ns = undefined;
    });

    it('moves packets both ways, counts what is not ours, and is removed on close', async () => {
      ns = new Netns('tundev');
      const child = ns.spawn(process.execPath, [
        '--import',
        'tsx',
        reflector,
        'tsdev0',
        '10.78.0.2',
        '10.78.0.1/24',
      ]);
      await waitForOutput(child, 'ready');
      expect(ns.run('ip', ['-o', 'addr', 'show', 'dev', 'tsdev0']).stdout.toString()).toContain(
        '10.78.0.1/24',
      );
      const r = ns.run('nc', ['-u', '-w', '1', '10.78.0.2', '7777'], { input: 'hello tun\n' });
      expect(r.stdout.toString()).toBe('HELLO TUN\n');
      // A datagram to another address of the subnet is routed to the device but is not ours.
      ns.run('nc', ['-u', '-w', '0', '10.78.0.9', '7777'], { input: 'x' });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      const counters = JSON.parse(out);
      expect(counters.udp).toBeGreaterThanOrEqual(1);
      expect(counters.filtered.notForUs).toBeGreaterThanOrEqual(1);
      expect(counters.device.packetsOut).toBe(counters.udp);
      expect(ns.run('ip', ['link', 'show', 'dev', 'tsdev0']).status).not.toBe(0);
    }, 30_000);
  },
);
