/**
 * A story (scenario/story.ts) as something to play one event at a time: after `step` events,
 * which state each side is in, which transition just happened, and which transitions the log
 * shows. Pure, so the page and the tests agree on what each step lights.
 */
import type { Side, StateEvent, Story, StoryEvent } from '../../scenario/story.js';
import type { TcpState } from '../../state/states.js';

export interface Frame {
  /** How many story events have been played (0 to events.length). */
  step: number;
  state: Record<Side, TcpState>;
  /** The event played last, if any. */
  last: StoryEvent | undefined;
  /** The transitions played so far, in order. */
  transitions: StateEvent[];
  /** Each side's latest transition played, which its diagram keeps drawn until the next. */
  lastBySide: Record<Side, StateEvent | undefined>;
  /** Virtual time of the event played last (0 before the first). */
  time: number;
}

/**
 * Where each side starts: the `from` of its first transition (b starts in LISTEN, which the
 * stack reports as a listener, not as a transition), or CLOSED when it never changes.
 */
function initialStates(story: Story): Record<Side, TcpState> {
  const first = (side: Side) =>
    story.events.find((e): e is StateEvent => e.type === 'state' && e.side === side)?.from;
  return { a: first('a') ?? 'CLOSED', b: first('b') ?? 'CLOSED' };
}

export function frameAt(story: Story, step: number): Frame {
  const n = Math.max(0, Math.min(step, story.events.length));
  const state = initialStates(story);
  const transitions: StateEvent[] = [];
  const lastBySide: Record<Side, StateEvent | undefined> = { a: undefined, b: undefined };
  for (const e of story.events.slice(0, n)) {
    if (e.type !== 'state') continue;
    state[e.side] = e.to;
    transitions.push(e);
    lastBySide[e.side] = e;
  }
  const last = n > 0 ? story.events[n - 1] : undefined;
  return { step: n, state, last, transitions, lastBySide, time: last?.time ?? 0 };
}
