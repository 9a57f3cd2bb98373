/**
 * The pure half of keeping watch in its namespace (src/host/watch-netns.ts): verdicts from the
 * task of a process-context change, from the namespace's own socket table, held changes
 * released in order, and what is left out.
 */
import { describe, expect, it } from 'vitest';
import { parseTraceLine } from '../../src/host/trace-line.js';
import { NetnsSorter, procSocketAddresses } from '../../src/host/watch-netns.js';
import type { HostTransition } from '../../src/host/watch-tracker.js';

function change(
  skaddr: string | undefined,
  from: HostTransition['from'],
  to: HostTransition['to'],
  time = 0,
): HostTransition {
  return {
    kind: 'transition',
    time,
    family: 4,
    connection: {
      local: { address: '127.0.0.1', port: 5101 },
      remote: { address: '127.0.0.1', port: 40000 },
    },
    from,
    to,
    ...(skaddr !== undefined ? { skaddr } : {}),
  };
}

function sorter(): { s: NetnsSorter; out: string[] } {
  const out: string[] = [];
  const s = new NetnsSorter((c) => out.push(`${c.skaddr}:${c.from}>${c.to}`));
  return { s, out };
}

describe('NetnsSorter', () => {
  it('lets a connection through from the verdict of a change its own task made', () => {
    const { s, out } = sorter();
    s.add(change('0xa', 'CLOSED', 'SYN_SENT'), 'ours');
    // Later changes in softirq keep the connection's verdict.
    s.add(change('0xa', 'SYN_SENT', 'ESTABLISHED'), undefined);
    s.add(change('0xb', 'CLOSED', 'SYN_SENT'), 'theirs');
    s.add(change('0xb', 'SYN_SENT', 'ESTABLISHED'), undefined);
    expect(out).toEqual(['0xa:CLOSED>SYN_SENT', '0xa:SYN_SENT>ESTABLISHED']);
    expect(s.waiting).toEqual([]);
  });

  it('holds a listener’s child until a verdict comes, then releases its changes in order', () => {
    const { s, out } = sorter();
    s.add(change('0xc', 'LISTEN', 'SYN_RECV'), undefined);
    s.add(change('0xc', 'SYN_RECV', 'ESTABLISHED'), undefined);
    expect(out).toEqual([]);
    expect(s.waiting).toEqual(['0xc']);
    // The server's shutdown(), in process context.
    s.add(change('0xc', 'CLOSE_WAIT', 'LAST_ACK'), 'ours');
    expect(out).toEqual([
      '0xc:LISTEN>SYN_RECV',
      '0xc:SYN_RECV>ESTABLISHED',
      '0xc:CLOSE_WAIT>LAST_ACK',
    ]);
  });

  it('decides by the namespace’s own table: listed is ours, missing twice is theirs', () => {
    const { s, out } = sorter();
    s.add(change('0xd', 'LISTEN', 'SYN_RECV'), undefined);
    s.add(change('0xe', 'LISTEN', 'SYN_RECV'), undefined);
    s.sortByTable(new Set(['0xd']));
    expect(out).toEqual(['0xd:LISTEN>SYN_RECV']);
    // One read alone does not condemn 0xe: it may fall between its birth and its hashing.
    expect(s.waiting).toEqual(['0xe']);
    s.sortByTable(new Set());
    expect(s.waiting).toEqual([]);
    s.add(change('0xe', 'SYN_RECV', 'ESTABLISHED'), undefined);
    expect(out).toEqual(['0xd:LISTEN>SYN_RECV']);
  });

  it('counts a connection that ended before anything told, and forgets verdicts at a new birth', () => {
    const { s, out } = sorter();
    s.add(change('0xf', 'LISTEN', 'SYN_RECV'), undefined);
    s.add(change('0xf', 'SYN_RECV', 'CLOSED'), undefined);
    expect(s.undecided).toBe(1);
    // The same address, now another namespace's connection: the old verdict must not carry.
    s.add(change('0xa', 'CLOSED', 'SYN_SENT'), 'ours');
    s.add(change('0xa', 'SYN_SENT', 'CLOSED'), undefined);
    s.add(change('0xa', 'LISTEN', 'SYN_RECV'), undefined);
    expect(out).toEqual(['0xa:CLOSED>SYN_SENT', '0xa:SYN_SENT>CLOSED']);
    s.finish();
    expect(s.undecided).toBe(2);
    // Without skaddr only the task can tell; otherwise the change goes through.
    s.add(change(undefined, 'CLOSED', 'SYN_SENT'), 'theirs');
    s.add(change(undefined, 'SYN_SENT', 'ESTABLISHED'), undefined);
    expect(out).toHaveLength(3);
  });
});

describe('procSocketAddresses and the trace context', () => {
  const row = (pointer: string) =>
    `   0: 0100007F:13ED 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 568298 1 ${pointer} 100 0 0 10 0\n`;
  const header =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

  it('reads kernel addresses as the trace prints skaddr, and tells when they are hidden', () => {
    expect(procSocketAddresses(header + row('ffff888106844a00'))).toEqual({
      addresses: new Set(['0xffff888106844a00']),
      hidden: false,
    });
    // kptr_restrict 0 hashes (upper half zero); 2 prints zeros.
    expect(procSocketAddresses(header + row('0000000063f2f067')).hidden).toBe(true);
    expect(procSocketAddresses(header + row('0000000000000000')).hidden).toBe(true);
  });

  it('tells process context from softirq by the latency flags', () => {
    const line = (flags: string) =>
      `node-10656   [001] ${flags} 11736.053165: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=36141 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT`;
    expect(parseTraceLine(line('.....'))?.context).toBe('process');
    expect(parseTraceLine(line('..s2.'))?.context).toBe('interrupt');
    expect(parseTraceLine(line('d.h1.'))?.context).toBe('interrupt');
    // No flags column (irq-info off): unknown.
    expect(parseTraceLine(line('').replace('[001]  ', '[001] '))?.context).toBeUndefined();
  });
});
