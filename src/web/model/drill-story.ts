/**
 * A packetdrill run (drill/run.ts's DrillResult) told as a story (scenario/story.ts), so the
 * page draws it with the sequence diagram renderer of the simulator: side `a` is tcpstate's
 * stack under test, side `b` the script's remote end (packetdrill itself, which has no state).
 * System calls become notes on a's side. Pure.
 *
 * Times are those of the run, except that events at the same instant are spread 1 µs apart.
 */
import type { DrillResult } from '../../drill/run.js';
import type { Side, Story, StoryEvent } from '../../scenario/story.js';
import { formatFlags } from '../../wire/flags.js';
import { formatOptions } from '../../wire/format.js';
import { parsePacket } from '../../wire/packet.js';

/** A log line that is a system call (`connect(3, ..., ...) = -1 EINPROGRESS`), not a packet. */
const SYSCALL = /^[a-z_]+\(/;

/** At one instant: what arrived, then the state it caused, then what the stack sent. */
const ORDER: Record<string, number> = { in: 0, note: 1, state: 2, out: 3 };

/** The display gap between events of one instant: 1 µs (drill-view.ts drops their time labels). */
export const SPREAD_MS = 0.001;

export function drillStory(result: DrillResult, stackAddress: string, name: string): Story {
  const events: Array<{ e: StoryEvent; rank: number; i: number }> = [];
  const push = (e: StoryEvent, rank: number) => events.push({ e, rank, i: events.length });
  for (const p of result.packets) {
    const parsed = parsePacket(p.bytes, { verifyChecksum: false });
    if (!parsed.ok) continue;
    const { ip, tcp } = parsed.value;
    const from: Side = ip.src === stackAddress ? 'a' : 'b';
    push(
      {
        type: 'segment',
        time: p.time,
        from,
        to: from === 'a' ? 'b' : 'a',
        flags: formatFlags(tcp.flags),
        seq: tcp.seq,
        ack: tcp.ack,
        len: tcp.payload.length,
        win: tcp.window,
        fate: 'delivered',
        arrival: p.time,
        ...(tcp.options.length > 0 ? { options: formatOptions(tcp.options) } : {}),
      },
      ORDER[from === 'a' ? 'out' : 'in'],
    );
  }
  for (const t of result.transitions) push({ ...t, type: 'state', side: 'a' }, ORDER.state);
  for (const l of result.log) {
    if (SYSCALL.test(l.text)) {
      push({ type: 'note', time: l.t / 1000, side: 'a', text: l.text }, ORDER.note);
    }
  }
  events.sort((x, y) => x.e.time - y.e.time || x.rank - y.rank || x.i - y.i);
  // packetdrill's remote end answers in no time, so one instant often holds a call, a segment
  // in, a state change and a segment out: 1 µs apart each, they are drawn one under another.
  let previous = Number.NEGATIVE_INFINITY;
  const spread = events.map(({ e }) => {
    const time = Math.max(e.time, previous + SPREAD_MS);
    previous = time;
    if (time === e.time) return e;
    return e.type === 'segment' ? { ...e, time, arrival: time } : { ...e, time };
  });
  const last = result.transitions.at(-1);
  return {
    scenario: name,
    seed: 0,
    events: spread,
    final: { a: last?.to ?? 'CLOSED', b: 'CLOSED' },
    streams: {
      'a->b': { sent: 0, received: 0, sha256Sent: '', sha256Received: '' },
      'b->a': { sent: 0, received: 0, sha256Sent: '', sha256Received: '' },
    },
  };
}
