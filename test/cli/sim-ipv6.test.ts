/**
 * `tcpstate sim --ipv6` as a user runs it (spawned from dist/): the scenario plays between
 * fd00::1 and fd00::2, its SYNs offer the IPv6 MSS, its pcap holds IPv6 packets, and the
 * path-mtu scenario learns its path MTU from ICMPv6 packet too big (RFC 8201).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const built = existsSync(CLI);

function sim(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'sim', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, text: r.stdout.toString('utf8') + r.stderr };
}

interface JsonEvent {
  type: string;
  side?: string;
  from?: string;
  flags?: string;
  options?: string;
  text?: string;
  connection?: { local: { address: string }; remote: { address: string } };
}

describe.skipIf(!built)(
  'tcpstate sim --ipv6 (spawned; skipped until `npm run build` made dist/)',
  () => {
    it('plays the handshake between fd00::1 and fd00::2, the SYN offering 1440 (1500 - 60)', () => {
      const r = sim(['handshake', '--ipv6', '--format', 'json']);
      expect(r.status).toBe(0);
      const events: JsonEvent[] = JSON.parse(r.text).events;
      const states = events.filter((e) => e.type === 'state');
      for (const e of states) {
        const ends = [e.connection?.local.address, e.connection?.remote.address].sort();
        expect(ends).toEqual(['fd00::1', 'fd00::2']);
      }
      const syn = events.find((e) => e.type === 'segment' && e.flags === 'SYN');
      expect(syn?.options).toMatch(/^mss 1440,/);
      // a: CLOSED -> SYN_SENT -> ESTABLISHED; b: LISTEN -> SYN_RECV -> ESTABLISHED
      expect(states).toHaveLength(4);
    });

    it('writes a pcap of IPv6 packets (raw IP link type, version 6)', () => {
      const r = sim(['handshake', '--ipv6', '--format', 'pcap']);
      expect(r.status).toBe(0);
      const pcap = new Uint8Array(r.stdout);
      const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
      // little-endian classic pcap, LINKTYPE_RAW (101)
      expect(view.getUint32(0, true)).toBe(0xa1b2c3d4);
      expect(view.getUint32(20, true)).toBe(101);
      let at = 24;
      let packets = 0;
      while (at + 16 <= pcap.length) {
        const len = view.getUint32(at + 8, true);
        expect(pcap[at + 16] >> 4).toBe(6);
        at += 16 + len;
        packets++;
      }
      expect(packets).toBe(3);
    });

    it('path-mtu --ipv6: packet too big lowers the MSS to 1208 (1280 - 60 - 12)', () => {
      const r = sim(['path-mtu', '--ipv6', '--format', 'json']);
      expect(r.status).toBe(0);
      const notes = (JSON.parse(r.text).events as JsonEvent[]).flatMap((e) =>
        e.type === 'note' ? [e.text ?? ''] : [],
      );
      expect(notes).toContain(
        "a router's 1280-byte link drops a's 1500-byte packets and answers ICMPv6 packet too big (MTU 1280)",
      );
      expect(notes).toContain(
        'path MTU to fd00::2: 1280 bytes, segments of 1208 bytes from now on (RFC 8201)',
      );
    });
  },
);
