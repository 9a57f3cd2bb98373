import { describe, expect, it } from 'vitest';
import type { TcpOption } from '../../src/wire/types.js';
import { established, expectSegments, IRS, ISS, PLAIN, seg, send } from './helpers.js';

const WS7: TcpOption[] = [
  { kind: 'mss', value: 1460 },
  { kind: 'nop' },
  { kind: 'wscale', shift: 7 },
];

describe('window scaling (RFC 7323 2)', () => {
  const cfg = { ...PLAIN, windowScale: true, receiveBufferSize: 1 << 20 };

  it('both SYNs carry it: windows are scaled both ways, not in the SYN itself', () => {
    const c = established(cfg, WS7, 1000);
    expect(c.info()).toMatchObject({ sndWndScale: 7, rcvWndScale: 5, sndWnd: 1000 });
    // Our advertised window: 1 MiB >> 5.
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, window: 1000 }), 20);
    expect(c.info().sndWnd).toBe(1000 << 7);
    c.send(new Uint8Array(10));
    expectSegments(c, 21, [{ flags: 'P.', window: (1 << 20) >> 5 }]);
  });

  it('the peer did not offer it: no scaling either way', () => {
    const c = established(cfg);
    expect(c.info()).toMatchObject({ sndWndScale: 0, rcvWndScale: 0 });
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', window: 65535 }]);
  });

  it('a shift above 14 is taken as 14', () => {
    const c = established(cfg, [{ kind: 'wscale', shift: 20 }]);
    expect(c.info().sndWndScale).toBe(14);
  });
});
