/**
 * A connection's report as the sim's story (scenario/story.ts), so that `tcpstate sim`'s
 * renderers (text, Mermaid, SVG) draw it unchanged. Times become milliseconds since the
 * connection's first packet, as a diagram wants them; the byte streams are not compared
 * (a capture cannot tell what the applications read).
 */
import type { Story, StoryEvent } from '../scenario/story.js';
import type { ConnectionReport } from './report-types.js';

const NO_STREAM = { sent: 0, received: 0, sha256Sent: '', sha256Received: '' };

/** The name the renderers print where the sim prints the scenario's. */
export function storyTitle(r: ConnectionReport): string {
  return `connection ${r.id}: ${r.a} → ${r.b}`;
}

export function reportStory(r: ConnectionReport): Story {
  const t0 = r.summary.start;
  // Whole microseconds: what the capture can vouch for, and what the diagrams print.
  const rel = (t: number) => Math.round((t - t0) * 1000) / 1000;
  const events: StoryEvent[] = r.events.map((e) =>
    e.type === 'segment' ? { ...e, time: rel(e.time) } : { ...e, time: rel(e.time) },
  );
  return {
    scenario: storyTitle(r),
    seed: 0,
    events,
    final: r.final,
    streams: { 'a->b': NO_STREAM, 'b->a': NO_STREAM },
  };
}
