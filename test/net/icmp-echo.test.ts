import { describe, expect, it } from 'vitest';
import { echoKey, echoReply, isEchoReply, isEchoRequest } from '../../src/link/tun/icmp-echo.js';

// An echo request as Linux ping sends it (10.77.0.1 -> 10.77.0.2, id 0x1234, seq 7, 8 data
// bytes); the checksums are left zero, which the reply must not depend on.
function request(): Uint8Array {
  const p = new Uint8Array(20 + 16);
  p.set([0x45, 0, 0, 36, 0xab, 0xcd, 0x40, 0, 64, 1, 0, 0, 10, 77, 0, 1, 10, 77, 0, 2]);
  p.set([8, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8], 20);
  return p;
}

function sum16(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('ICMP echo in the TUN link', () => {
  it('answers with addresses swapped, id, sequence and data unchanged, valid checksums', () => {
    const req = request();
    expect(isEchoRequest(req)).toBe(true);
    const rep = echoReply(req);
    expect(isEchoReply(rep)).toBe(true);
    expect([...rep.subarray(12, 16)]).toEqual([10, 77, 0, 2]);
    expect([...rep.subarray(16, 20)]).toEqual([10, 77, 0, 1]);
    expect([...rep.subarray(24)]).toEqual([...req.subarray(24)]);
    expect(sum16(rep.subarray(0, 20))).toBe(0xffff);
    expect(sum16(rep.subarray(20))).toBe(0xffff);
    expect(echoKey(rep, false)).toBe(echoKey(req, true));
    expect(echoKey(req, true)).toBe('4660/7/10.77.0.1');
  });

  it('leaves other packets alone', () => {
    const tcp = request();
    tcp[9] = 6;
    expect(isEchoRequest(tcp)).toBe(false);
    expect(isEchoRequest(new Uint8Array(10))).toBe(false);
    const reply = echoReply(request());
    expect(isEchoRequest(reply)).toBe(false);
  });
});
