import { describe, expect, it } from 'vitest';
import {
  describeSegment,
  emptyFlags,
  flagsFrom,
  formatOptions,
  formatPacket,
  formatSegment,
  type TcpSegment,
} from '../../src/wire/index.js';

function segment(overrides: Partial<TcpSegment>): TcpSegment {
  return {
    srcPort: 1,
    dstPort: 2,
    seq: 100,
    ack: 0,
    flags: emptyFlags(),
    window: 1000,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...overrides,
  };
}

describe('text forms', () => {
  it('name every option the way packetdrill scripts do', () => {
    expect(
      formatOptions([
        { kind: 'mss', value: 536 },
        { kind: 'nop' },
        { kind: 'wscale', shift: 14 },
        { kind: 'sack-permitted' },
        { kind: 'timestamp', value: 1, echo: 2 },
        { kind: 'sack', blocks: [[5, 9]] },
        { kind: 'unknown', code: 34, data: Uint8Array.of(0xab, 0x01) },
        { kind: 'unknown', code: 99, data: new Uint8Array(0) },
        { kind: 'eol' },
      ]),
    ).toBe('mss 536,nop,wscale 14,sackOK,TS val 1 ecr 2,sack 5:9,opt-34 ab01,opt-99,eol');
  });

  it('count data but not SYN or FIN in start:end(length), and show urg only with URG', () => {
    const fin = segment({ flags: flagsFrom('FP.'), ack: 7, payload: new Uint8Array(10) });
    expect(formatSegment(fin)).toBe('FP. 100:110(10) ack 7 win 1000');
    const urgent = segment({ flags: flagsFrom('U.'), ack: 7, urgentPointer: 4 });
    expect(formatSegment(urgent)).toBe('.U 100:100(0) ack 7 win 1000 urg 4');
    expect(describeSegment(urgent)).toBe('ACK,URG seq=100 ack=7 win=1000 urg=4');
  });

  it('label a segment without flags "none"', () => {
    expect(formatSegment(segment({}))).toBe('none 100:100(0) win 1000');
    expect(describeSegment(segment({}))).toBe('none seq=100 win=1000');
  });

  it('make numbers relative across the 2^32 wrap', () => {
    const seg = segment({ seq: 5, ack: 3, flags: flagsFrom('.') });
    expect(formatSegment(seg, { seqBase: 0xfffffffe, ackBase: 0xffffffff })).toBe(
      '. 7:7(0) ack 4 win 1000',
    );
  });

  it('put addresses and ports in front like tcpdump', () => {
    const seg = segment({ flags: flagsFrom('S'), options: [{ kind: 'mss', value: 1460 }] });
    expect(formatPacket({ src: '192.0.2.1', dst: '198.51.100.7' }, seg)).toBe(
      '192.0.2.1.1 > 198.51.100.7.2: S 100:100(0) win 1000 <mss 1460>',
    );
  });
});
