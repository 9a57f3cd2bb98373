import { describe, expect, it } from 'vitest';
import { parseProcNetTcp } from '../../src/host/proc-net-tcp.js';

const enc = (text: string) => new TextEncoder().encode(text);

const HEADER4 =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const HEADER6 =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

// Lines shaped exactly as net/ipv4/tcp_ipv4.c prints them (x86_64, little-endian words).
const V4 = [
  // 127.0.0.1:8080 LISTEN, accept queue 2, uid 1000
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
  // 10.0.0.5:51000 -> 93.184.216.34:443 ESTABLISHED, retransmit timer 200 ms (20 ticks), 3 retries, 10 bytes unacked
  '   1: 0500000A:C738 22D8B85D:01BB 01 0000000A:00000000 01:00000014 00000003     0        0 5555 2 0000000000000000 20 4 30 10 -1',
  // keepalive timer 7200 s = 720000 ticks (0xAFC80), 2 probes sent (the "timeout" column)
  '   2: 0500000A:C739 22D8B85D:01BB 01 00000000:00000000 02:000AFC80 00000000     0        2 5556 2 0000000000000000 20 4 30 10 -1',
  // TIME_WAIT: timer 3, 60 s = 6000 ticks (0x1770), inode 0 (no process)
  '   3: 0100007F:C73A 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
  // zero-window probe timer 4, 1 s, 1 probe; CLOSE_WAIT with 5 unread bytes
  '  10: 0100007F:1F90 0100007F:C73B 08 00000000:00000005 04:00000064 00000000  1000        1 7777 1 0000000000000000 20 4 30 10 -1',
  // 12 = TCP_NEW_SYN_RECV (request socket) -> SYN_RECV
  '10000: 0100007F:1F90 0100007F:C73C 0C 00000000:00000000 01:00000064 00000001     0        0 0 1 0000000000000000',
];

describe('parseProcNetTcp, IPv4', () => {
  const { sockets, badLines } = parseProcNetTcp(enc(`${HEADER4}${V4.join('\n')}\n`), 4);

  it('reads every line', () => {
    expect(badLines).toBe(0);
    expect(sockets.map((s) => s.state)).toEqual([
      'LISTEN',
      'ESTABLISHED',
      'ESTABLISHED',
      'TIME_WAIT',
      'CLOSE_WAIT',
      'SYN_RECV',
    ]);
  });

  it('decodes byte-swapped addresses and hex ports', () => {
    expect(sockets[0].local).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(sockets[1].local).toEqual({ address: '10.0.0.5', port: 51000 });
    expect(sockets[1].remote).toEqual({ address: '93.184.216.34', port: 443 });
  });

  it('takes queues, uid and inode; LISTEN backlog is unknown from /proc', () => {
    expect(sockets[0]).toMatchObject({ recvQ: 2, sendQ: 0, uid: 1000, inode: 4242 });
    expect(sockets[0].backlogUnknown).toBe(true);
    expect(sockets[1]).toMatchObject({ recvQ: 0, sendQ: 10, uid: 0, inode: 5555 });
    expect(sockets[1].backlogUnknown).toBeUndefined();
    expect(sockets[4].recvQ).toBe(5);
  });

  it('converts every timer kind, from USER_HZ ticks to ms', () => {
    expect(sockets[0].timer).toBeUndefined();
    expect(sockets[1].timer).toEqual({ kind: 'retransmit', remainingMs: 200, retries: 3 });
    expect(sockets[2].timer).toEqual({ kind: 'keepalive', remainingMs: 7_200_000, retries: 2 });
    expect(sockets[3].timer).toEqual({ kind: 'time-wait', remainingMs: 60_000, retries: 0 });
    expect(sockets[4].timer).toEqual({ kind: 'zero-window-probe', remainingMs: 1000, retries: 1 });
    expect(sockets[3].inode).toBe(0);
  });

  it('reads wide slot numbers (sl past 9999)', () => {
    expect(sockets[5].local.port).toBe(8080);
  });

  it('reads big-endian machines’ files when told', () => {
    const line =
      '   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1';
    const [s] = parseProcNetTcp(enc(HEADER4 + line), 4, false).sockets;
    expect(s.local.address).toBe('127.0.0.1');
  });
});

describe('parseProcNetTcp, IPv6', () => {
  const lines = [
    // [::1]:22 LISTEN
    '   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0',
    // [::ffff:127.0.0.1]:8080 <- [::ffff:127.0.0.1]:40000, v4-mapped
    '   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1',
    // [2001:db8::1]:443 -> [fe80::1:2]:1234
    '   2: B80D0120000000000000000001000000:01BB 000080FE000000000000000002000100:04D2 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000000000000 20 4 30 10 -1',
  ];
  const { sockets, badLines } = parseProcNetTcp(enc(HEADER6 + lines.join('\n')), 6);

  it('decodes IPv6, IPv4-mapped and compressed forms', () => {
    expect(badLines).toBe(0);
    expect(sockets.map((s) => s.family)).toEqual([6, 6, 6]);
    expect(sockets[0].local).toEqual({ address: '::1', port: 22 });
    expect(sockets[0].remote).toEqual({ address: '::', port: 0 });
    expect(sockets[1].local).toEqual({ address: '::ffff:127.0.0.1', port: 8080 });
    expect(sockets[1].remote).toEqual({ address: '::ffff:127.0.0.1', port: 40000 });
    expect(sockets[2].local).toEqual({ address: '2001:db8::1', port: 443 });
    expect(sockets[2].remote).toEqual({ address: 'fe80::1:2', port: 1234 });
  });
});

describe('parseProcNetTcp, Buffer and Uint8Array input', () => {
  it('gives the same sockets either way (Buffer takes a faster cache path)', () => {
    const text = `${HEADER6}   0: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000001000000:9C40 01 00000000:00000000 00:00000000 00000000     0        0 101 1\n   1: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000001000000:9C41 01 00000000:00000000 00:00000000 00000000     0        0 102 1\n`;
    const fromBuffer = parseProcNetTcp(Buffer.from(text), 6);
    const fromArray = parseProcNetTcp(enc(text), 6);
    expect(fromBuffer).toEqual(fromArray);
    expect(fromBuffer.sockets.map((s) => s.remote.address)).toEqual(['::1', '::1']);
  });
});

describe('parseProcNetTcp, bad input', () => {
  it('counts malformed lines and keeps going, never throws', () => {
    const text = `${HEADER4}garbage\n   0: 0100007F:1F\n${V4[0]}\n   1: 0100007F:1F90 00000000:0000 FF 00000000:00000000 00:00000000 00000000 0 0 1\n\n`;
    const { sockets, badLines } = parseProcNetTcp(enc(text), 4);
    expect(sockets).toHaveLength(1);
    expect(badLines).toBe(3);
  });

  it('survives random bytes', () => {
    for (let seed = 1; seed < 200; seed++) {
      const bytes = new Uint8Array(300);
      let x = seed;
      for (let i = 0; i < bytes.length; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        bytes[i] = x % 5 === 0 ? 0x0a : 0x20 + (x % 90);
      }
      expect(() => parseProcNetTcp(bytes, seed % 2 ? 4 : 6)).not.toThrow();
    }
  });

  it('an empty file or a header alone gives no sockets', () => {
    expect(parseProcNetTcp(enc(''), 4)).toEqual({ sockets: [], badLines: 0 });
    expect(parseProcNetTcp(enc(HEADER4), 4)).toEqual({ sockets: [], badLines: 0 });
  });
});
