/**
 * Property tests (fast-check): two Connections over a faulty path (loss, duplication,
 * reordering by random delay) always deliver every byte once and in order and both reach
 * CLOSED; random segments thrown at a connection in any state never make it throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import { SeededRng } from '../../src/util/rng.js';
import type { TcpOption, TcpSegment } from '../../src/wire/types.js';
import { drain, firstDifference, pattern } from './helpers.js';
import { A, B, Pair, type Side } from './pair.js';

interface Faults {
  seed: number;
  loss: number;
  dup: number;
  jitter: number;
  size: number;
  configName: number;
}

const CONFIGS: Array<Partial<ConnectionConfig>> = [
  { msl: 60_000 },
  { msl: 60_000, windowScale: false, timestamps: false, sack: false },
  { msl: 60_000, sendBufferSize: 3000, receiveBufferSize: 2000, mss: 536 },
  { msl: 60_000, nagle: false, delayedAck: false, synOptionLayout: 'freebsd' },
];

/**
 * Counterexamples found before; fast-check runs them every time. The first two were the engine
 * taking a TSecr from before its own timeout as an RTT sample (RTO stuck near maxRto, so
 * b's FIN came back after a's 2MSL, or a's FIN after b's orphan FIN_WAIT2 timer); the others
 * are the late retransmissions reasonOf accepts.
 */
const COUNTEREXAMPLES: Faults[] = [
  { seed: 161571321, loss: 0.2, dup: 0, jitter: 30, size: 30195, configName: 3 },
  { seed: 19, loss: 0.2, dup: 0, jitter: 0, size: 56579, configName: 2 },
  // b's FIN lost again after a's lost ACK, sent again 81 s later (RTO 10 s from a 3 s sample).
  { seed: 289157280, loss: 0.2, dup: 0, jitter: 0, size: 1721, configName: 2 },
  // b retransmits data (not the FIN, so a does not restart 2MSL) until after a's 2MSL.
  { seed: 1651685841, loss: 0.2, dup: 0.05, jitter: 30, size: 39659, configName: 0 },
  // Simultaneous close; a's FIN lost 4 times (RTO 3 s, no sample: RFC 6298 5.7) came 95 s
  // later, after b's orphan FIN_WAIT2 timer; a in CLOSING is reset.
  { seed: 1341296218, loss: 0.2, dup: 0, jitter: 0, size: 13, configName: 1 },
  // Every SYN lost.
  { seed: 880553969, loss: 0.2, dup: 0.05, jitter: 30, size: 28557, configName: 1 },
];

function runFaulty(f: Faults): void {
  const rng = new SeededRng(f.seed);
  const p = new Pair({ latency: 5, config: CONFIGS[f.configName] });
  p.filter = (from: Side, seg: TcpSegment) => {
    if (rng.next() < f.loss) return false;
    const to: Side = from === 'a' ? 'b' : 'a';
    if (rng.next() < f.dup) p.flight.push({ at: p.now + 5 + rng.next() * f.jitter, to, seg });
    if (f.jitter > 0) {
      p.flight.push({ at: p.now + 5 + rng.next() * f.jitter, to, seg });
      return false;
    }
    return true;
  };
  p.connect();
  const up = pattern(f.size, 1);
  const down = pattern(Math.floor(f.size / 3), 2);
  let offA = 0;
  let offB = 0;
  let closedA = false;
  let closedB = false;
  for (let i = 0; i < 200_000; i++) {
    const a = p.a;
    const b = p.b;
    if (a?.state === 'ESTABLISHED' || a?.state === 'CLOSE_WAIT') {
      if (offA < up.length) offA += a.send(up.subarray(offA));
      else if (!closedA) {
        // Half-close: a still reads what b sends (close() would reset on late data).
        a.shutdown(p.now);
        closedA = true;
      }
    }
    if (b?.state === 'ESTABLISHED' || b?.state === 'CLOSE_WAIT') {
      if (offB < down.length) offB += b.send(down.subarray(offB));
      else if (!closedB && p.receivedLength.b === up.length) {
        b.close(p.now);
        closedB = true;
      }
    }
    p.flush();
    const t = p.next();
    if (t === undefined) break;
    p.run(t);
  }
  const why = `faults ${JSON.stringify(f)}; a ${p.state('a')} ${p.closedReason('a')}, b ${p.state('b')} ${p.closedReason('b')}`;
  if (p.b === undefined) {
    // All 7 SYNs lost (synRetries 6; 0.2^7, once in 1,000,000 runs seen): a gives up
    // (RFC 9293 3.8.3) and b never had a connection.
    expect(p.transitions('a'), why).toEqual([
      'CLOSED->SYN_SENT (connect())',
      'SYN_SENT->CLOSED (retransmission limit)',
    ]);
    return;
  }
  // Loss up to 20% did not exhaust 15 data retries in 1,000,000 runs.
  expect(firstDifference(p.bytes('b'), up), why).toBe(-1);
  expect(firstDifference(p.bytes('a'), down), why).toBe(-1);
  expect(p.state('a'), why).toBe('CLOSED');
  expect(p.state('b'), why).toBe('CLOSED');
  expect([reasonOf(p, 'a'), reasonOf(p, 'b')], why).toEqual(['normal', 'normal']);
}

/**
 * How a side ended, where a reset by a retransmission that came after the peer had let its
 * connection go counts as the orderly close it was. The peer lets go by its 2MSL timer (TIME_WAIT
 * is the only guard for the closing handshake's last ACK, RFC 9293 3.6) or, as an orphan after
 * close(), by its FIN_WAIT2 timer (Linux's tcp_fin_timeout, 60 s). When our FIN (or data) is
 * lost or unacknowledged until it is next sent after that (backoff up to maxRto 120 s = 2 * msl
 * 60 s here, and the peer restarts 2MSL only on a FIN: RFC 9293 3.10.7.4), it reaches a peer
 * that has no TCB. The peer must answer RST (RFC 9293 3.10.7.1), the RST's SEQ is our RCV.NXT so
 * it is an exact match (RFC 5961 3.2), and LAST_ACK or CLOSING then goes to CLOSED (RFC 9293
 * 3.10.7.4, second check). Any other reset still fails the property.
 */
function reasonOf(p: Pair, side: Side): string | undefined {
  const peer: Side = side === 'a' ? 'b' : 'a';
  const reason = p.closedReason(side);
  const last = p.transitions(side).at(-1);
  if (reason !== 'reset' || p.closedReason(peer) !== 'normal') return reason;
  if (last !== 'LAST_ACK->CLOSED (rcv RST)' && last !== 'CLOSING->CLOSED (rcv RST)') return reason;
  const peerEnd = p.eventsOf[peer].find((e) => e.type === 'state' && e.to === 'CLOSED');
  if (peerEnd?.type !== 'state') return reason;
  const timedOut =
    (peerEnd.from === 'TIME_WAIT' && peerEnd.cause === '2MSL timer') ||
    (peerEnd.from === 'FIN_WAIT2' && peerEnd.cause === 'FIN_WAIT2 timer');
  const peerRsts = p.log.filter((l) => l.from === peer && l.seg.flags.rst);
  const allAfterEnd = peerRsts.every((l) => l.at >= peerEnd.time);
  return timedOut && peerRsts.length > 0 && allAfterEnd ? 'normal' : reason;
}

describe('properties', () => {
  it('every byte arrives once, in order, and both ends close, under loss/dup/reorder', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          loss: fc.constantFrom(0, 0.02, 0.1, 0.2),
          dup: fc.constantFrom(0, 0.05),
          jitter: fc.constantFrom(0, 3, 30),
          size: fc.integer({ min: 0, max: 60_000 }),
          configName: fc.integer({ min: 0, max: CONFIGS.length - 1 }),
        }),
        (f) => runFaulty(f),
      ),
      {
        numRuns: 80,
        examples: COUNTEREXAMPLES.map((f) => [f]),
      },
    );
  });

  it('random segments never make a connection throw, in any state it reaches', () => {
    const arbOption: fc.Arbitrary<TcpOption> = fc.oneof(
      fc.record({ kind: fc.constant('mss' as const), value: fc.integer({ min: 0, max: 65535 }) }),
      fc.record({ kind: fc.constant('wscale' as const), shift: fc.integer({ min: 0, max: 255 }) }),
      fc.constant({ kind: 'sack-permitted' as const }),
      fc.record({
        kind: fc.constant('timestamp' as const),
        value: fc.nat({ max: 2 ** 32 - 1 }),
        echo: fc.nat({ max: 2 ** 32 - 1 }),
      }),
      fc.record({
        kind: fc.constant('sack' as const),
        blocks: fc.array(fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 })), {
          maxLength: 4,
        }),
      }),
    );
    const arbSeg = (near: () => number) =>
      fc
        .record({
          seqOff: fc.integer({ min: -70_000, max: 70_000 }),
          ackOff: fc.integer({ min: -70_000, max: 70_000 }),
          flags: fc.record({
            fin: fc.boolean(),
            syn: fc.boolean(),
            rst: fc.boolean(),
            psh: fc.boolean(),
            ack: fc.boolean(),
            urg: fc.boolean(),
            ece: fc.boolean(),
            cwr: fc.boolean(),
          }),
          window: fc.integer({ min: 0, max: 65535 }),
          options: fc.array(arbOption, { maxLength: 4 }),
          len: fc.integer({ min: 0, max: 3000 }),
        })
        .map(
          (r): TcpSegment => ({
            srcPort: B.port,
            dstPort: A.port,
            seq: (near() + r.seqOff) >>> 0,
            ack: (1_000_001 + r.ackOff) >>> 0,
            flags: r.flags,
            window: r.window,
            urgentPointer: 0,
            options: r.options,
            payload: new Uint8Array(r.len),
          }),
        );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(
          arbSeg(() => 5_000_001),
          { minLength: 1, maxLength: 40 },
        ),
        (prefix, segs) => {
          // Reach a state by a scripted prefix of the normal life, then throw noise at it.
          const c = Connection.connect(0, { local: A, remote: B, iss: 1_000_000 });
          drain(c, 0);
          const peer = (flags: Partial<TcpSegment['flags']>, seq: number, ack: number) =>
            c.handleSegment(1, {
              srcPort: B.port,
              dstPort: A.port,
              seq,
              ack,
              flags: {
                fin: false,
                syn: false,
                rst: false,
                psh: false,
                ack: false,
                urg: false,
                ece: false,
                cwr: false,
                ...flags,
              },
              window: 65535,
              urgentPointer: 0,
              options: [],
              payload: new Uint8Array(0),
            });
          if (prefix >= 1) peer({ syn: true, ack: true }, 5_000_000, 1_000_001);
          if (prefix >= 2) c.send(new Uint8Array(5000));
          if (prefix >= 3) c.shutdown(2);
          if (prefix >= 4) peer({ ack: true }, 5_000_001, 1_005_002);
          if (prefix >= 5) peer({ fin: true, ack: true }, 5_000_001, 1_005_002);
          if (prefix === 6) c.abort(3);
          drain(c, 3);
          let now = 4;
          for (const s of segs) {
            c.handleSegment(now, s);
            drain(c, now);
            const t = c.pollTimeout();
            if (t !== undefined && t <= now + 50) c.handleTimeout(t);
            drain(c, now);
            while (c.pollEvent());
            now += 10;
          }
          expect(c.sendQueue).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
