import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ipv4FromFrame,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  PcapWriter,
  parsePacket,
  readPcap,
} from '../../src/wire/index.js';
import * as fx from '../fixtures/wire/packets.js';
import { bytesToHex, hexToBytes } from './helpers.js';

const handshake = [fx.syn, fx.synAck, fx.ackTimestamps, fx.dataPsh].map((f) => hexToBytes(f.hex));

/** A file written by PcapWriter, re-encoded big-endian and/or with nanosecond stamps. */
function reencode(file: Uint8Array, bigEndian: boolean, nano: boolean): Uint8Array {
  const src = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = file.slice();
  const dst = new DataView(out.buffer);
  const le = !bigEndian;
  dst.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dst.setUint16(4, src.getUint16(4, true), le);
  dst.setUint16(6, src.getUint16(6, true), le);
  for (const at of [8, 12, 16, 20]) dst.setUint32(at, src.getUint32(at, true), le);
  let offset = 24;
  while (offset < file.length) {
    const captured = src.getUint32(offset + 8, true);
    dst.setUint32(offset, src.getUint32(offset, true), le);
    const micros = src.getUint32(offset + 4, true);
    dst.setUint32(offset + 4, nano ? micros * 1000 : micros, le);
    dst.setUint32(offset + 8, captured, le);
    dst.setUint32(offset + 12, src.getUint32(offset + 12, true), le);
    offset += 16 + captured;
  }
  return out;
}

describe('PcapWriter and readPcap', () => {
  it('write packets and read them back with times to the microsecond', () => {
    const writer = new PcapWriter();
    const times = [0, 1.5, 1000.001, 1795474510628.796];
    const chunks = handshake.map((p, i) => writer.addPacket(times[i], p));
    const file = writer.toBytes();
    expect(file.length).toBe(24 + handshake.reduce((n, p) => n + 16 + p.length, 0));
    expect(chunks.reduce((n, c) => n + c.length, writer.header.length)).toBe(file.length);
    const read = readPcap(file);
    if (!read.ok) throw new Error(read.reason);
    expect(read.value).toMatchObject({ linktype: LINKTYPE_RAW, precision: 'us', snaplen: 262144 });
    expect(read.value.packets.map((p) => bytesToHex(p.data))).toEqual(handshake.map(bytesToHex));
    read.value.packets.forEach((p, i) => {
      expect(p.timeMs).toBeCloseTo(times[i], 3);
      expect(p.originalLength).toBe(handshake[i].length);
    });
  });

  it('cuts packets at the snaplen and keeps their original length', () => {
    const writer = new PcapWriter({ snaplen: 40 });
    writer.addPacket(5, handshake[3]);
    const read = readPcap(writer.toBytes());
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.packets[0].data.length).toBe(40);
    expect(read.value.packets[0].originalLength).toBe(handshake[3].length);
  });

  it('reads big-endian files and nanosecond files', () => {
    const writer = new PcapWriter();
    writer.addPacket(1234.567, handshake[0]);
    const file = writer.toBytes();
    for (const [bigEndian, nano] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const read = readPcap(reencode(file, bigEndian, nano));
      if (!read.ok) throw new Error(`${bigEndian} ${nano}: ${read.reason}`);
      expect(read.value.precision).toBe(nano ? 'ns' : 'us');
      expect(read.value.packets[0].timeMs).toBeCloseTo(1234.567, 6);
      expect(bytesToHex(read.value.packets[0].data)).toBe(fx.syn.hex);
    }
  });

  it('reads the files tcpdump wrote during the captures (raw IP, and Ethernet)', () => {
    const raw = readPcap(hexToBytes(fx.sackPcapHex));
    if (!raw.ok) throw new Error(raw.reason);
    expect(raw.value.linktype).toBe(LINKTYPE_RAW);
    expect(raw.value.packets.length).toBe(8);
    const sack = ipv4FromFrame(raw.value.linktype, raw.value.packets[4].data);
    expect(sack.ok && bytesToHex(sack.value)).toBe(fx.sackOneBlock.hex);

    const ether = readPcap(hexToBytes(fx.ethernetPcapHex));
    if (!ether.ok) throw new Error(ether.reason);
    expect(ether.value).toMatchObject({ linktype: LINKTYPE_ETHERNET, snaplen: 200 });
    const frames = ether.value.packets.map((p) => ipv4FromFrame(ether.value.linktype, p.data));
    expect(frames.map((f) => (f.ok ? bytesToHex(f.value) : f.reason))).toEqual([
      fx.syn.hex,
      fx.synAck.hex,
      fx.ackTimestamps.hex,
    ]);
    // The capture's clock: 22:55:10.628796 UTC on 2026-11-23.
    expect(ether.value.packets[0].timeMs).toBeCloseTo(
      Date.UTC(2026, 10, 23, 22, 55, 10, 628) + 0.796,
      3,
    );
  });

  it('answers garbage with a reason, never an exception', () => {
    const file = (() => {
      const w = new PcapWriter();
      w.addPacket(1, handshake[0]);
      return w.toBytes();
    })();
    expect(readPcap(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(readPcap(new TextEncoder().encode('hello, not a pcap file'))).toMatchObject({
      ok: false,
      reason: 'bad-magic',
    });
    const pcapng = Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0);
    expect(readPcap(pcapng)).toMatchObject({
      ok: false,
      reason: 'bad-magic',
      detail: expect.stringMatching(/pcapng/),
    });
    expect(readPcap(file.subarray(0, 20))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(readPcap(file.subarray(0, 30))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(readPcap(file.subarray(0, file.length - 1))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
    const badVersion = file.slice();
    badVersion[4] = 9;
    expect(readPcap(badVersion)).toMatchObject({ ok: false, reason: 'bad-version' });
    const huge = file.slice();
    new DataView(huge.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(readPcap(huge)).toMatchObject({ ok: false, reason: 'bad-total-length' });
    // Only the header: a valid, empty capture.
    expect(readPcap(file.subarray(0, 24))).toMatchObject({ ok: true, value: { packets: [] } });
  });

  it('strips link headers only for link types it knows', () => {
    const ip = hexToBytes(fx.syn.hex);
    const cooked = new Uint8Array(16 + ip.length);
    cooked[14] = 0x08; // SLL protocol field: IPv4
    cooked.set(ip, 16);
    const r = ipv4FromFrame(113, cooked);
    expect(r.ok && bytesToHex(r.value)).toBe(fx.syn.hex);
    expect(ipv4FromFrame(147, ip)).toMatchObject({ ok: false, reason: 'bad-linktype' });
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(ipv4FromFrame(LINKTYPE_ETHERNET, arp)).toMatchObject({
      ok: false,
      reason: 'bad-linktype',
    });
    expect(ipv4FromFrame(LINKTYPE_ETHERNET, arp.subarray(0, 10))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
    const v6 = Uint8Array.of(0x60, 0, 0, 0);
    expect(ipv4FromFrame(LINKTYPE_RAW, v6)).toMatchObject({ ok: false, reason: 'bad-linktype' });
  });

  it('refuses a negative or non-finite time', () => {
    const w = new PcapWriter();
    expect(() => w.addPacket(-1, handshake[0])).toThrow(RangeError);
    expect(() => w.addPacket(Number.NaN, handshake[0])).toThrow(RangeError);
  });
});

const tshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

describe('our pcap in Wireshark', () => {
  it.skipIf(!tshark)(
    tshark
      ? 'tshark reads the file and decodes every TCP field as we wrote it, checksums good'
      : 'skipped: tshark is not installed (apt-get install tshark) to check that Wireshark reads our pcap',
    () => {
      const writer = new PcapWriter();
      const all = Object.values(fx.allPackets).map((f) => hexToBytes(f.hex));
      all.forEach((p, i) => {
        writer.addPacket(1000 + i, p);
      });
      const dir = mkdtempSync(join(tmpdir(), 'tcpstate-wire-'));
      try {
        const file = join(dir, 'fixtures.pcap');
        writeFileSync(file, writer.toBytes());
        const fields = [
          'frame.time_epoch',
          'ip.src',
          'tcp.srcport',
          'tcp.seq',
          'tcp.ack',
          'tcp.len',
        ];
        fields.push('tcp.checksum.status', 'tcp.options.sack_le');
        const out = execFileSync(
          'tshark',
          [
            ...['-r', file, '-T', 'fields', '-E', 'separator=/t'],
            ...['-o', 'tcp.relative_sequence_numbers:FALSE', '-o', 'tcp.check_checksum:TRUE'],
            ...fields.flatMap((f) => ['-e', f]),
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const rows = out
          .trim()
          .split('\n')
          .map((line) => line.split('\t'));
        expect(rows.length).toBe(all.length);
        rows.forEach((row, i) => {
          const parsed = parsePacket(all[i]);
          if (!parsed.ok) throw new Error(parsed.reason);
          const { ip, tcp } = parsed.value;
          expect(Number(row[0])).toBeCloseTo(1 + i / 1000, 6);
          expect(row.slice(1, 6)).toEqual([
            ip.src,
            String(tcp.srcPort),
            String(tcp.seq),
            tcp.flags.ack ? String(tcp.ack) : row[4],
            String(tcp.payload.length),
          ]);
          // Wireshark's checksum status 1 is "Good" (0 bad, 2 unverified).
          expect(row[6]).toBe('1');
        });
        expect(rows[Object.keys(fx.allPackets).indexOf('sackTwoBlocks')][7]).toBe('1301,1101');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
