/**
 * Streams packets to a classic pcap file as they pass (a long `tcpstate tun` run cannot keep
 * a capture in memory). Format: libpcap 2.4, microsecond timestamps, LINKTYPE_RAW (101: each
 * record is a bare IPv4 packet), little-endian as written by x86 and arm64 hosts.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

const LINKTYPE_RAW = 101;
const SNAPLEN = 262144;

export class PcapFile {
  private constructor(private readonly out: WriteStream) {}

  static create(path: string): Promise<PcapFile> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(path);
      out.once('error', reject);
      out.once('open', () => {
        out.off('error', reject);
        const header = Buffer.alloc(24);
        header.writeUInt32LE(0xa1b2c3d4, 0);
        header.writeUInt16LE(2, 4);
        header.writeUInt16LE(4, 6);
        header.writeUInt32LE(SNAPLEN, 16);
        header.writeUInt32LE(LINKTYPE_RAW, 20);
        out.write(header);
        resolve(new PcapFile(out));
      });
    });
  }

  add(epochMs: number, packet: Uint8Array): void {
    const record = Buffer.allocUnsafe(16 + packet.byteLength);
    const us = Math.round(epochMs * 1000);
    record.writeUInt32LE(Math.floor(us / 1e6), 0);
    record.writeUInt32LE(us % 1e6, 4);
    record.writeUInt32LE(packet.byteLength, 8);
    record.writeUInt32LE(packet.byteLength, 12);
    record.set(packet, 16);
    this.out.write(record);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
