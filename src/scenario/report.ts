/**
 * The lines `tcpstate sim` prints under a story's diagram where the diagram alone does not say
 * it: an attack's figures with their verdicts (syn-flood, blind-reset), and a run that was cut
 * with work still pending, whose `final` states are then not final.
 */
import type { BlindSummary, FloodSummary, Story } from './story.js';

/** The syn-flood target: a reaches ESTABLISHED within this many ms of its connect() (issue 11). */
export const FLOOD_CONNECT_TARGET_MS = 1000;

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** The most challenge ACKs a connection may send over `duration` ms at `limit` per second. */
export function challengeAckBound(limit: number, duration: number): number {
  // the one-second windows a run of `duration` ms can touch
  return limit * (Math.ceil(duration / 1000) + 1);
}

export function storyReport(story: Story): string[] {
  const out: string[] = [];
  const flood = story.attack?.flood;
  const blind = story.attack?.blind;
  if (flood) out.push(...floodLines(story, flood));
  if (blind) out.push(...blindLines(story, blind));
  if (flood || blind) {
    const s = story.streams['a->b'];
    const intact = s.sent === s.received && s.sha256Sent === s.sha256Received;
    out.push(
      `  a's bytes at b: ${s.received} of ${s.sent}, ${intact ? 'intact' : 'NOT intact'} (target intact: ${verdict(intact)})`,
    );
  }
  const end = story.end;
  if (end !== undefined && end.pending.length > 0) {
    out.push(
      `run cut at ${end.time} ms (${end.reason}) with work pending; the states above are where it stopped, not final:`,
    );
    for (const p of end.pending) {
      const c = p.connection;
      out.push(
        `  ${p.side} ${p.state} ${c.local.address}:${c.local.port} -> ${c.remote.address}:${c.remote.port}: ${p.timer} timer due at ${p.at} ms`,
      );
    }
  }
  return out;
}

function floodLines(story: Story, f: FloodSummary): string[] {
  const drops = Object.entries(f.drops)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  const client = story.attack?.client;
  const wait =
    client?.establishedAt === undefined ? undefined : client.establishedAt - client.connectAt;
  return [
    `SYN flood: ${f.spoofedSyns} spoofed SYNs at ${f.rate}/s to b:${f.port} (${f.start}-${f.start + f.duration} ms)`,
    `  b: SYN queue peak ${f.synQueuePeak} of ${f.backlog} (the backlog), ${f.connectionsPeak} connections at most:`,
    `     memory bounded by the backlog, not by the flood`,
    `  b: ${f.cookieSynAcks} SYN,ACKs with a SYN cookie, ${f.cookieConnections} connection(s) made from a cookie; dropped: ${drops === '' ? 'none' : drops}`,
    `  backscatter: ${f.backscatter} segments to spoofed sources (${(f.backscatter / Math.max(1, f.spoofedSyns)).toFixed(2)} per spoofed SYN)`,
    client === undefined
      ? '  a: never called connect()'
      : `  a: connect() at ${client.connectAt} ms, ${
          wait === undefined
            ? 'never ESTABLISHED'
            : `ESTABLISHED at ${client.establishedAt} ms: ${wait} ms`
        } (target within ${FLOOD_CONNECT_TARGET_MS} ms: ${verdict(wait !== undefined && wait <= FLOOD_CONNECT_TARGET_MS)})`,
  ];
}

function blindLines(_story: Story, b: BlindSummary): string[] {
  const sent = Object.entries(b.sent)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const bound = challengeAckBound(b.challengeAckLimit, b.duration);
  const peer = b.target === 'a' ? 'b' : 'a';
  return [
    `blind attack on ${b.target}'s connection: ${sent} with guessed numbers, spoofed as ${peer} (${b.start}-${b.start + b.duration} ms)`,
    `  ${b.target}: ${b.challengeAcks} challenge ACKs, ${b.challengeAcksSuppressed} held back (limit ${b.challengeAckLimit}/s per connection: at most ${bound} here, ${verdict(b.challengeAcks <= bound)})`,
    `  ${b.target}: ${b.outOfWindowAcks} ACKs to out-of-window guesses, ${b.outOfWindowAcksSuppressed} held back (one per 500 ms)`,
    `  resets: ${b.resets} (target 0: ${verdict(b.resets === 0)}); ${b.inWindow} RSTs landed inside ${b.target}'s window: a challenge ACK at most, no reset`,
  ];
}
