/**
 * The scenarios of the stack features the public suites needed: `icmp-unreachable` (an ICMP
 * hard error ends a connection attempt, RFC 1122 4.2.3.9), `ecn` (RFC 3168 through a queue
 * that marks CE), `fast-open` (RFC 7413 cookie, then data on the SYN) and `path-mtu` (RFC
 * 1191 / RFC 8201 through a narrower tunnel). Exact state
 * sequences, the segments that tell each story, and the text diagram as a golden file.
 */
import { describe, expect, it } from 'vitest';
import { renderTextDiagram } from '../../src/render/sequence-text.js';
import { colors } from '../../src/render/table-style.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import type { Script } from '../../src/scenario/script.js';
import { stateSequence } from '../../src/scenario/story.js';
import { changes, haveStack, run, segmentsFrom } from './helpers.js';

function builtin(name: string): Script {
  const s = findBuiltin(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

const segments = (story: ReturnType<typeof run>['story']) =>
  story.events.filter((e) => e.type === 'segment');
/** The segments from `side` with `flag` that are not SYNs. */
const noSyn = (story: ReturnType<typeof run>['story'], side: 'a' | 'b', flag: string) =>
  segmentsFrom(story, side, flag).filter((e) => e.type === 'segment' && !e.flags.includes('SYN'));

describe.skipIf(!haveStack)('feature scenarios (skipped: no Stack in this build)', () => {
  it('icmp-unreachable: the rejected SYN ends SYN_SENT at once, with no retransmission', () => {
    const { story, ended } = run(builtin('icmp-unreachable'));
    expect(ended).toBe('settled');
    expect(stateSequence(story, 'a')).toEqual(['CLOSED', 'SYN_SENT', 'CLOSED']);
    expect(segmentsFrom(story, 'a', 'SYN')).toHaveLength(1);
    const closed = story.events.find((e) => e.type === 'state' && e.to === 'CLOSED');
    // one way across the link for the ICMP error (10 ms), not the 127 s of syn-timeout
    expect(closed?.time).toBe(10);
  });

  it('ecn: negotiated, CE echoed, windows reduced with CWR, no loss and every byte delivered', () => {
    const { story, ended } = run(builtin('ecn'));
    expect(ended).toBe('settled');
    expect(segmentsFrom(story, 'a', 'SYN')[0]).toMatchObject({ flags: 'SYN,ECE,CWR' });
    expect(segmentsFrom(story, 'b', 'SYN')[0]).toMatchObject({ flags: 'SYN,ACK,ECE' });
    expect(segmentsFrom(story, 'b', 'ECE').length).toBeGreaterThan(1);
    const cwr = noSyn(story, 'a', 'CWR');
    expect(cwr.length).toBeGreaterThan(0);
    // one reduction per window of data: fewer CWRs than ECE-bearing ACKs
    expect(cwr.length).toBeLessThan(segmentsFrom(story, 'b', 'ECE').length);
    expect(segments(story).filter((e) => e.fate !== 'delivered')).toEqual([]);
    expect(story.streams['a->b']).toMatchObject({ sent: 200_000, received: 200_000 });
    expect(story.streams['a->b'].sha256Received).toBe(story.streams['a->b'].sha256Sent);
  });

  it('ecn: without the CE-marking queue, no ECE is sent', () => {
    const s = builtin('ecn');
    const { story } = run({ ...s, network: { ...s.network, ceThreshold: 0 } });
    expect(noSyn(story, 'b', 'ECE')).toEqual([]);
  });

  it('fast-open: the first SYN carries no data, the second carries the request', () => {
    const { story, ended } = run(builtin('fast-open'));
    expect(ended).toBe('settled');
    const syns = segmentsFrom(story, 'a', 'SYN');
    expect(syns.map((e) => e.type === 'segment' && e.len)).toEqual([0, 18]);
    const options = syns.map((e) => (e.type === 'segment' ? (e.options ?? '') : ''));
    // the cookie b gave on the first SYN,ACK (option 34, RFC 7413 4.1.1)
    expect(options[1]).toMatch(/opt-34 [0-9a-f]{16}/);
    // b's SYN,ACK of the second connection acknowledges the SYN's data
    const synAcks = segmentsFrom(story, 'b', 'SYN');
    const second = syns[1];
    if (second?.type !== 'segment' || synAcks[1]?.type !== 'segment') throw new Error('no SYN');
    expect(synAcks[1].ack).toBe((second.seq + 1 + 18) >>> 0);
    expect(changes(story, 'b').filter((c) => c.startsWith('LISTEN'))).toHaveLength(2);
    expect(story.streams['a->b']).toMatchObject({ sent: 36, received: 36 });
  });

  it.each([
    ['ipv4', 1228],
    ['ipv6', 1208],
  ] as const)(
    'path-mtu over %s: the MSS falls once, every byte arrives, no timeout',
    (family, mss) => {
      const { story, ended } = run({ ...builtin('path-mtu'), family });
      expect(ended).toBe('settled');
      const notes = story.events.flatMap((e) => (e.type === 'note' ? [e.text] : []));
      expect(notes.filter((t) => t.startsWith('path MTU'))).toEqual([
        expect.stringContaining(`1280 bytes, segments of ${mss} bytes`),
      ]);
      const data = noSyn(story, 'a', 'ACK').flatMap((e) =>
        e.type === 'segment' && e.len > 0 ? [e] : [],
      );
      const lost = data.filter((e) => e.fate === 'lost');
      // the first flight was too big for the tunnel; after it nothing is larger than the MSS
      expect(lost.length).toBeGreaterThan(0);
      const after = data.slice(data.indexOf(lost[lost.length - 1]) + 1);
      expect(after.every((e) => e.len <= mss && e.fate === 'delivered')).toBe(true);
      // repaired at once: the first retransmission leaves 10 ms later (the ICMP's way back)
      const first = lost[0];
      const again = after.find((e) => e.seq === first.seq);
      expect(again && again.time - first.time).toBe(10);
      expect(story.streams['a->b']).toMatchObject({ sent: 120_000, received: 120_000 });
      expect(story.streams['a->b'].sha256Received).toBe(story.streams['a->b'].sha256Sent);
    },
  );

  it.each(['icmp-unreachable', 'ecn', 'fast-open'])('%s: text diagram (golden)', async (name) => {
    const { story } = run(builtin(name));
    await expect(renderTextDiagram(story, { colors: colors(false) })).toMatchFileSnapshot(
      `__snapshots__/${name}.txt`,
    );
  });
});
