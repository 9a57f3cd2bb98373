/**
 * The engine and the state diagram (src/state/transitions.ts) agree: every transition the
 * engine makes in a broad set of exchanges is a row of the table, with the same cause, and
 * every row the table marks as reachable in simulation is made by one of these exchanges.
 */
import { describe, expect, it } from 'vitest';
import { type Cause, findTransition, TRANSITIONS } from '../../src/state/transitions.js';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionEvent } from '../../src/tcp/types.js';
import {
  drain,
  established,
  events,
  IRS,
  ISS,
  MSS_1460,
  opts,
  PLAIN,
  seg,
  send,
} from './helpers.js';
import { Pair } from './pair.js';

type Story = () => ConnectionEvent[];

/** Ways to reach each synchronized state from ESTABLISHED; each returns the peer's RCV.NXT. */
const SYNCHRONIZED: Array<(c: Connection) => number> = [
  () => IRS + 1, // ESTABLISHED
  (c) => {
    c.shutdown(20);
    drain(c, 20);
    return IRS + 1; // FIN_WAIT1
  },
  (c) => {
    c.shutdown(20);
    drain(c, 20);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 21);
    return IRS + 1; // FIN_WAIT2
  },
  (c) => {
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    drain(c, 20);
    return IRS + 2; // CLOSE_WAIT
  },
  (c) => {
    c.shutdown(20);
    drain(c, 20);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 21);
    drain(c, 21);
    return IRS + 2; // CLOSING
  },
  (c) => {
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    c.close(21);
    drain(c, 21);
    return IRS + 2; // LAST_ACK
  },
];

/** Runs timers until the connection closes (or gives up after many steps). */
function runOut(c: Connection, from: number): ConnectionEvent[] {
  let now = from;
  const out = events(c);
  for (let i = 0; i < 100 && c.pollTimeout() !== undefined; i++) {
    now = c.pollTimeout() as number;
    c.handleTimeout(now);
    drain(c, now);
    out.push(...events(c));
  }
  return out;
}

const stories: Record<string, Story> = {
  'active open, FIN first, 2MSL': () => {
    const c = established();
    const out = [];
    c.close(20);
    drain(c, 20);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 30);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 40);
    drain(c, 40);
    out.push(...runOut(c, 40));
    return out;
  },
  'passive open, peer closes first': () => {
    const c = Connection.acceptSyn(0, seg({ flags: 'S', seq: IRS, options: MSS_1460 }), opts());
    drain(c, 0);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1 }), 10);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    drain(c, 20);
    c.close(30);
    drain(c, 30);
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 2 }), 40);
    return events(c);
  },
  'simultaneous open and close': () => {
    const p = new Pair({ config: { msl: 100 } }).connectBoth().run(100);
    p.conn('a').close(p.now);
    p.conn('b').close(p.now);
    p.flush();
    p.run();
    return [...p.eventsOf.a, ...p.eventsOf.b];
  },
  'FIN and ACK together': () => {
    const c = established();
    c.close(20);
    drain(c, 20);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 30);
    return runOut(c, 30);
  },
  'refused, SYN timeout, close in SYN_SENT, abort in SYN_SENT': () => {
    const out: ConnectionEvent[] = [];
    const a = Connection.connect(0, opts());
    drain(a, 0);
    send(a, seg({ flags: 'R.', seq: 0, ack: ISS + 1 }), 5);
    out.push(...events(a));
    const b = Connection.connect(0, opts({ ...PLAIN, synRetries: 1 }));
    drain(b, 0);
    out.push(...runOut(b, 0));
    const c = Connection.connect(0, opts());
    c.close(1);
    out.push(...events(c));
    const d = Connection.connect(0, opts());
    d.abort(1);
    out.push(...events(d));
    return out;
  },
  'SYN_RECV: RST, timeout, FIN with the ACK': () => {
    const out: ConnectionEvent[] = [];
    const mk = (config = PLAIN) => {
      const c = Connection.acceptSyn(0, seg({ flags: 'S', seq: IRS }), opts(config));
      drain(c, 0);
      return c;
    };
    const a = mk();
    send(a, seg({ flags: 'R', seq: IRS + 1 }), 5);
    out.push(...events(a));
    out.push(...runOut(mk({ ...PLAIN, synRetries: 1 }), 0));
    const c = mk();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 5);
    out.push(...events(c));
    return out;
  },
  'resets and aborts in every synchronized state': () => {
    const out: ConnectionEvent[] = [];
    for (const reach of SYNCHRONIZED) {
      const r = established();
      send(r, seg({ flags: 'R', seq: reach(r) }), 30);
      out.push(...events(r));
      const a = established();
      reach(a);
      a.abort(30);
      out.push(...events(a));
    }
    return out;
  },
  'timeouts in every synchronized state': () => {
    const out: ConnectionEvent[] = [];
    const keepalive = { enabled: true, idle: 1000, interval: 100, count: 1 };
    const variants = [
      { ...PLAIN, dataRetries: 1, minRto: 200 },
      { ...PLAIN, keepalive },
      { ...PLAIN, userTimeout: 300 },
    ];
    for (const config of variants) {
      for (const reach of SYNCHRONIZED) {
        const c = established(config);
        reach(c);
        const open = c.state === 'ESTABLISHED' || c.state === 'CLOSE_WAIT';
        // Keepalive probes an idle connection; the other two need data outstanding.
        if (open && !config.keepalive) c.send(new Uint8Array(5));
        drain(c, 25);
        out.push(...runOut(c, 25));
      }
    }
    const s = Connection.connect(0, opts({ ...PLAIN, userTimeout: 500 }));
    drain(s, 0);
    out.push(...runOut(s, 0));
    return out;
  },
  'active open; shutdown() in CLOSE_WAIT': () => {
    const c = Connection.connect(0, opts());
    drain(c, 0);
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, options: MSS_1460 }), 10);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    c.shutdown(30);
    return events(c);
  },
  'orphan timers, keepalive, user timeout, data after close, close with unread data': () => {
    const out: ConnectionEvent[] = [];
    const a = established({ ...PLAIN, finWait2Timeout: 100 });
    a.close(20);
    drain(a, 20);
    send(a, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 21);
    out.push(...runOut(a, 21));
    const k = established({
      ...PLAIN,
      keepalive: { enabled: true, idle: 100, interval: 10, count: 1 },
    });
    drain(k, 10);
    out.push(...runOut(k, 10));
    const u = established({ ...PLAIN, userTimeout: 300 });
    u.send(new Uint8Array(5));
    drain(u, 20);
    out.push(...runOut(u, 20));
    for (const finAcked of [false, true]) {
      // Data after close(), in FIN_WAIT1 (our FIN not yet acknowledged) and in FIN_WAIT2.
      const d = established();
      d.close(20);
      drain(d, 20);
      if (finAcked) send(d, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 25);
      send(d, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 2, data: 5 }), 30);
      out.push(...events(d));
    }
    const r = established();
    send(r, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 5 }), 20);
    r.close(30);
    out.push(...events(r));
    const w = established();
    send(w, seg({ flags: 'FP.', seq: IRS + 1, ack: ISS + 1, data: 5 }), 20);
    w.close(30);
    out.push(...events(w));
    return out;
  },
  'TIME_WAIT reuse': () => {
    const c = established();
    c.close(20);
    drain(c, 20);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 30);
    c.endTimeWait(40, 'rcv SYN');
    return events(c);
  },
};

describe('the engine against the state diagram table', () => {
  const seen = new Set<string>();
  for (const [name, story] of Object.entries(stories)) {
    it(`${name}: every transition is a row of the table`, () => {
      const made = story().flatMap((e) =>
        e.type === 'state' ? [`${e.from}->${e.to} (${e.cause})`] : [],
      );
      expect(made.length).toBeGreaterThan(0);
      for (const t of made) {
        seen.add(t);
        const m = /^(\w+)->(\w+) \((.*)\)$/.exec(t) as RegExpExecArray;
        const row = findTransition(m[1] as never, m[2] as never, m[3] as Cause);
        expect(row, `not in src/state/transitions.ts: ${t}`).toBeDefined();
      }
    });
  }

  it('every row reachable in simulation is made by some story above', () => {
    const missing = TRANSITIONS.filter(
      (t) => t.notInSimulation === undefined && t.from !== 'CLOSED' && t.cause !== 'listen()',
    )
      .map((t) => `${t.from}->${t.to} (${t.cause})`)
      .filter((t) => !seen.has(t));
    expect(missing).toEqual([]);
  });
});
