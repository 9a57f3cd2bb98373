import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../src/render/mermaid.js';
import { renderPcap } from '../../src/render/pcap.js';
import { renderSvg } from '../../src/render/sequence-svg.js';
import { renderTextDiagram } from '../../src/render/sequence-text.js';
import { colors } from '../../src/render/table-style.js';
import { findBuiltin } from '../../src/scenario/builtin.js';
import { parseScenarioFile } from '../../src/scenario/file.js';
import type { Script } from '../../src/scenario/script.js';
import { stateSequence } from '../../src/scenario/story.js';
import { readPcap } from '../../src/wire/pcap.js';
import { changes, haveStack, run, segmentsFrom } from './helpers.js';

function builtin(name: string): Script {
  const s = findBuiltin(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

const OPEN_A = ['CLOSED', 'SYN_SENT', 'ESTABLISHED'];
const OPEN_B = ['LISTEN', 'SYN_RECV', 'ESTABLISHED'];
const ACTIVE_CLOSE = ['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSED'];
const PASSIVE_CLOSE = ['CLOSE_WAIT', 'LAST_ACK', 'CLOSED'];

// Each built-in scenario's exact state sequence on both sides (seed 1, default network).
const EXPECTED: Record<string, { a: string[]; b: string[] }> = {
  handshake: { a: OPEN_A, b: OPEN_B },
  'normal-close': { a: [...OPEN_A, ...ACTIVE_CLOSE], b: [...OPEN_B, ...PASSIVE_CLOSE] },
  'simultaneous-close': {
    a: [...OPEN_A, 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT', 'CLOSED'],
    b: [...OPEN_B, 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT', 'CLOSED'],
  },
  'simultaneous-open': {
    a: ['CLOSED', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED'],
    b: ['CLOSED', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED'],
  },
  refused: { a: ['CLOSED', 'SYN_SENT', 'CLOSED'], b: [] },
  reset: { a: [...OPEN_A, 'CLOSED'], b: [...OPEN_B, 'CLOSED'] },
  'half-close': { a: [...OPEN_A, ...ACTIVE_CLOSE], b: [...OPEN_B, ...PASSIVE_CLOSE] },
  'lost-syn': { a: OPEN_A, b: OPEN_B },
  'lost-fin': { a: [...OPEN_A, ...ACTIVE_CLOSE], b: [...OPEN_B, ...PASSIVE_CLOSE] },
  'lost-last-ack': { a: [...OPEN_A, ...ACTIVE_CLOSE], b: [...OPEN_B, ...PASSIVE_CLOSE] },
  'syn-timeout': { a: ['CLOSED', 'SYN_SENT', 'CLOSED'], b: [] },
  'close-wait-leak': {
    a: [...OPEN_A, 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSED'],
    b: [...OPEN_B, 'CLOSE_WAIT'],
  },
  'keepalive-dead-peer': { a: [...OPEN_A, 'CLOSED'], b: OPEN_B },
  bulk: { a: [...OPEN_A, ...ACTIVE_CLOSE], b: [...OPEN_B, ...PASSIVE_CLOSE] },
};

describe.skipIf(!haveStack)(
  'built-in scenarios (skipped: src/stack has no Stack in this build)',
  () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      it(`${name}: exact state sequences of a and b`, () => {
        const { story, ended } = run(builtin(name));
        expect(ended).toBe('settled');
        expect(stateSequence(story, 'a')).toEqual(expected.a);
        expect(stateSequence(story, 'b')).toEqual(expected.b);
      });
    }

    it('normal close: the closing narrative, cause by cause', () => {
      const { story } = run(builtin('normal-close'));
      expect(changes(story, 'a').slice(2)).toEqual([
        'ESTABLISHED>FIN_WAIT1 (close())',
        'FIN_WAIT1>FIN_WAIT2 (rcv ACK)',
        'FIN_WAIT2>TIME_WAIT (rcv FIN)',
        'TIME_WAIT>CLOSED (2MSL timer)',
      ]);
      expect(changes(story, 'b').slice(2)).toEqual([
        'ESTABLISHED>CLOSE_WAIT (rcv FIN)',
        'CLOSE_WAIT>LAST_ACK (close())',
        'LAST_ACK>CLOSED (rcv ACK)',
      ]);
      const tw = story.events.filter(
        (e) => e.type === 'state' && e.side === 'a' && /TIME_WAIT/.test(`${e.from}${e.to}`),
      );
      expect((tw[1]?.time ?? 0) - (tw[0]?.time ?? 0)).toBe(60_000);
      expect(story.streams['a->b'].sent).toBe(1000);
      expect(story.streams['a->b'].sha256Received).toBe(story.streams['a->b'].sha256Sent);
    });

    it('simultaneous close: both sides through CLOSING, each FIN crossing the other', () => {
      const { story } = run(builtin('simultaneous-close'));
      for (const side of ['a', 'b'] as const) {
        expect(changes(story, side).slice(2)).toEqual([
          'ESTABLISHED>FIN_WAIT1 (close())',
          'FIN_WAIT1>CLOSING (rcv FIN)',
          'CLOSING>TIME_WAIT (rcv ACK)',
          'TIME_WAIT>CLOSED (2MSL timer)',
        ]);
      }
    });

    it('time-wait-reuse: the new SYN ends b’s TIME_WAIT early and a new connection opens', () => {
      const { story } = run(builtin('time-wait-reuse'));
      const b = changes(story, 'b').map((c) => c.replace(/ \(.*\)$/, ''));
      expect(b).toEqual([
        'LISTEN>SYN_RECV',
        'SYN_RECV>ESTABLISHED',
        'ESTABLISHED>FIN_WAIT1',
        'FIN_WAIT1>FIN_WAIT2',
        'FIN_WAIT2>TIME_WAIT',
        'TIME_WAIT>CLOSED',
        'LISTEN>SYN_RECV',
        'SYN_RECV>ESTABLISHED',
      ]);
      const end = story.events.find(
        (e) => e.type === 'state' && e.side === 'b' && e.from === 'TIME_WAIT',
      );
      const start = story.events.find(
        (e) => e.type === 'state' && e.side === 'b' && e.to === 'TIME_WAIT',
      );
      expect((end?.time ?? 0) - (start?.time ?? 0)).toBeLessThan(60_000);
    });

    it('lost-syn, lost-fin, lost-last-ack: the lost segment is sent again', () => {
      expect(segmentsFrom(run(builtin('lost-syn')).story, 'a', 'SYN')).toHaveLength(2);
      expect(segmentsFrom(run(builtin('lost-fin')).story, 'a', 'FIN')).toHaveLength(2);
      const lastAck = run(builtin('lost-last-ack')).story;
      expect(segmentsFrom(lastAck, 'b', 'FIN')).toHaveLength(2);
    });

    it('syn-timeout gives up after 1 + 6 SYNs with exponential backoff', () => {
      const { story } = run(builtin('syn-timeout'));
      const syns = segmentsFrom(story, 'a', 'SYN').map((e) => e.time);
      expect(syns).toHaveLength(7);
      const gaps = syns.slice(1).map((t, i) => t - (syns[i] ?? 0));
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBe((gaps[i - 1] ?? 0) * 2);
      expect(changes(story, 'a').at(-1)).toBe('SYN_SENT>CLOSED (retransmission limit)');
    });

    it('close-wait-leak: b is left in CLOSE_WAIT, a’s orphan ends by the FIN_WAIT2 timer', () => {
      const { story } = run(builtin('close-wait-leak'));
      expect(story.final.b).toBe('CLOSE_WAIT');
      expect(changes(story, 'a').at(-1)).toBe('FIN_WAIT2>CLOSED (FIN_WAIT2 timer)');
    });

    it('keepalive-dead-peer ends with a keepalive timeout; refused and reset end by RST', () => {
      expect(changes(run(builtin('keepalive-dead-peer')).story, 'a').at(-1)).toBe(
        'ESTABLISHED>CLOSED (keepalive timeout)',
      );
      expect(changes(run(builtin('refused')).story, 'a').at(-1)).toBe('SYN_SENT>CLOSED (rcv RST)');
      const reset = run(builtin('reset')).story;
      expect(changes(reset, 'a').at(-1)).toBe('ESTABLISHED>CLOSED (abort())');
      expect(changes(reset, 'b').at(-1)).toBe('ESTABLISHED>CLOSED (rcv RST)');
    });

    it('half-close: b’s 2000 bytes reach a after a shut down its side', () => {
      const { story } = run(builtin('half-close'));
      expect(story.streams['b->a']).toMatchObject({ sent: 2000, received: 2000 });
      expect(story.streams['b->a'].sha256Received).toBe(story.streams['b->a'].sha256Sent);
    });

    it('bulk moves every byte, with --bytes, even with loss, duplication and reordering', () => {
      for (const seed of [1, 2, 3]) {
        const { story, ended } = run(builtin('bulk'), seed, {
          bytes: 200_000,
          loss: 0.1,
          duplicate: 0.05,
          reorder: 0.1,
          jitter: 5,
        });
        expect(ended).toBe('settled');
        expect(story.streams['a->b']).toMatchObject({ sent: 200_000, received: 200_000 });
        expect(story.streams['a->b'].sha256Received).toBe(story.streams['a->b'].sha256Sent);
        expect(story.final).toEqual({ a: 'CLOSED', b: 'CLOSED' });
      }
    });

    it('a file may limit the bandwidth: tail drops show as lost segments and TCP recovers', () => {
      const text = (network: string) =>
        `network: { ${network} }\nsteps:\n  - b: listen\n  - a: connect\n  - wait: { b: ESTABLISHED }\n  - a: { send: 60000 }\n  - a: close\n  - wait: { b: CLOSE_WAIT }\n  - b: close\n  - wait: { a: CLOSED }\n`;
      const slow = run(
        parseScenarioFile(text('latency: 5, bandwidth: 50, queueLimit: 3'), 'slow.yaml'),
      );
      const fast = run(parseScenarioFile(text('latency: 5'), 'fast.yaml'));
      const lost = (r: typeof slow) =>
        r.story.events.filter((e) => e.type === 'segment' && e.fate === 'lost').length;
      expect(lost(fast)).toBe(0);
      expect(lost(slow)).toBeGreaterThan(0);
      expect(slow.story.streams['a->b']).toMatchObject({ sent: 60_000, received: 60_000 });
      // 60 kB at 50 bytes/ms take at least 1.2 s on the wire before b can see a's FIN
      const closeWait = (r: typeof slow) =>
        r.story.events.find((e) => e.type === 'state' && e.side === 'b' && e.to === 'CLOSE_WAIT')
          ?.time ?? 0;
      expect(closeWait(slow)).toBeGreaterThan(1_200);
      expect(closeWait(fast)).toBeLessThan(1_200);
      expect(slow.ended).toBe('settled');
    });

    it('a file with the old spelling dup tells the same story as one with duplicate', () => {
      const text = (key: string) =>
        `network: { latency: 5, ${key}: 0.3 }\nsteps:\n  - b: listen\n  - a: connect\n  - wait: { a: ESTABLISHED }\n  - faults: { direction: b->a, ${key}: 0.5 }\n  - a: { send: 20000 }\n  - a: close\n  - wait: { a: TIME_WAIT }\n`;
      const old = run(parseScenarioFile(text('dup'), 'x.yaml'), 5);
      const current = run(parseScenarioFile(text('duplicate'), 'x.yaml'), 5);
      expect(old.story.events.some((e) => e.type === 'segment' && e.fate === 'duplicated')).toBe(
        true,
      );
      expect(JSON.stringify(old.story)).toBe(JSON.stringify(current.story));
    });

    it('every scenario ends by itself under heavy faults', () => {
      for (const name of Object.keys(EXPECTED)) {
        const { ended, story } = run(builtin(name), 9, {
          loss: 0.3,
          duplicate: 0.2,
          reorder: 0.2,
          jitter: 20,
        });
        const rstLost = story.events.some(
          (e) =>
            e.type === 'segment' && e.from === 'a' && e.flags.includes('RST') && e.fate === 'lost',
        );
        if (name === 'reset' && rstLost) {
          // An RST is sent once and never retransmitted (RFC 9293 3.10.5): when it is lost, b stays
          // ESTABLISHED until it next sends. The scenario still ends, at its time bound.
          expect(story.final, name).toEqual({ a: 'CLOSED', b: 'ESTABLISHED' });
          continue;
        }
        expect(ended, name).toBe('settled');
      }
    });

    it('the same seed gives the same story and packets, byte for byte', () => {
      const one = run(builtin('bulk'), 42, { loss: 0.2, bytes: 50_000 });
      const two = run(builtin('bulk'), 42, { loss: 0.2, bytes: 50_000 });
      expect(JSON.stringify(two.story)).toBe(JSON.stringify(one.story));
      expect(Buffer.from(renderPcap(two.packets))).toEqual(Buffer.from(renderPcap(one.packets)));
      const other = run(builtin('bulk'), 43, { loss: 0.2, bytes: 50_000 });
      expect(JSON.stringify(other.story)).not.toBe(JSON.stringify(one.story));
    });

    describe('renderings of normal-close, seed 1', () => {
      const { story, packets } = haveStack
        ? run(builtin('normal-close'))
        : { story: undefined, packets: [] };
      it('text, Mermaid and SVG snapshots', async () => {
        if (!story) throw new Error('unreachable');
        await expect(renderTextDiagram(story, { colors: colors(false) })).toMatchFileSnapshot(
          '__snapshots__/normal-close.txt',
        );
        await expect(renderMermaid(story)).toMatchFileSnapshot('__snapshots__/normal-close.mmd');
        const svg = renderSvg(story);
        expect(XMLValidator.validate(svg)).toBe(true);
        await expect(svg).toMatchFileSnapshot('__snapshots__/normal-close.svg');
      });

      it('pcap reads back through the project’s reader, one packet per segment', () => {
        const read = readPcap(renderPcap(packets));
        if (!read.ok) throw new Error(read.reason);
        expect(read.value.packets).toHaveLength(
          story?.events.filter((e) => e.type === 'segment').length ?? -1,
        );
      });

      const tshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
      it.skipIf(!tshark)(
        `pcap reads through tshark without errors${tshark ? '' : ' (skipped: no tshark here)'}`,
        () => {
          const dir = mkdtempSync(join(tmpdir(), 'tcpstate-sim-'));
          try {
            const file = join(dir, 'normal-close.pcap');
            writeFileSync(file, renderPcap(packets));
            const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.flags.str'], {
              encoding: 'utf8',
            });
            expect(r.status, r.stderr).toBe(0);
            expect(r.stdout.trim().split('\n')).toHaveLength(packets.length);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      );
    });
  },
);
