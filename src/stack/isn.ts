/**
 * Initial sequence numbers per RFC 6528 (3): ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash.
 * Connections to different peers get unrelated ISNs; the same 4-tuple gets increasing ones.
 */
import { tupleBytes } from './address.js';
import type { SipKey } from './secret.js';
import { type SipKeyWords, siphash24Words, sipKeyWords } from './siphash.js';

/** RFC 6528 (3): "M is the 4 microsecond timer". */
const TICKS_PER_MS = 250;

export class IsnGenerator {
  private readonly key: SipKeyWords;

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
    // Once per connection, not per packet: the tuple's bytes are made afresh.
    const { bytes } = tupleBytes(localAddress, localPort, remoteAddress, remotePort, 0);
    const f = siphash24Words(this.key, bytes);
    const m = Math.floor(now * TICKS_PER_MS) % 0x1_0000_0000;
    return (m + f) % 0x1_0000_0000;
  }
}
