import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  correctTimeWait,
  mayBeTimeWait,
  readTimeWaitSockets,
} from '../../src/host/kernel/trace-timewait.js';
import { eventFilter } from '../../src/host/kernel/tracefs.js';
import { ProcPoller } from '../../src/host/kernel/watch-poll.js';
import {
  type KernelFieldsLine,
  type KernelTransition,
  kernelTransitionEvent,
  parseTraceFieldsLine,
  parseTraceLine,
} from '../../src/host/trace-line.js';
import { TracePairer } from '../../src/host/trace-pair.js';
import { eventMatches } from '../../src/host/watch-filter.js';
import {
  type HostChange,
  type HostSeen,
  type HostTransition,
  TransitionTracker,
} from '../../src/host/watch-tracker.js';
import { formatLifetime, watchEventJson } from '../../src/host/watch-view.js';
import { transitionJson } from '../../src/state/events.js';

const ep = (address: string, port: number) => ({ address, port });

// Lines as trace_pipe printed them on Linux 6.18 for a loopback connection (print format of
// sock/inet_sock_set_state), with one `<...>` task and one record-tgid column variant.
const LINES = {
  listen:
    '            node-17385   [000] .....  1836.848528: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=45123 dport=0 saddr=127.0.0.1 daddr=0.0.0.0 saddrv6=::ffff:127.0.0.1 daddrv6=:: oldstate=TCP_CLOSE newstate=TCP_LISTEN',
  v6: '           <...>-26646   [001] .....  2304.850797: inet_sock_set_state: family=AF_INET6 protocol=IPPROTO_TCP sport=45319 dport=0 saddr=0.0.0.0 daddr=0.0.0.0 saddrv6=:: daddrv6=:: oldstate=TCP_CLOSE newstate=TCP_LISTEN',
  tgid: '  kworker/u8:2-1234  (   1234) [003] ..s1.   12.500000: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=80 dport=5000 saddr=10.0.0.1 daddr=10.0.0.2 saddrv6=::ffff:10.0.0.1 daddrv6=::ffff:10.0.0.2 oldstate=TCP_LISTEN newstate=TCP_NEW_SYN_RECV',
  sctp: '            node-1   [000] .....  1.000000: inet_sock_set_state: family=AF_INET protocol=IPPROTO_SCTP sport=1 dport=2 saddr=1.1.1.1 daddr=2.2.2.2 saddrv6=:: daddrv6=:: oldstate=TCP_CLOSE newstate=TCP_LISTEN',
};

describe('parseTraceLine', () => {
  it('reads task, pid, cpu, time, addresses and states', () => {
    expect(parseTraceLine(LINES.listen)).toEqual({
      timestamp: 1836.848528,
      cpu: 0,
      pid: 17385,
      task: 'node',
      context: 'process',
      family: 4,
      saddr: '127.0.0.1',
      sport: 45123,
      daddr: '0.0.0.0',
      dport: 0,
      from: 'CLOSED',
      to: 'LISTEN',
      oldstate: 7,
      newstate: 10,
    });
  });

  it('becomes the one transition event right after parsing, with no cause', () => {
    const t = parseTraceLine(LINES.listen) as KernelTransition;
    const event = kernelTransitionEvent(t, { time: 1234, process: 'node', skaddr: '0xa' });
    expect(event).toEqual({
      kind: 'transition',
      time: 1234,
      connection: { local: ep('127.0.0.1', 45123), remote: ep('0.0.0.0', 0) },
      from: 'CLOSED',
      to: 'LISTEN',
      family: 4,
      pid: 17385,
      process: 'node',
      skaddr: '0xa',
    });
    expect(transitionJson(event)).not.toHaveProperty('cause');
  });

  it('takes IPv6 addresses for AF_INET6 and keeps <...> as the task', () => {
    const t = parseTraceLine(LINES.v6);
    expect([t?.task, t?.pid, t?.family, t?.saddr, t?.cpu]).toEqual(['<...>', 26646, 6, '::', 1]);
  });

  it('handles task names with dashes, the tgid column, and TCP_NEW_SYN_RECV as SYN_RECV', () => {
    const t = parseTraceLine(LINES.tgid);
    expect([t?.task, t?.pid, t?.cpu, t?.from, t?.to]).toEqual([
      'kworker/u8:2',
      1234,
      3,
      'LISTEN',
      'SYN_RECV',
    ]);
  });

  it('ignores other protocols, other events and garbage', () => {
    expect(parseTraceLine(LINES.sctp)).toBeUndefined();
    expect(parseTraceLine('# tracer: nop')).toBeUndefined();
    expect(parseTraceLine(LINES.listen.replace('TCP_LISTEN', 'TCP_BOGUS'))).toBeUndefined();
    expect(parseTraceLine(LINES.listen.replace('sport=45123', 'sport=99999'))).toBeUndefined();
    expect(parseTraceLine('')).toBeUndefined();
  });
});

// The same event with the instance option `fields` (Linux 6.18), for skaddr.
const FIELDS_LINE =
  '            node-17385   [000] .....  1836.848530: inet_sock_set_state: skaddr=0xffff888130991bc0 (-131386529211456) oldstate=0x7 (7) newstate=0xa (10) sport=0xb043 (45123) dport=0x0 (0) family=0x2 (2) protocol=0x6 (6) saddr=0x100007f (16777343) daddr=0x0 (0) saddr_v6=<INVALID-SIZE> daddr_v6=<INVALID-SIZE>';

describe('parseTraceFieldsLine and TracePairer', () => {
  it('reads skaddr and the numeric fields', () => {
    expect(parseTraceFieldsLine(FIELDS_LINE)).toEqual({
      timestamp: 1836.84853,
      cpu: 0,
      skaddr: '0xffff888130991bc0',
      family: 2,
      sport: 45123,
      dport: 0,
      oldstate: 7,
      newstate: 10,
    });
    expect(parseTraceFieldsLine(LINES.listen)).toBeUndefined();
  });

  const normal = parseTraceLine(LINES.listen) as KernelTransition;
  const twin = parseTraceFieldsLine(FIELDS_LINE) as KernelFieldsLine;

  it('gives a line its twin’s skaddr whichever arrives first, in the lines’ order', () => {
    const out: [number, string | undefined][] = [];
    const pairer = new TracePairer((t, sk) => out.push([t.timestamp, sk]), 50);
    pairer.addTransition(normal, 0);
    expect(out).toEqual([]); // waits for its twin
    pairer.addFields(twin, 1);
    pairer.addFields({ ...twin, timestamp: 1837, skaddr: '0xb' }, 2);
    pairer.addTransition({ ...normal, timestamp: 1837 }, 3);
    expect(out).toEqual([
      [1836.848528, '0xffff888130991bc0'],
      [1837, '0xb'],
    ]);
    expect(pairer.waiting).toBe(false);
  });

  it('lets a line go without skaddr when its twin is late or was lost, and drops orphan twins', () => {
    const out: [number, string | undefined][] = [];
    const pairer = new TracePairer((t, sk) => out.push([t.timestamp, sk]), 50);
    pairer.addTransition(normal, 0);
    pairer.drain(49);
    expect(out).toEqual([]);
    pairer.drain(50);
    expect(out).toEqual([[1836.848528, undefined]]);
    // A twin whose line never came is dropped when the next line's twin follows it.
    pairer.addFields({ ...twin, timestamp: 1838, sport: 1 }, 60);
    pairer.addFields({ ...twin, timestamp: 1839, skaddr: '0xc' }, 61);
    pairer.addTransition({ ...normal, timestamp: 1839 }, 62);
    expect(out.at(-1)).toEqual([1839, '0xc']);
    // A line whose twin was lost while newer twins came on its CPU goes out at once.
    pairer.addFields({ ...twin, timestamp: 1841, skaddr: '0xd' }, 70);
    pairer.addTransition({ ...normal, timestamp: 1840 }, 71);
    expect(out.at(-1)).toEqual([1840, undefined]);
  });

  it('tracks sockets by skaddr when it is known', () => {
    const t = new TransitionTracker();
    // Two connects to one destination: skaddr tells them apart whatever the order.
    t.record({ ...input(0, 0, 80, 'CLOSED', 'SYN_SENT'), skaddr: '0xa' });
    t.record({ ...input(5, 0, 80, 'CLOSED', 'SYN_SENT'), skaddr: '0xb' });
    expect(t.record({ ...input(10, 5002, 80, 'SYN_SENT', 'ESTABLISHED'), skaddr: '0xb' }).ms).toBe(
      5,
    );
    expect(t.record({ ...input(12, 5001, 80, 'SYN_SENT', 'ESTABLISHED'), skaddr: '0xa' }).ms).toBe(
      12,
    );
    expect(
      t
        .lifetimes()
        .map((l) => l.local.port)
        .sort(),
    ).toEqual([5001, 5002]);
  });
});

describe('eventFilter', () => {
  it('always keeps TCP only, and adds family and ports', () => {
    expect(eventFilter({})).toBe('protocol == 6');
    expect(eventFilter({ family: 6, ports: [80, 443] })).toBe(
      'protocol == 6 && family == 10 && (sport == 80 || dport == 80 || sport == 443 || dport == 443)',
    );
  });
});

const loopback = (local: number, remote: number) => ({
  local: ep('127.0.0.1', local),
  remote: ep('127.0.0.1', remote),
});

function input(
  time: number,
  local: number,
  remote: number,
  from: HostTransition['from'],
  to: HostTransition['to'],
): HostTransition {
  return {
    kind: 'transition',
    time,
    family: 4,
    connection: loopback(local, remote),
    from,
    to,
  };
}

/** A socket polling found in `state` without having seen it before. */
function seenAt(time: number, local: number, remote: number, state: HostSeen['state']): HostSeen {
  return {
    kind: 'seen',
    time,
    family: 4,
    connection: loopback(local, remote),
    state,
  };
}

describe('TransitionTracker', () => {
  it('follows a connect whose first change has no local port yet, and times each state', () => {
    const t = new TransitionTracker();
    const events = [
      t.record(input(1000, 0, 80, 'CLOSED', 'SYN_SENT')),
      t.record(input(1003, 5000, 80, 'SYN_SENT', 'ESTABLISHED')),
      t.record(input(2003, 5000, 80, 'ESTABLISHED', 'FIN_WAIT1')),
      t.record(input(2004, 5000, 80, 'FIN_WAIT1', 'FIN_WAIT2')),
      t.record(input(2010, 5000, 80, 'FIN_WAIT2', 'CLOSED')),
    ];
    expect(events.map((e) => e.ms)).toEqual([null, 3, 1000, 1, 6]);
    const [life] = t.lifetimes();
    expect(life.states).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2']);
    expect([life.start, life.end, life.local.port, life.joinedMidway]).toEqual([
      1000,
      2010,
      5000,
      false,
    ]);
    expect(formatLifetime(life)).toBe(
      '127.0.0.1:5000 -> 127.0.0.1:80  1.01 s  SYN_SENT > ESTABLISHED > FIN_WAIT1 > FIN_WAIT2 > CLOSED',
    );
  });

  it('pairs simultaneous connects to one destination oldest first', () => {
    const t = new TransitionTracker();
    t.record(input(0, 0, 80, 'CLOSED', 'SYN_SENT'));
    t.record(input(5, 0, 80, 'CLOSED', 'SYN_SENT'));
    expect(t.record(input(10, 5001, 80, 'SYN_SENT', 'ESTABLISHED')).ms).toBe(10);
    expect(t.record(input(12, 5002, 80, 'SYN_SENT', 'ESTABLISHED')).ms).toBe(7);
  });

  it('starts a child socket at SYN_RECV, marks sockets older than the watch, and keeps open ones', () => {
    const t = new TransitionTracker();
    t.record(input(0, 80, 5000, 'LISTEN', 'SYN_RECV'));
    t.record(input(1, 80, 5000, 'SYN_RECV', 'ESTABLISHED'));
    t.record(input(3, 22, 6000, 'ESTABLISHED', 'CLOSE_WAIT'));
    const [child, old] = t.lifetimes();
    expect([child.states, child.joinedMidway, child.end]).toEqual([
      ['SYN_RECV', 'ESTABLISHED'],
      false,
      undefined,
    ]);
    expect([old.states, old.joinedMidway]).toEqual([['ESTABLISHED', 'CLOSE_WAIT'], true]);
    expect(formatLifetime(old)).toBe(
      '127.0.0.1:22 -> 127.0.0.1:6000  still open  … > ESTABLISHED > CLOSE_WAIT',
    );
  });

  it('keeps a bounded number of finished lifetimes and counts the rest', () => {
    const t = new TransitionTracker({ maxFinished: 2 });
    for (let i = 0; i < 7; i++) {
      t.record(input(i, 80, 6000 + i, 'LISTEN', 'SYN_RECV'));
      t.record(input(i, 80, 6000 + i, 'SYN_RECV', 'CLOSED'));
    }
    const kept = t.lifetimes();
    expect(kept.length + t.forgottenLifetimes).toBe(7);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(kept.at(-1)?.remote.port).toBe(6006);
  });

  it('starts the lifetime of a socket first seen by polling in its state, joined midway', () => {
    const t = new TransitionTracker();
    const seen = seenAt(100, 40000, 8080, 'ESTABLISHED');
    expect(t.record(seen)).toBe(seen);
    const [open] = t.lifetimes();
    expect([open.states, open.joinedMidway, open.start, open.end]).toEqual([
      ['ESTABLISHED'],
      true,
      100,
      undefined,
    ]);
    // Its next change is timed from when it was seen.
    expect(t.record(input(150, 40000, 8080, 'ESTABLISHED', 'CLOSED')).ms).toBe(50);
    expect(formatLifetime(t.lifetimes()[0])).toBe(
      '127.0.0.1:40000 -> 127.0.0.1:8080  0.05 s  … > ESTABLISHED > CLOSED',
    );
    // Seen again on a tuple still open: the same socket, not a second lifetime.
    t.record({ ...seen, time: 200 });
    t.record({ ...seen, time: 300 });
    expect(t.lifetimes().map((l) => [l.start, l.states])).toEqual([
      [100, ['ESTABLISHED']],
      [200, ['ESTABLISHED']],
    ]);
  });

  it('starts a new connection when the kernel reuses a socket address, and never times across it', () => {
    const t = new TransitionTracker({ endAtTimeWait: true });
    const on = (change: HostTransition) => t.record({ ...change, skaddr: '0xa' });
    on(input(0, 0, 5101, 'CLOSED', 'SYN_SENT'));
    on(input(1, 40000, 5101, 'SYN_SENT', 'ESTABLISHED'));
    on(input(20, 40000, 5101, 'ESTABLISHED', 'FIN_WAIT1'));
    on(input(21, 40000, 5101, 'FIN_WAIT1', 'FIN_WAIT2'));
    // Orphaned in FIN_WAIT2: the kernel closes the full socket, a time-wait socket goes on.
    on({ ...input(21, 40000, 5101, 'FIN_WAIT2', 'FIN_WAIT2'), reported: 'CLOSED' });
    // The same memory, the next connection, to another port.
    expect(on(input(600, 0, 5102, 'CLOSED', 'SYN_SENT')).ms).toBeNull();
    expect(on(input(601, 40000, 5102, 'SYN_SENT', 'ESTABLISHED')).ms).toBe(1);
    const [first, second] = t.lifetimes();
    expect([first.states, first.end, first.remote.port]).toEqual([
      ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2'],
      21,
      5101,
    ]);
    expect(formatLifetime(first)).toBe(
      '127.0.0.1:40000 -> 127.0.0.1:5101  0.02 s  SYN_SENT > ESTABLISHED > FIN_WAIT1 > FIN_WAIT2 > (time-wait socket)',
    );
    expect([second.states, second.start, second.remote.port, second.joinedMidway]).toEqual([
      ['SYN_SENT', 'ESTABLISHED'],
      600,
      5102,
      false,
    ]);
  });

  it('ends a connection whose end it missed when its socket or tuple begins another', () => {
    const t = new TransitionTracker();
    // skaddr known, birth missed: a new 4-tuple on the same socket is another connection.
    t.record({ ...input(0, 40000, 80, 'ESTABLISHED', 'FIN_WAIT1'), skaddr: '0xb' });
    expect(
      t.record({ ...input(9, 40001, 81, 'ESTABLISHED', 'CLOSE_WAIT'), skaddr: '0xb' }).ms,
    ).toBeNull();
    // No skaddr: a listener's child born again on a tuple still open.
    t.record(input(10, 80, 5000, 'LISTEN', 'SYN_RECV'));
    t.record(input(11, 80, 5000, 'SYN_RECV', 'ESTABLISHED'));
    expect(t.record(input(50, 80, 5000, 'LISTEN', 'SYN_RECV')).ms).toBeNull();
    expect(t.lifetimes().map((l) => [l.local.port, l.states, l.end])).toEqual([
      [40000, ['ESTABLISHED', 'FIN_WAIT1'], 0],
      [80, ['SYN_RECV', 'ESTABLISHED'], 11],
      [40001, ['ESTABLISHED', 'CLOSE_WAIT'], undefined],
      [80, ['SYN_RECV'], undefined],
    ]);
  });

  it('treats a tuple used again after CLOSED as a new connection', () => {
    const t = new TransitionTracker();
    t.record(input(0, 80, 5000, 'LISTEN', 'SYN_RECV'));
    t.record(input(1, 80, 5000, 'SYN_RECV', 'CLOSED'));
    expect(t.record(input(50, 80, 5000, 'LISTEN', 'SYN_RECV')).ms).toBeNull();
    expect(t.lifetimes()).toHaveLength(2);
  });
});

describe('eventMatches and JSON', () => {
  const e = { ...input(0, 5000, 80, 'ESTABLISHED', 'FIN_WAIT1'), pid: 42, process: 'curl' };
  it('filters on either state, either port, pid, process and family', () => {
    expect(eventMatches(e, { states: new Set(['ESTABLISHED'] as const) })).toBe(true);
    expect(eventMatches(e, { states: new Set(['LISTEN'] as const) })).toBe(false);
    expect(eventMatches(e, { ports: [80] })).toBe(true);
    expect(eventMatches(e, { ports: [81] })).toBe(false);
    expect(eventMatches(e, { pids: [42], process: 'CUR' })).toBe(true);
    expect(eventMatches(e, { pids: [43] })).toBe(false);
    expect(eventMatches(e, { family: 6 })).toBe(false);
  });
  it('writes a transition in the one JSON form, time in epoch ms, then the host’s fields', () => {
    const time = Date.UTC(2026, 11, 1, 20, 55, 31, 300);
    const event = { ...e, time, skaddr: '0xa', ms: 12 };
    const json = watchEventJson(event, 'tracefs');
    const shared = transitionJson(event);
    // The one form's fields come first, in its order and with its values.
    expect(Object.keys(json).slice(0, Object.keys(shared).length)).toEqual(Object.keys(shared));
    expect(json).toMatchObject(shared);
    expect(json).toEqual({
      type: 'transition',
      time,
      local: ep('127.0.0.1', 5000),
      remote: ep('127.0.0.1', 80),
      from: 'ESTABLISHED',
      to: 'FIN_WAIT1',
      date: '2026-12-01T20:55:31.300Z',
      pid: 42,
      process: 'curl',
      ms: 12,
      reported: null,
      skaddr: '0xa',
      source: 'tracefs',
    });
    expect(typeof json.time).toBe('number');
  });
  it('writes a socket first seen by polling as a `seen` line, with its state and no from', () => {
    const seen = seenAt(1000, 8080, 40000, 'ESTABLISHED');
    expect(watchEventJson(seen, 'poll')).toEqual({
      type: 'seen',
      time: 1000,
      local: ep('127.0.0.1', 8080),
      remote: ep('127.0.0.1', 40000),
      state: 'ESTABLISHED',
      date: '1970-01-01T00:00:01.000Z',
      pid: null,
      process: null,
      source: 'poll',
    });
    // --state matches a seen socket by the state it was found in.
    expect(eventMatches(seen, { states: new Set(['ESTABLISHED'] as const) })).toBe(true);
    expect(eventMatches(seen, { states: new Set(['CLOSED'] as const) })).toBe(false);
  });
});

/** `[from, to]` of a transition, `['seen', state]` of a socket first seen. */
const states = (c: HostChange) => (c.kind === 'seen' ? ['seen', c.state] : [c.from, c.to]);

describe('ProcPoller', () => {
  const header =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  // 127.0.0.1:8080 (0100007F:1F90) <-> 127.0.0.1:40000 (0100007F:9C40); states in hex.
  const row = (sl: number, local: string, remote: string, st: string, inode: number) =>
    `   ${sl}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
  it('reports changes between reads, keeps identity into TIME_WAIT (inode 0), and sees the end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpstate-poll-'));
    const write = (rows: string) => writeFileSync(join(dir, 'tcp'), header + rows);
    const poller = new ProcPoller(dir, join(dir, 'no-proc'));
    write(row(0, '0100007F:1F90', '00000000:0000', '0A', 100));
    expect(poller.poll(0)).toEqual([]); // the starting picture
    write(
      row(0, '0100007F:1F90', '00000000:0000', '0A', 100) +
        row(1, '0100007F:9C40', '0100007F:1F90', '01', 200),
    );
    const appeared = poller.poll(100);
    expect(appeared.map((c) => [...states(c), c.connection.local.port])).toEqual([
      ['seen', 'ESTABLISHED', 40000],
    ]);
    write(
      row(0, '0100007F:1F90', '00000000:0000', '0A', 100) +
        row(1, '0100007F:9C40', '0100007F:1F90', '06', 0),
    );
    expect(poller.poll(200).map(states)).toEqual([['ESTABLISHED', 'TIME_WAIT']]);
    write(row(0, '0100007F:1F90', '00000000:0000', '0A', 100));
    expect(poller.poll(300).map(states)).toEqual([['TIME_WAIT', 'CLOSED']]);
    write(row(0, '0100007F:1F90', '00000000:0000', '0A', 101));
    // A new listener on the same port (other inode): the old one closed, a new one appeared.
    expect(poller.poll(400).map(states)).toEqual([
      ['LISTEN', 'CLOSED'],
      ['seen', 'LISTEN'],
    ]);
  });
});

describe('TIME_WAIT correction from /proc', () => {
  it('turns FIN_WAIT2 -> CLOSED into -> TIME_WAIT when /proc lists the time-wait socket', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpstate-tw-'));
    const header =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    // 127.0.0.1:40000 -> 127.0.0.1:8080 in TIME_WAIT (06), timer 3 (time-wait), inode 0.
    writeFileSync(
      join(dir, 'tcp'),
      `${header}   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n`,
    );
    const timeWait = readTimeWaitSockets(dir);
    const closing = input(5, 40000, 8080, 'FIN_WAIT2', 'CLOSED');
    expect(mayBeTimeWait(closing)).toBe(true);
    expect(correctTimeWait(closing, timeWait)).toMatchObject({
      to: 'TIME_WAIT',
      reported: 'CLOSED',
    });
    // Not in /proc (another namespace, or a reset): left as reported.
    const other = input(5, 40001, 8080, 'FIN_WAIT2', 'CLOSED');
    expect(correctTimeWait(other, timeWait)).toBe(other);
    // Only closes from the closing states are candidates.
    expect(mayBeTimeWait(input(5, 40000, 8080, 'LAST_ACK', 'CLOSED'))).toBe(false);
  });

  it('ends a traced lifetime at TIME_WAIT', () => {
    const t = new TransitionTracker({ endAtTimeWait: true });
    t.record(input(0, 80, 5000, 'LISTEN', 'SYN_RECV'));
    t.record(input(1, 80, 5000, 'SYN_RECV', 'ESTABLISHED'));
    t.record({ ...input(9, 80, 5000, 'FIN_WAIT2', 'TIME_WAIT'), reported: 'CLOSED' });
    const [life] = t.lifetimes();
    expect([life.end, life.states.at(-1)]).toEqual([9, 'TIME_WAIT']);
    expect(formatLifetime(life)).toBe(
      '127.0.0.1:80 -> 127.0.0.1:5000  0.01 s  SYN_RECV > ESTABLISHED > TIME_WAIT',
    );
  });
});
