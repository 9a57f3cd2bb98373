/**
 * Segments a user chose to drop, named so that a replay drops the same ones: "the n-th segment
 * side X sent" (`a7` in the URL), counted from 1 over every segment that side put on the wire,
 * whatever the network did with it. The same seed and the same list give the same run, because
 * a run is deterministic up to the first drop, and the next drop is counted on that run.
 */
import type { SimHost, SimNetwork } from '../../link/sim/network.js';
import { other, type Side, type Story } from '../../scenario/story.js';

export interface SegmentRef {
  side: Side;
  /** 1 for the first segment the side sent. */
  n: number;
}

export function refText(r: SegmentRef): string {
  return `${r.side}${r.n}`;
}

function sameRef(x: SegmentRef, y: SegmentRef): boolean {
  return x.side === y.side && x.n === y.n;
}

/** Sorted, one of each: a list reads the same however it was clicked together. */
export function normalizeDrops(drops: readonly SegmentRef[]): SegmentRef[] {
  const out: SegmentRef[] = [];
  for (const d of drops) if (!out.some((o) => sameRef(o, d))) out.push({ side: d.side, n: d.n });
  return out.sort((x, y) => (x.side === y.side ? x.n - y.n : x.side < y.side ? -1 : 1));
}

/** `a7,b3` → the refs; anything that is not a side letter and a count from 1 is ignored. */
export function parseDrops(text: string | null): SegmentRef[] {
  if (text === null) return [];
  const refs: SegmentRef[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([ab])([1-9]\d{0,6})\s*$/.exec(part);
    if (m) refs.push({ side: m[1] as Side, n: Number(m[2]) });
  }
  return normalizeDrops(refs);
}

export function formatDrops(drops: readonly SegmentRef[]): string {
  return normalizeDrops(drops).map(refText).join(',');
}

/** The list with `ref` added, or taken out when it was there. */
export function toggleDrop(drops: readonly SegmentRef[], ref: SegmentRef): SegmentRef[] {
  return drops.some((d) => sameRef(d, ref))
    ? drops.filter((d) => !sameRef(d, ref))
    : normalizeDrops([...drops, ref]);
}

export function isDropped(drops: readonly SegmentRef[], ref: SegmentRef): boolean {
  return drops.some((d) => sameRef(d, ref));
}

/** Which segment story event `index` is, or undefined when it is not a segment. */
export function refAt(story: Story, index: number): SegmentRef | undefined {
  const e = story.events[index];
  if (e?.type !== 'segment') return undefined;
  let n = 0;
  for (let i = 0; i <= index; i++) {
    const x = story.events[i];
    if (x?.type === 'segment' && x.from === e.from) n++;
  }
  return { side: e.from, n };
}

/** The story index of a segment, or undefined when that side sent fewer. */
export function indexOfRef(story: Story, ref: SegmentRef): number | undefined {
  let n = 0;
  for (let i = 0; i < story.events.length; i++) {
    const e = story.events[i];
    if (e?.type === 'segment' && e.from === ref.side && ++n === ref.n) return i;
  }
  return undefined;
}

/**
 * The runner's `onNetwork` hook that loses exactly these segments on the wire. Just after a
 * side's (n-1)-th segment left, its direction's loss is set to 1 for the next one, and put
 * back once that one left: the link draws the same random numbers for every packet whatever
 * its settings, so nothing else in the run changes but what follows from the loss. (A script
 * step that changes the loss of that direction in between wins; the hook then leaves it.)
 */
export function dropHook(
  drops: readonly SegmentRef[],
): (net: SimNetwork, hosts: Readonly<Record<Side, SimHost>>) => void {
  return (net, hosts) => {
    if (drops.length === 0) return;
    const sent: Record<Side, number> = { a: 0, b: 0 };
    const restore: Partial<Record<Side, number>> = {};
    const arm = (side: Side) => {
      if (!isDropped(drops, { side, n: sent[side] + 1 })) return;
      const from = hosts[side];
      const to = hosts[other(side)];
      restore[side] = net.faults(from, to).loss;
      net.setFaults(from, to, { loss: 1 });
    };
    arm('a');
    arm('b');
    net.onPacket((p) => {
      const side: Side | undefined = p.from === 'a' ? 'a' : p.from === 'b' ? 'b' : undefined;
      if (side === undefined) return;
      sent[side]++;
      const before = restore[side];
      if (before !== undefined) {
        delete restore[side];
        const from = hosts[side];
        const to = hosts[other(side)];
        if (net.faults(from, to).loss === 1) net.setFaults(from, to, { loss: before });
      }
      arm(side);
    });
  };
}
