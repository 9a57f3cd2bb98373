import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../src/render/mermaid.js';
import { renderPcap } from '../../src/render/pcap.js';
import { renderSvg } from '../../src/render/sequence-svg.js';
import { renderTextDiagram } from '../../src/render/sequence-text.js';
import { colors } from '../../src/render/table-style.js';
import type { Story } from '../../src/scenario/story.js';
import { segmentLabel, sequenceBases, stateSequence } from '../../src/scenario/story.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitPacket } from '../../src/wire/packet.js';
import { readPcap } from '../../src/wire/pcap.js';

// Hand-written story (not produced by the simulator): a handshake, a lost and a duplicated
// segment, a normal close with a corrupted FIN retransmitted, and a 60 s TIME_WAIT.
const story = JSON.parse(
  readFileSync('test/fixtures/scenario/normal-close.story.json', 'utf8'),
) as Story;
const plain = colors(false);

describe('story helpers', () => {
  it('makes sequence numbers relative to each side’s first SYN, wrapping at 2^32', () => {
    const bases = sequenceBases(story);
    expect(bases).toEqual({ a: 1000, b: 4294967000 });
    const synAck = story.events.find((e) => e.type === 'segment' && e.flags === 'SYN,ACK');
    if (synAck?.type !== 'segment') throw new Error('fixture has a SYN,ACK');
    expect(segmentLabel(synAck, bases)).toBe('SYN,ACK seq=0 ack=1 len=0 win=65535');
    expect(segmentLabel(synAck, bases, true)).toBe(
      'SYN,ACK seq=4294967000 ack=1001 len=0 win=65535',
    );
  });

  it('lists each side’s states in order', () => {
    expect(stateSequence(story, 'a')).toEqual([
      'CLOSED',
      'SYN_SENT',
      'ESTABLISHED',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSED',
    ]);
  });
});

describe('text sequence diagram', () => {
  const text = renderTextDiagram(story, { colors: plain });

  it('matches the snapshot', async () => {
    await expect(text).toMatchFileSnapshot('__snapshots__/normal-close.txt');
  });

  it('fits 80 columns and has no escape codes without colour', () => {
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(text.includes('\u001b[')).toBe(false);
  });

  it('draws every segment once, lost ones with a cross, and each state change in its column', () => {
    const segments = story.events.filter((e) => e.type === 'segment').length;
    expect(text.match(/▶│|│◀|✗/g)).toHaveLength(segments);
    expect(text).toMatch(/PSH,ACK seq=1 ack=1 len=100 win=512 ─+✗ lost/);
    expect(text).toMatch(/│ ESTABLISHED → FIN_WAIT1 {2}\(close\(\)\) +│/);
    expect(text).toMatch(/ LAST_ACK → CLOSED {2}\(rcv ACK\) │/);
  });

  it('shows raw numbers with absolute', () => {
    expect(renderTextDiagram(story, { colors: plain, absolute: true })).toContain('seq=4294967000');
  });

  it('colours when asked', () => {
    expect(renderTextDiagram(story, { colors: colors(true) })).toContain('\u001b[');
  });
});

describe('Mermaid', () => {
  const mermaid = renderMermaid(story);
  it('matches the snapshot', async () => {
    await expect(mermaid).toMatchFileSnapshot('__snapshots__/normal-close.mmd');
  });
  it('is a sequenceDiagram with a message per segment and a note per state change', () => {
    const lines = mermaid.trim().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    const messages = lines.filter((l) => /^ {2}[ab](->>|-x)[ab]: /.test(l));
    expect(messages).toHaveLength(story.events.filter((e) => e.type === 'segment').length);
    expect(lines.filter((l) => l.includes('-x'))).toHaveLength(2);
    expect(lines.filter((l) => /→/.test(l) && l.startsWith('  Note over'))).toHaveLength(
      story.events.filter((e) => e.type === 'state').length,
    );
    for (const l of lines) expect(l).not.toMatch(/;/);
  });
});

describe('SVG', () => {
  const svg = renderSvg(story);
  it('matches the snapshot', async () => {
    await expect(svg).toMatchFileSnapshot('__snapshots__/normal-close.svg');
  });
  it('is well-formed XML with one arrow per segment and a band per state', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg);
    const lines = ([] as unknown[]).concat(doc.svg.line) as Array<Record<string, string>>;
    const arrows = lines.filter((l) => l['@_stroke-width'] === '1.5');
    expect(arrows).toHaveLength(story.events.filter((e) => e.type === 'segment').length);
    const rects = ([] as unknown[]).concat(doc.svg.rect) as Array<Record<string, string>>;
    // Bands are 12 px wide: 6 per side (their zero-length CLOSED at t=0 is not drawn).
    expect(rects.filter((r) => r['@_width'] === '12')).toHaveLength(12);
    expect(svg).toContain('60 s later');
  });
  it('escapes text', () => {
    const odd = renderSvg({ ...story, scenario: 'a<b & "c"' });
    expect(XMLValidator.validate(odd)).toBe(true);
    expect(odd).toContain('a&lt;b &amp; &quot;c&quot;');
  });
});

const tshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;

describe('pcap', () => {
  const handshake = (['SYN', 'SYN,ACK', 'ACK'] as const).map((flags, i) =>
    emitPacket(
      i === 1 ? { src: '10.0.0.2', dst: '10.0.0.1' } : { src: '10.0.0.1', dst: '10.0.0.2' },
      {
        srcPort: i === 1 ? 80 : 40000,
        dstPort: i === 1 ? 40000 : 80,
        seq: i === 1 ? 5000 : i === 0 ? 1000 : 1001,
        ack: i === 0 ? 0 : i === 1 ? 1001 : 5001,
        flags: flagsFrom(flags),
        window: 65535,
        urgentPointer: 0,
        options: i < 2 ? [{ kind: 'mss', value: 1460 }] : [],
        payload: new Uint8Array(),
      },
    ),
  );

  it.skipIf(!tshark)(
    `is read by tshark without errors${tshark ? '' : ' (skipped: no tshark here)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tcpstate-pcap-'));
      try {
        const file = join(dir, 'handshake.pcap');
        writeFileSync(file, renderPcap(handshake.map((bytes, i) => ({ time: i * 10, bytes }))));
        const r = spawnSync(
          'tshark',
          ['-r', file, '-T', 'fields', '-e', 'tcp.flags.str', '-e', 'frame.time_relative'],
          {
            encoding: 'utf8',
          },
        );
        expect(r.status, r.stderr).toBe(0);
        const rows = r.stdout.trim().split('\n');
        expect(rows).toHaveLength(3);
        expect(rows[1]).toMatch(/S.*0\.010/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('writes packets that the project’s pcap reader reads back', () => {
    const packet = emitPacket(
      { src: '10.0.0.1', dst: '10.0.0.2' },
      {
        srcPort: 40000,
        dstPort: 80,
        seq: 1000,
        ack: 0,
        flags: flagsFrom('SYN'),
        window: 65535,
        urgentPointer: 0,
        options: [],
        payload: new Uint8Array(),
      },
    );
    const bytes = renderPcap([
      { time: 0, bytes: packet },
      { time: 10.5, bytes: packet },
    ]);
    const read = readPcap(bytes);
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.packets.map((p) => p.timeMs)).toEqual([0, 10.5]);
    expect([...(read.value.packets[0]?.data ?? [])]).toEqual([...packet]);
  });
});
