import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.js';
import { SockDiagDecoder } from '../../src/host/kernel/sock-diag.js';

/** One SOCK_DIAG_BY_FAMILY message as the kernel lays it out (little-endian host). */
function message(fields: {
  family: number;
  state: number;
  timer?: number;
  retrans?: number;
  sport: number;
  dport: number;
  src: number[];
  dst: number[];
  expires?: number;
  rqueue: number;
  wqueue: number;
  uid?: number;
  inode: number;
}): Buffer {
  const buf = Buffer.alloc(16 + 72);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt16LE(20, 4);
  const m = 16;
  buf[m] = fields.family;
  buf[m + 1] = fields.state;
  buf[m + 2] = fields.timer ?? 0;
  buf[m + 3] = fields.retrans ?? 0;
  buf.writeUInt16BE(fields.sport, m + 4);
  buf.writeUInt16BE(fields.dport, m + 6);
  Buffer.from(fields.src).copy(buf, m + 8);
  Buffer.from(fields.dst).copy(buf, m + 24);
  buf.writeUInt32LE(fields.expires ?? 0, m + 52);
  buf.writeUInt32LE(fields.rqueue, m + 56);
  buf.writeUInt32LE(fields.wqueue, m + 60);
  buf.writeUInt32LE(fields.uid ?? 0, m + 64);
  buf.writeUInt32LE(fields.inode, m + 68);
  return buf;
}

function control(type: number, errno = 0): Buffer {
  const buf = Buffer.alloc(20);
  buf.writeUInt32LE(20, 0);
  buf.writeUInt16LE(type, 4);
  buf.writeInt32LE(-errno, 16);
  return buf;
}

describe('sock_diag decoding', () => {
  it('decodes IPv4 LISTEN with its backlog, IPv6 with a timer, stops at NLMSG_DONE', () => {
    const batch = Buffer.concat([
      message({
        family: 2,
        state: 10,
        sport: 8080,
        dport: 0,
        src: [127, 0, 0, 1],
        dst: [0, 0, 0, 0],
        rqueue: 3,
        wqueue: 511,
        uid: 1000,
        inode: 77,
      }),
      message({
        family: 10,
        state: 1,
        timer: 1,
        retrans: 2,
        expires: 1234,
        sport: 443,
        dport: 50000,
        src: [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1],
        dst: [...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 9],
        rqueue: 0,
        wqueue: 1448,
        inode: 78,
      }),
      control(3),
    ]);
    const decoder = new SockDiagDecoder();
    expect(decoder.feed(batch, batch.length)).toBe('done');
    expect(decoder.sockets).toEqual([
      {
        state: 'LISTEN',
        family: 4,
        local: { address: '127.0.0.1', port: 8080 },
        remote: { address: '0.0.0.0', port: 0 },
        recvQ: 3,
        sendQ: 511,
        uid: 1000,
        inode: 77,
      },
      {
        state: 'ESTABLISHED',
        family: 6,
        local: { address: '2001:db8::1', port: 443 },
        remote: { address: '::ffff:10.0.0.9', port: 50000 },
        recvQ: 0,
        sendQ: 1448,
        uid: 0,
        inode: 78,
        timer: { kind: 'retransmit', remainingMs: 1234, retries: 2 },
      },
    ]);
  });

  it('asks for more until NLMSG_DONE, and ignores a truncated tail', () => {
    const one = message({
      family: 2,
      state: 6,
      timer: 3,
      expires: 59000,
      sport: 1,
      dport: 2,
      src: [1, 2, 3, 4],
      dst: [5, 6, 7, 8],
      rqueue: 0,
      wqueue: 0,
      inode: 0,
    });
    const decoder = new SockDiagDecoder();
    expect(decoder.feed(Buffer.concat([one, one.subarray(0, 30)]), one.length + 30)).toBe('more');
    expect(decoder.sockets).toHaveLength(1);
    expect(decoder.sockets[0].timer).toEqual({ kind: 'time-wait', remainingMs: 59000, retries: 0 });
  });

  it('turns NLMSG_ERROR into a HostError', () => {
    const decoder = new SockDiagDecoder();
    expect(() => decoder.feed(control(2, 22), 20)).toThrow(HostError);
  });
});
