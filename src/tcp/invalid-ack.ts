/**
 * The rate limit of ACKs sent in answer to segments that fail the sequence or PAWS check (RFC
 * 9293 3.10.7.4 says to acknowledge each; RFC 5961 10 and Linux's tcp_invalid_ratelimit bound
 * them, so a blind attacker's 100,000 guesses do not draw 100,000 ACKs, and two ends that
 * disagree about the window cannot trade ACKs at wire speed).
 *
 * Kept apart from the TCB on purpose: one call from input, no field of its own there. The last
 * time is held per connection object, in a WeakMap that lets the connection go.
 */

const lastSent = new WeakMap<object, number>();
const suppressed = new WeakMap<object, number>();

/**
 * Whether `conn` may answer an out-of-window segment with an ACK at `now`: at most one per
 * `interval` ms (Linux tcp_invalid_ratelimit: 500; 0 answers every one).
 */
export function invalidSegmentAck(conn: object, now: number, interval: number): boolean {
  const last = lastSent.get(conn);
  if (interval > 0 && last !== undefined && now - last < interval) {
    suppressed.set(conn, (suppressed.get(conn) ?? 0) + 1);
    return false;
  }
  lastSent.set(conn, now);
  return true;
}

/** How many such ACKs `conn` did not send (Linux's TCPACKSkippedSeq and friends). */
export function invalidAcksSuppressed(conn: object): number {
  return suppressed.get(conn) ?? 0;
}
