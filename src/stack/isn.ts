/**
 * Initial sequence numbers per RFC 6528 (3): ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash.
 * Connections to different peers get unrelated ISNs; the same 4-tuple gets increasing ones.
 */
import { ipv4ToU32 } from '../wire/address.js';
import type { SipKey } from './secret.js';
import { type SipKeyWords, siphash24Words, sipKeyWords } from './siphash.js';

/** RFC 6528 (3): "M is the 4 microsecond timer". */
const TICKS_PER_MS = 250;

export class IsnGenerator {
  private readonly key: SipKeyWords;
  private readonly buf = new Uint8Array(12);
  private readonly view = new DataView(this.buf.buffer);

  constructor(key: SipKey) {
    this.key = sipKeyWords(key.k0, key.k1);
  }

  isn(
    now: number,
    localAddress: string,
    localPort: number,
    remoteAddress: string,
    remotePort: number,
  ): number {
    const view = this.view;
    view.setUint32(0, ipv4ToU32(localAddress));
    view.setUint16(4, localPort);
    view.setUint32(6, ipv4ToU32(remoteAddress));
    view.setUint16(10, remotePort);
    const f = siphash24Words(this.key, this.buf);
    const m = Math.floor(now * TICKS_PER_MS) % 0x1_0000_0000;
    return (m + f) % 0x1_0000_0000;
  }
}
