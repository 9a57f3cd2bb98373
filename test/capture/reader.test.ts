import { describe, expect, it } from 'vitest';
import { CaptureReader, type Frame, readCaptureBytes } from '../../src/capture/index.js';
import { classicPcap, ethernet, ipv4, type Packet, pcapng, SYN, tcp } from './build.js';

const T = 1_700_000_000_123.456;

function packet(i: number, at = T + i): Packet {
  return {
    timeMs: at,
    data: ipv4('10.0.0.1', '10.0.0.2', tcp({ sport: 1000 + i, dport: 80, seq: i, flags: SYN })),
  };
}

function frames(bytes: Uint8Array, chunk = bytes.length) {
  const out: Array<
    Pick<Frame, 'timeMs' | 'linktype' | 'originalLength' | 'offset'> & { data: number[] }
  > = [];
  const reader = new CaptureReader((f) =>
    out.push({
      timeMs: f.timeMs,
      linktype: f.linktype,
      originalLength: f.originalLength,
      offset: f.offset,
      data: [...f.data],
    }),
  );
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  return { frames: out, problem: reader.end(), format: reader.format };
}

describe('classic pcap', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian files with ${nano ? 'nano' : 'micro'}second stamps`, () => {
        const ps = [packet(0), packet(1, T + 1.5)];
        const r = frames(classicPcap(ps, { le, nano, linktype: 101 }));
        expect(r.problem).toBeUndefined();
        expect(r.format).toBe('pcap');
        expect(r.frames.map((f) => f.linktype)).toEqual([101, 101]);
        expect(r.frames[0].data).toEqual([...ps[0].data]);
        expect(r.frames[0].timeMs).toBeCloseTo(T, 3);
        expect(r.frames[1].timeMs).toBeCloseTo(T + 1.5, 3);
        expect(r.frames[1].offset).toBe(24 + 16 + ps[0].data.length);
      });
    }
  }

  it('keeps nanoseconds that microseconds would lose', () => {
    // Near the epoch, where a double holds nanoseconds of a millisecond count: 1.234 µs past 5 s.
    const r = frames(classicPcap([packet(0, 5000.001234)], { nano: true }));
    expect(r.frames[0].timeMs - 5000).toBeCloseTo(0.001234, 6);
    const micro = frames(classicPcap([packet(0, 5000.001234)]));
    expect(micro.frames[0].timeMs - 5000).toBeCloseTo(0.001, 6);
  });

  it('completes a record bigger than its chunks (200 KB in 10 KB chunks, and in one chunk after a cut)', () => {
    const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const bytes = classicPcap([packet(0), { timeMs: T, data: big }, packet(1)]);
    const whole = frames(bytes);
    expect(whole.frames.map((f) => f.data.length)).toEqual([
      packet(0).data.length,
      200_000,
      packet(1).data.length,
    ]);
    expect(frames(bytes, 10_000)).toEqual(whole);
    expect(frames(bytes, 150_000)).toEqual(whole);
  });

  it('reports a record cut short with its offset, after the frames before it', () => {
    const whole = classicPcap([packet(0), packet(1), packet(2)]);
    const cut = whole.subarray(0, whole.length - 5);
    const r = frames(cut);
    expect(r.frames).toHaveLength(2);
    const third = 24 + 2 * (16 + packet(0).data.length);
    expect(r.problem).toMatchObject({ code: 'truncated', offset: third });
    expect(r.problem?.message).toMatch(/ends inside a record of \d+ bytes/);
  });

  it('stops at a record claiming more than any snaplen, without waiting for it', () => {
    const whole = classicPcap([packet(0), packet(1)]);
    const view = new DataView(whole.buffer);
    const second = 24 + 16 + packet(0).data.length;
    view.setUint32(second + 8, 50_000_000, true);
    const r = frames(whole);
    expect(r.frames).toHaveLength(1);
    expect(r.problem).toMatchObject({ code: 'bad-record', offset: second });
  });

  it('names a file that is not a capture', () => {
    const r = readCaptureBytes(new TextEncoder().encode('hello, world'), () => {});
    expect(r.problem).toMatchObject({ code: 'bad-magic', offset: 0 });
    expect(readCaptureBytes(new Uint8Array(0), () => {}).problem?.message).toBe(
      'the file is empty',
    );
  });
});

describe('pcapng', () => {
  it('reads several sections in both byte orders, several interfaces, SPBs, skipping options and unknown blocks', () => {
    const v4 = packet(0).data;
    const bytes = pcapng([
      {
        le: true,
        interfaces: [
          { linktype: 101, extraOptions: [[2, [...new TextEncoder().encode('eth0')]]] },
          { linktype: 1, tsresol: 9 },
        ],
        unknownBlock: true,
        packets: [
          { timeMs: T, data: v4 },
          { timeMs: T + 2, data: ethernet(v4), iface: 1 },
        ],
      },
      {
        le: false,
        interfaces: [{ linktype: 1, tsresol: 3, tsoffset: 100 }],
        packets: [{ timeMs: T + 5000, data: ethernet(v4) }],
      },
      {
        le: true,
        simple: true,
        interfaces: [{ linktype: 101, snaplen: 30 }],
        packets: [{ timeMs: 0, data: v4.subarray(0, 30), originalLength: v4.length }],
      },
    ]);
    const r = frames(bytes);
    expect(r.problem).toBeUndefined();
    expect(r.format).toBe('pcapng');
    expect(r.frames.map((f) => f.linktype)).toEqual([101, 1, 1, 101]);
    expect(r.frames[0].timeMs).toBeCloseTo(T, 3);
    expect(r.frames[1].timeMs).toBeCloseTo(T + 2, 3);
    expect(r.frames[1].data).toEqual([...ethernet(v4)]);
    // Millisecond resolution and a 100 s offset in the big-endian section.
    expect(r.frames[2].timeMs).toBeCloseTo(Math.round(T + 5000), 0);
    // A simple packet block: the time of the packet before it, cut to the snaplen.
    expect(r.frames[3].timeMs).toBe(r.frames[2].timeMs);
    expect(r.frames[3].data).toHaveLength(30);
    expect(r.frames[3].originalLength).toBe(v4.length);
  });

  it('reads the same frames whatever the chunk size', () => {
    const bytes = pcapng([
      {
        interfaces: [{ linktype: 101 }, { linktype: 1 }],
        packets: Array.from({ length: 20 }, (_, i) => ({
          timeMs: T + i,
          data: i % 2 ? ethernet(packet(i).data) : packet(i).data,
          iface: i % 2,
        })),
      },
    ]);
    const whole = frames(bytes);
    expect(whole.frames).toHaveLength(20);
    for (const chunk of [1, 3, 7, 64, 1000]) {
      const r = frames(bytes, chunk);
      expect(r.problem).toBeUndefined();
      expect(r.frames).toEqual(whole.frames);
    }
  });

  it('reports a bad block length and a packet on an undescribed interface with their offsets', () => {
    const bytes = pcapng([{ interfaces: [{ linktype: 101 }], packets: [packet(0), packet(1)] }]);
    const view = new DataView(bytes.buffer);
    // Find the second EPB: walk blocks by length.
    const offsets: number[] = [];
    for (let o = 0; o < bytes.length; o += view.getUint32(o + 4, true)) offsets.push(o);
    const second = offsets[3];
    const broken = bytes.slice();
    new DataView(broken.buffer).setUint32(second + 4, 13, true);
    let r = frames(broken);
    expect(r.frames).toHaveLength(1);
    expect(r.problem).toMatchObject({ code: 'bad-block', offset: second + 4 });

    const noIface = bytes.slice();
    new DataView(noIface.buffer).setUint32(second + 8, 7, true);
    r = frames(noIface);
    expect(r.frames).toHaveLength(1);
    expect(r.problem?.message).toMatch(/interface 7, but the section describes 1/);

    r = frames(bytes.subarray(0, second + 10));
    expect(r.frames).toHaveLength(1);
    expect(r.problem).toMatchObject({ code: 'truncated', offset: second });
  });

  it('says so when a pcapng file does not begin with a section header', () => {
    const bytes = pcapng([{ interfaces: [{ linktype: 101 }], packets: [] }]);
    const view = new DataView(bytes.buffer);
    const r = frames(bytes.subarray(view.getUint32(4, true)));
    expect(r.problem).toMatchObject({ code: 'bad-magic', offset: 0 });
  });
});
