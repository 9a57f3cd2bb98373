/**
 * The Linux semantics of system calls the gtests rely on, played as scripts: SO_SNDBUF read
 * back doubled, a blocking write() that returns once all of it is queued, shutdown(SHUT_RD),
 * ioctl(SIOCINQ), segments with no flags (`-`), and PSH on TSO super-segments of new data.
 */
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';

const play = (lines: string[]) => runScriptText(lines.join('\n'), { profile: 'linux' }).outcome;

const ESTABLISHED = [
  '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3',
  '+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0',
  '+0 bind(3, ..., ...) = 0',
  '+0 listen(3, 1) = 0',
  '+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>',
  '+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>',
  '+.01 < . 1:1(0) ack 1 win 257',
  '+0 accept(3, ..., ...) = 4',
];

describe('Linux system calls', () => {
  it('reads SO_SNDBUF back doubled (socket(7))', () => {
    const o = play([
      ...ESTABLISHED,
      '+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [21000], 4) = 0',
      '+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [42000], [4]) = 0',
    ]);
    expect(o).toEqual({ status: 'pass' });
  });

  it('returns a blocking write() only once every byte is queued', () => {
    const o = play([
      ...ESTABLISHED,
      '+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [5000], 4) = 0',
      // packetdrill: the end counts from the same event as the start (returns at +.005).
      '+0...0.005 write(4, ..., 15000) = 15000',
      '+0 > P. 1:10001(10000) ack 1',
      '+.005 < . 1:1(0) ack 10001 win 257',
      '+0 > P. 10001:15001(5000) ack 1',
    ]);
    expect(o).toEqual({ status: 'pass' });
  });

  it('gives EOF to read() after shutdown(SHUT_RD), and the data queued to ioctl(SIOCINQ)', () => {
    const o = play([
      ...ESTABLISHED,
      '+0 < P. 1:101(100) ack 1 win 257',
      '+0 ioctl(4, SIOCINQ, [100]) = 0',
      '+0 read(4, ..., 100) = 100',
      '+0 shutdown(4, SHUT_RD) = 0',
      '+0 read(4, ..., 1000) = 0',
    ]);
    expect(o.status).toBe('pass');
  });

  it('plays a segment with no flags written as -', () => {
    const o = play([
      ...ESTABLISHED,
      '+.01 < - 1:1001(1000) win 257',
      '+0 ioctl(4, SIOCINQ, [0]) = 0',
    ]);
    expect(o).toEqual({ status: 'pass' });
  });

  it('expects PSH on a super-segment of new data, as Linux sends its TSO segments', () => {
    const o = play([...ESTABLISHED, '+0 write(4, ..., 4000) = 4000', '+0 > . 1:4001(4000) ack 1']);
    expect(o).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/flags P\., expected \./),
    });
  });
});
