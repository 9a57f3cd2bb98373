import { describe, expect, it } from 'vitest';
import { established, expectSegments, IRS, ISS, PLAIN, seg, send } from './helpers.js';

const MSS = 1460;

/** 10 full segments in flight (the initial window, RFC 6928). */
function tenInFlight() {
  const c = established({ ...PLAIN, minRto: 1000 });
  expect(c.info().cwnd).toBe(10 * MSS);
  expect(c.send(new Uint8Array(20 * MSS))).toBe(20 * MSS);
  const sent = expectSegments(
    c,
    20,
    Array.from({ length: 10 }, (_, i) => ({ flags: '.', seq: ISS + 1 + i * MSS, len: MSS })),
  );
  expect(sent).toHaveLength(10);
  return c;
}

const ack = (n: number) => seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 + n });

describe('congestion control (RFC 5681, NewReno RFC 6582)', () => {
  it('slow start: cwnd grows by one MSS per ACK of a full segment', () => {
    const c = tenInFlight();
    send(c, ack(MSS), 30);
    expect(c.info().cwnd).toBe(11 * MSS);
    // One segment freed by the ACK plus one more by the larger cwnd.
    expectSegments(c, 30, [
      { flags: '.', seq: ISS + 1 + 10 * MSS },
      { flags: '.', seq: ISS + 1 + 11 * MSS },
    ]);
  });

  it('slow start counts bytes (RFC 3465, L = 2 SMSS): a delayed ACK of two segments grows cwnd by two, of three by two', () => {
    const c = tenInFlight();
    send(c, ack(2 * MSS), 30);
    expect(c.info().cwnd).toBe(12 * MSS);
    send(c, ack(5 * MSS), 31);
    expect(c.info().cwnd).toBe(14 * MSS);
  });

  it('limited transmit on dup ACKs 1 and 2, then fast retransmit on the third', () => {
    const c = tenInFlight();
    send(c, ack(MSS), 30);
    expectSegments(c, 30, [{ flags: '.' }, { flags: '.' }]);
    // Flight is now 11 segments (ISS+1+MSS .. +12*MSS). RFC 3042: one new segment per dup ACK.
    send(c, ack(MSS), 31);
    expectSegments(c, 31, [{ flags: '.', seq: ISS + 1 + 12 * MSS, len: MSS }]);
    send(c, ack(MSS), 32);
    expectSegments(c, 32, [{ flags: '.', seq: ISS + 1 + 13 * MSS, len: MSS }]);
    send(c, ack(MSS), 33);
    expectSegments(c, 33, [{ flags: '.', seq: ISS + 1 + MSS, len: MSS }]);
    const i = c.info();
    // RFC 5681 (3.2) eq. 4: 13 segments are out, but "additional data sent in limited transmit
    // MUST NOT be included" (step 2): FlightSize 11 segments, i.e. cwnd, as Linux halves it.
    expect(i.ssthresh).toBe(Math.floor((11 * MSS) / 2));
    expect(i.cwnd).toBe(i.ssthresh + 3 * MSS);
    expect(c.stats.fastRetransmits).toBe(1);
    expect(c.stats.dupAcksIn).toBe(3);
  });

  it('partial ACK retransmits the next hole; the full ACK ends recovery', () => {
    const c = tenInFlight();
    // Two limited-transmit segments, then the fast retransmit.
    send(c, ack(0), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 1 + 10 * MSS }]);
    send(c, ack(0), 31);
    expectSegments(c, 31, [{ flags: '.', seq: ISS + 1 + 11 * MSS }]);
    send(c, ack(0), 32);
    expectSegments(c, 32, [{ flags: '.', seq: ISS + 1, len: MSS }]);
    const ssthresh = c.info().ssthresh;
    // RFC 5681 (3.2 step 2): the two limited-transmit segments are not counted: 10 / 2.
    expect(ssthresh).toBe(5 * MSS);
    // Partial ACK: segments 0-3 arrived, 4 is lost too.
    send(c, ack(4 * MSS), 40);
    const out = expectSegments(c, 40, [{ flags: '.', seq: ISS + 1 + 4 * MSS, len: MSS }]);
    expect(out).toHaveLength(1);
    // Full ACK (covers "recover" = everything sent before recovery).
    send(c, ack(12 * MSS), 50);
    expect(c.info().cwnd).toBeLessThanOrEqual(ssthresh);
    expect(c.stats.retransmits).toBe(2);
  });

  it('RTO: cwnd = 1 MSS, ssthresh = max(FlightSize/2, 2*MSS), go-back-N from SND.UNA', () => {
    const c = tenInFlight();
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expect(c.info()).toMatchObject({ cwnd: MSS, ssthresh: 5 * MSS });
    expectSegments(c, t, [{ flags: '.', seq: ISS + 1, len: MSS }]);
    send(c, ack(MSS), t + 10);
    // Slow start again: two segments (the next ones after the acknowledged one).
    expectSegments(c, t + 10, [
      { flags: '.', seq: ISS + 1 + MSS },
      { flags: '.', seq: ISS + 1 + 2 * MSS },
    ]);
  });

  it('congestion avoidance: about one MSS per window of ACKed data', () => {
    const c = established({ ...PLAIN, initialCwndSegments: 2 });
    const cRto = c.info().cwnd;
    expect(cRto).toBe(2 * MSS);
    // Force ssthresh low with a timeout, then grow past it.
    c.send(new Uint8Array(100 * MSS));
    expectSegments(c, 20, [{ flags: '.' }, { flags: '.' }]);
    c.handleTimeout(c.pollTimeout() as number);
    expect(c.info().ssthresh).toBe(2 * MSS);
    let acked = 0;
    let t = 2000;
    const cw: number[] = [];
    for (let round = 0; round < 6; round++) {
      const segs = expectSegmentsLoose(c, t);
      for (const s of segs) {
        acked = s.seq + s.payload.byteLength - (ISS + 1);
        send(c, ack(acked >>> 0), t + 1);
      }
      cw.push(c.info().cwnd);
      t += 10;
    }
    // Linear growth: each round adds at most one MSS.
    for (let i = 1; i < cw.length; i++) {
      expect((cw[i] as number) - (cw[i - 1] as number)).toBeLessThanOrEqual(MSS);
    }
    expect(cw.at(-1)).toBeGreaterThan(2 * MSS);
  });
});

describe('restart after idle (RFC 5681 4.1)', () => {
  /** Acknowledges everything sent, round after round, until nothing is in flight. */
  function ackAll(c: ReturnType<typeof tenInFlight>, from: number): number {
    let t = from;
    let acked = 0;
    for (let out = expectSegmentsLoose(c, t); ; out = expectSegmentsLoose(c, t)) {
      for (const s of out) {
        acked = ((s.seq + s.payload.byteLength - (ISS + 1)) >>> 0) as number;
        send(c, ack(acked), t + 1);
      }
      t += 2;
      if (out.length === 0) return t;
    }
  }

  it('idle longer than an RTO, the window falls back to the initial window', () => {
    const c = tenInFlight();
    for (let i = 1; i <= 10; i++) send(c, ack(i * MSS), 30);
    let t = ackAll(c, 30);
    expect(c.info().cwnd).toBeGreaterThan(10 * MSS);
    // Sending again within the RTO (1 s here) uses the grown window at once.
    c.send(new Uint8Array(60 * MSS));
    const grown = c.info().cwnd / MSS;
    const burst = expectSegmentsLoose(c, t + 100);
    expect(burst).toHaveLength(Math.min(60, grown, Math.floor(65535 / MSS)));
    const last = burst.at(-1) as (typeof burst)[number];
    send(c, ack((last.seq + last.payload.byteLength - (ISS + 1)) >>> 0), t + 101);
    t = ackAll(c, t + 110);
    // Idle for 5 s: the restart window is the initial one.
    c.send(new Uint8Array(40 * MSS));
    expect(expectSegmentsLoose(c, t + 5000)).toHaveLength(10);
    expect(c.info().cwnd).toBe(10 * MSS);
  });
});

function expectSegmentsLoose(c: ReturnType<typeof established>, at: number) {
  const out = [];
  for (let s = c.pollTransmit(at); s; s = c.pollTransmit(at)) out.push(s);
  return out;
}
