/**
 * The pure parts of the host and drill views (src/web/model/): the socket histories, the URL
 * filters, the snapshot and event readers, and a packetdrill run told as a story.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import type { HostSocket } from '../../src/host/types.js';
import type { WatchEventJson } from '../../src/host/watch-view.js';
import type { TcpState } from '../../src/state/states.js';
import { drillStory } from '../../src/web/model/drill-story.js';
import { watchEventMatches, watchEventOf } from '../../src/web/model/host-events.js';
import { SocketHistories } from '../../src/web/model/host-history.js';
import { hostFilterOf, hostQueryOf, hostQueryParams } from '../../src/web/model/host-query.js';
import { socketsOfSnapshot } from '../../src/web/model/host-snapshot.js';

const L = { address: '127.0.0.1', port: 8080 };
const R = { address: '127.0.0.1', port: 51234 };
const ID = '127.0.0.1:8080-127.0.0.1:51234';

function socket(state: TcpState): HostSocket {
  return { state, family: 4, local: L, remote: R, recvQ: 0, sendQ: 0 };
}

function transition(
  time: number,
  from: TcpState,
  to: TcpState,
  extra: Partial<WatchEventJson> = {},
): WatchEventJson {
  return {
    type: 'transition',
    time,
    local: L,
    remote: R,
    from,
    to,
    date: '',
    pid: 42,
    process: 'java',
    ms: null,
    reported: null,
    skaddr: null,
    source: 'tracefs',
    ...extra,
  } as WatchEventJson;
}

describe('SocketHistories', () => {
  it('keeps what a socket went through: first seen, each transition, gone', () => {
    const h = new SocketHistories();
    h.observeSnapshot(100, [socket('ESTABLISHED')]);
    expect(h.observeEvent(transition(200, 'ESTABLISHED', 'CLOSE_WAIT'))).toBe(ID);
    expect(h.state(ID)).toBe('CLOSE_WAIT');
    expect(h.lastChange(ID)).toEqual({ from: 'ESTABLISHED', to: 'CLOSE_WAIT' });
    h.observeSnapshot(300, []);
    expect(h.history(ID).map((e) => e.kind)).toEqual(['seen', 'transition', 'gone']);
    expect(h.state(ID)).toBe('CLOSED');
  });

  it('lets no snapshot taken before a transition undo it', () => {
    const h = new SocketHistories();
    h.observeSnapshot(100, [socket('ESTABLISHED')]);
    h.observeEvent(transition(250, 'ESTABLISHED', 'FIN_WAIT1'));
    // Asked for at 200, answered after the event: it still shows ESTABLISHED.
    h.observeSnapshot(200, [socket('ESTABLISHED')]);
    expect(h.state(ID)).toBe('FIN_WAIT1');
    // A later one that shows another state records the change the stream did not report.
    h.observeSnapshot(400, [socket('FIN_WAIT2')]);
    expect(h.history(ID).at(-1)).toEqual({
      kind: 'changed',
      time: 400,
      from: 'FIN_WAIT1',
      to: 'FIN_WAIT2',
    });
  });

  it('ties the kernel’s SYN_SENT from local port 0 to the connection by its skaddr', () => {
    const h = new SocketHistories();
    const early = h.observeEvent(
      transition(10, 'CLOSED', 'SYN_SENT', {
        local: { address: '127.0.0.1', port: 0 },
        skaddr: '0xff01',
      }),
    );
    expect(early).toBe('127.0.0.1:0-127.0.0.1:51234');
    h.observeEvent(transition(11, 'SYN_SENT', 'ESTABLISHED', { skaddr: '0xff01' }));
    expect(h.history(ID).map((e) => (e.kind === 'transition' ? e.to : e.kind))).toEqual([
      'SYN_SENT',
      'ESTABLISHED',
    ]);
    expect(h.history(early)).toEqual([]);
  });
});

describe('the host view’s query', () => {
  it('round-trips through the URL and reads the filters as ls does', () => {
    const q = hostQueryOf(new URLSearchParams('view=host&state=close-wait&port=22,443&family=6'));
    expect(hostQueryParams(q).toString()).toBe('view=host&state=close-wait&port=22%2C443&family=6');
    const result = hostFilterOf({ ...q, listening: true });
    if (!('filter' in result)) throw new Error('no filter');
    expect([...(result.filter.states ?? [])].sort()).toEqual(['CLOSE_WAIT', 'LISTEN']);
    expect(result.filter.ports).toEqual([22, 443]);
    expect(result.filter.family).toBe(6);
  });

  it('says what is wrong in ls’s words', () => {
    expect(hostFilterOf({ ...hostQueryOf(new URLSearchParams()), port: 'http' })).toEqual({
      error: '"http" is not a port number (0-65535)',
    });
    expect(
      'error' in hostFilterOf({ ...hostQueryOf(new URLSearchParams()), state: 'sleeping' }),
    ).toBe(true);
  });
});

describe('the host view’s readers', () => {
  it('reads ls --json rows back, and refuses what is not a list', () => {
    const [s] = socketsOfSnapshot([
      {
        state: 'LISTEN',
        local: { address: '::', port: 22 },
        remote: { address: '::', port: 0 },
        recvQ: 0,
        sendQ: null,
        timer: null,
        uid: 0,
        inode: 1,
        pid: 7,
        process: 'sshd',
      },
      { state: 'DANCING' },
    ]);
    expect(s).toMatchObject({ state: 'LISTEN', family: 6, backlogUnknown: true, pid: 7 });
    expect(() => socketsOfSnapshot({ error: 'no /proc' })).toThrow(
      'the snapshot could not be read: no /proc',
    );
  });

  it('reads watch --json lines and matches them as watch --state does (old or new state)', () => {
    const e = watchEventOf(JSON.stringify(transition(1, 'ESTABLISHED', 'CLOSE_WAIT')));
    if (!e) throw new Error('not read');
    expect(watchEventMatches(e, { states: new Set(['ESTABLISHED']) })).toBe(true);
    expect(watchEventMatches(e, { states: new Set(['LISTEN']) })).toBe(false);
    expect(watchEventMatches(e, { process: 'JAV' })).toBe(true);
    expect(watchEventOf('{"type":"transition","time":1}')).toBeUndefined();
    expect(watchEventOf('not json')).toBeUndefined();
  });
});

describe('drillStory', () => {
  it('tells a run as a story: the stack is a, one event per 1 µs at an instant, in order', () => {
    const script = readFileSync(
      fileURLToPath(new URL('../drill/scripts/time-wait.pkt', import.meta.url)),
      'utf8',
    );
    const result = runScriptText(script);
    const story = drillStory(result, '192.168.0.1', 'time-wait');
    const segments = story.events.filter((e) => e.type === 'segment');
    expect(segments).toHaveLength(result.packets.length);
    // The first segment is the stack's SYN; the answer comes from packetdrill's side.
    expect(segments[0]).toMatchObject({ from: 'a', to: 'b', flags: 'SYN' });
    expect(segments[1]).toMatchObject({ from: 'b', to: 'a', flags: 'SYN,ACK' });
    const states = story.events.flatMap((e) => (e.type === 'state' ? [e.to] : []));
    expect(states).toEqual(result.transitions.map((t) => t.to));
    const times = story.events.map((e) => e.time);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect(story.final.a).toBe(result.transitions.at(-1)?.to);
  });
});
