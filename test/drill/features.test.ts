/**
 * The stack features the public suites need, played as packetdrill scripts: TCP Fast Open
 * (RFC 7413) as client and server, and ICMP hard errors in SYN_SENT (RFC 1122 4.2.3.9,
 * RFC 5927 4.1).
 */
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';

const play = (lines: string[], profile: 'linux' | 'freebsd' = 'freebsd') =>
  runScriptText(lines.join('\n'), { profile }).outcome;

describe('TCP Fast Open client (FreeBSD)', () => {
  const first = [
    '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0 setsockopt(3, IPPROTO_TCP, TCP_FASTOPEN, [1], 4) = 0',
    '+0 sendto(3, ..., 100, 0, ..., ...) = 100',
    // No cookie yet: the SYN asks for one, the data waits for the handshake.
    '+0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 0 ecr 0,FO,eol,eol>',
    '+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,FO 0102030405060708>',
    '+0 > P. 1:101(100) ack 1 win 65535',
    '+0.05 < . 1:1(0) ack 101 win 65535',
    '+0 close(3) = 0',
    '+0 > F. 101:101(0) ack 1 win 65535',
    '+0.05 < F. 1:1(0) ack 102 win 65535',
    '+0 > . 102:102(0) ack 2 win 65535',
  ];
  const again = (synAck: string, after: string) => [
    '+0.1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0 setsockopt(3, IPPROTO_TCP, TCP_FASTOPEN, [1], 4) = 0',
    '+0 sendto(3, ..., 100, 0, ..., ...) = 100',
    // The cached cookie: the data rides on the SYN.
    '+0 > S 0:100(100) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 0 ecr 0,FO 0102030405060708,eol,eol>',
    synAck,
    after,
  ];

  it('asks for a cookie, then sends data on the SYN with it', () => {
    const acked = again(
      '+0.05 < S. 0:0(0) ack 101 win 65535 <mss 1460>',
      '+0 > . 101:101(0) ack 1 win 65535',
    );
    expect(play([...first, ...acked])).toEqual({ status: 'pass' });
  });

  it('sends the data again when the SYN,ACK takes only the SYN', () => {
    const synOnly = again(
      '+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460>',
      '+0 > P. 1:101(100) ack 1 win 65535',
    );
    expect(play([...first, ...synOnly])).toEqual({ status: 'pass' });
  });

  it('fails a script that expects the cookie the server never gave', () => {
    const o = play([
      ...first.slice(0, 4),
      '+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK>',
      '+0 > P. 1:101(100) ack 1 win 65535',
      '+0 close(3) = 0',
      ...again('', '').slice(0, 4),
    ]);
    expect(o).toMatchObject({ status: 'fail', message: expect.stringMatching(/outbound segment/) });
  });
});

describe('TCP Fast Open server (Linux cookies under a key)', () => {
  const listen = [
    '`sysctl -q net.ipv4.tcp_fastopen=0x70403 net.ipv4.tcp_fastopen_key=a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4`',
    '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0 bind(3, ..., ...) = 0',
    '+0 listen(3, 1) = 0',
  ];

  it('gives the cookie of SipHash(client, server) to a request', () => {
    expect(
      play(
        [
          ...listen,
          '+0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,FO,nop,nop>',
          '+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,FO 3021b9d889017eeb,nop,nop>',
        ],
        'linux',
      ),
    ).toEqual({ status: 'pass' });
  });

  it('takes the data of a SYN with that cookie, and accept() returns before the handshake ends', () => {
    expect(
      play(
        [
          ...listen,
          '+0 < S 0:10(10) win 32792 <mss 1460,sackOK,nop,nop,FO 3021b9d889017eeb,nop,nop>',
          '+0 > S. 0:0(0) ack 11 <mss 1460,nop,nop,sackOK>',
          '+0 accept(3, ..., ...) = 4',
          '+0 %{ assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options }%',
          '+0 read(4, ..., 512) = 10',
        ],
        'linux',
      ),
    ).toEqual({ status: 'pass' });
  });

  it('acknowledges only the SYN of a wrong cookie and sends the right one', () => {
    expect(
      play(
        [
          ...listen,
          '+0 < S 0:10(10) win 32792 <mss 1460,sackOK,nop,nop,FO 0000000000000000,nop,nop>',
          '+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,FO 3021b9d889017eeb,nop,nop>',
        ],
        'linux',
      ),
    ).toEqual({ status: 'pass' });
  });
});

describe('ICMP errors while opening (FreeBSD, icmp_may_rst=1)', () => {
  const opening = [
    '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
    '+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0',
    '+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
    '+0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>',
  ];
  const soError = (e: string) => `+0.1 getsockopt(3, SOL_SOCKET, SO_ERROR, [${e}], [4]) = 0`;

  it('ignores one quoting a sequence number outside SND.UNA..SND.NXT-1 (RFC 5927 4.1)', () => {
    const lines = [
      ...opening,
      '+0.1 < icmp unreachable port_unreachable [1:1(0)]',
      soError('0'),
      '+0.1 < icmp unreachable port_unreachable [0:0(0)]',
      soError('ECONNREFUSED'),
    ];
    expect(play(lines)).toEqual({ status: 'pass' });
  });

  it('ends the attempt with EHOSTUNREACH on time exceeded, and keeps it on a soft error', () => {
    expect(
      play([
        ...opening,
        '+0.1 < icmp time_exceeded ttl_exceeded_in_transit [0:0(0)]',
        soError('EHOSTUNREACH'),
      ]),
    ).toEqual({ status: 'pass' });
    expect(
      play([...opening, '+0.1 < icmp unreachable host_unreachable [0:0(0)]', soError('0')]),
    ).toEqual({ status: 'pass' });
  });
});
