/**
 * The capture view (`?view=capture`): a tcpdump or Wireshark capture (pcap, pcapng) dropped on
 * the page, or chosen with the file input, read in the browser by src/capture, the pure layer
 * `tcpstate pcap` drives, in chunks as the file streams in. Nothing leaves the browser. The
 * connections come as a table (the CLI's summary); picking one shows both endpoints' inferred
 * states on the two state diagrams, stepped with the simulator's player, the sequence diagram,
 * each side's states with the time in each, Zeek's codes and the findings. A file the reader
 * cannot read to its end gives one line naming the byte offset, as the CLI does, and what was
 * read before it is still shown. The URL holds the view and the connection picked (`&conn=N`;
 * the file itself stays on the user's machine).
 *
 * Test contract: each connection row is `tr[data-conn]` with `data-a`, `data-b` (`addr:port`)
 * and `data-final-a`, `data-final-b` (states); the diagrams, the log and `data-status` as in
 * the simulator view.
 */
import {
  Analysis,
  type CaptureResult,
  type ConnectionReport,
  captureHeadline,
  duration,
  problemText,
  reportStory,
  stateLine,
  ZEEK_MEANINGS,
} from '../capture/index.js';
import { esc } from '../render/sequence-svg.js';
import { formatMs, type Side, type Story } from '../scenario/story.js';
import type { Lang } from '../state/meanings.js';
import { isoTime } from '../util/iso-time.js';
import { field, h, langSelect, setStatus } from './dom.js';
import { frameAt } from './model/playback.js';
import { simPlayer } from './sim-player.js';
import { sequencePanel } from './sim-sequence.js';
import { statePanels } from './sim-states.js';

/** The connections shown in the table; more are counted (a capture may hold thousands). */
const TABLE_ROWS = 2000;

function findingCodes(r: ConnectionReport): string {
  const codes = r.summary.findings
    .filter((f) => f.code !== 'capture-point')
    .map((f) => (f.side ? `${f.side}: ${f.code}` : f.code));
  return codes.length === 0 ? '–' : codes.join(', ');
}

/** Reads a file in chunks into the capture layer (memory bounded by its record, not the file). */
async function analyse(file: Blob & { name: string }): Promise<CaptureResult> {
  const analysis = new Analysis(file.name);
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!analysis.push(value)) {
      await reader.cancel();
      break;
    }
  }
  return analysis.end();
}

export function mountCapture(app: HTMLElement, params = new URLSearchParams()): void {
  let lang: Lang = params.get('lang') === 'pt' ? 'pt' : 'en';
  let wanted = Number(params.get('conn')) || undefined;
  let result: CaptureResult | undefined;
  let chosen: ConnectionReport | undefined;
  let story: Story | undefined;

  const input = h('input', {
    type: 'file',
    name: 'capture',
    accept: '.pcap,.pcapng,.cap,.dmp,application/vnd.tcpdump.pcap',
  });
  const zone = h(
    'div',
    { class: 'dropzone', 'data-dropzone': '' },
    h(
      'p',
      {},
      h('b', {}, 'Drop a capture file here'),
      ' (pcap or pcapng, from tcpdump or Wireshark)',
    ),
    field('or choose one', input),
    h(
      'p',
      { class: 'hint' },
      'The file is read in this browser and sent nowhere. Record one with ',
      h('code', {}, 'tcpdump -i any -w out.pcap tcp port 443'),
      '.',
    ),
  );
  const language = langSelect(lang);
  const message = h('p', { class: 'message', role: 'status' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: '' });
  const table = h('div', {
    class: 'table-wrap',
    tabindex: '0',
    role: 'region',
    'aria-label': 'connections',
    hidden: '',
  });
  const addressOf = (side: Side) => chosen?.[side] ?? side;
  const states = statePanels(addressOf);
  const sequence = sequencePanel(() => undefined, {
    drops: false,
    // As `tcpstate pcap --format svg` titles it: the file and the connection, its start time.
    edit: (svg) => {
      if (chosen === undefined || story === undefined) return svg;
      const from = `tcpstate sim ${story.scenario}`;
      return svg
        .replace(
          `${from} (seed 0)`,
          esc(`tcpstate pcap ${result?.source ?? ''}, ${story.scenario}`),
        )
        .replace(from, esc(story.scenario))
        .replace('seed 0 · ', `${isoTime(chosen.summary.start)} · `);
    },
    label: 'sequence diagram of the connection: + and - zoom, arrow keys pan, 0 resets',
  });
  const title = h('h2', { id: 'capture-conn-title' });
  const report = h('section', { class: 'capture-report', 'aria-label': 'what the capture tells' });
  const now = h('p', { class: 'now', 'aria-live': 'polite' });
  const player = simPlayer({
    show: (step) => show(step),
    describe: (step) => {
      const total = story?.events.length ?? 0;
      const at = story === undefined ? 0 : frameAt(story, step).time;
      return `${step} of ${total} · ${formatMs(at)} ms`;
    },
    changed: () => status(),
  });
  const detail = h(
    'section',
    { class: 'capture-conn', 'aria-labelledby': 'capture-conn-title', hidden: '' },
    title,
    report,
    player.element,
    now,
    h('div', { class: 'stage' }, states.figures.a, sequence.element, states.figures.b),
    states.explain,
    states.log,
  );
  const root = h(
    'section',
    { class: 'capture sim', 'aria-label': 'capture' },
    h('div', { class: 'controls' }, zone, field('Explain in', language)),
    problem,
    message,
    table,
    detail,
  );
  app.append(root);
  message.textContent = 'No capture yet.';

  const status = () => {
    if (story !== undefined && player.step === story.events.length) setStatus('done');
    else setStatus(player.playing ? 'playing' : 'ready');
  };

  const writeUrl = () => {
    const p = new URLSearchParams({ view: 'capture' });
    if (chosen !== undefined) p.set('conn', String(chosen.id));
    if (lang !== 'en') p.set('lang', lang);
    history.replaceState(null, '', `?${p}`);
  };

  const show = (step: number) => {
    if (story === undefined) return;
    const frame = frameAt(story, step);
    states.show(frame, lang);
    sequence.show(step, frame.time);
    const last = frame.last;
    now.textContent =
      last === undefined
        ? 'Before the first packet: press Play or Step (Space, →).'
        : last.type === 'state'
          ? `${formatMs(last.time)} ms · ${last.side}: ${last.from} → ${last.to} (${last.cause ?? '?'})`
          : last.type === 'note'
            ? `${formatMs(last.time)} ms · ${last.text}`
            : `${formatMs(last.time)} ms · ${last.from} → ${last.to}: ${last.flags} len=${last.len}`;
    status();
  };

  const pick = (c: ConnectionReport) => {
    chosen = c;
    story = reportStory(c);
    for (const tr of table.querySelectorAll('tr[data-conn]')) {
      const on = tr.getAttribute('data-conn') === String(c.id);
      tr.classList.toggle('chosen', on);
      tr.querySelector('button')?.setAttribute('aria-pressed', String(on));
    }
    title.textContent = `Connection ${c.id}: ${c.a} → ${c.b}`;
    const z = c.summary.zeek;
    const point = c.summary.capturePoint;
    const near =
      point.near === 'a' || point.near === 'b'
        ? `The capture was taken near ${point.near} (${c[point.near]}), from the handshake's timing.`
        : undefined;
    report.replaceChildren(
      h(
        'dl',
        { class: 'capture-states' },
        ...(['a', 'b'] as const).flatMap((side) => [
          h('dt', {}, `${side} ${c[side]}${side === 'a' ? ' (opened)' : ''}`),
          h('dd', { 'data-side': side }, stateLine(c.summary[side])),
        ]),
        h('dt', {}, 'Zeek'),
        h(
          'dd',
          {},
          `conn_state ${z.conn_state} (${ZEEK_MEANINGS[z.conn_state]}), history ${z.history || '–'}`,
        ),
        h('dt', {}, 'Packets'),
        h(
          'dd',
          {},
          (['a', 'b'] as const)
            .map((side) => {
              const s = c.summary[side];
              return `${side} sent ${s.packets} packets, ${s.bytes} bytes`;
            })
            .join('; '),
        ),
      ),
      h('h3', {}, 'Findings'),
      c.summary.findings.length === 0
        ? h('p', { class: 'hint' }, 'Nothing to report.')
        : h(
            'ul',
            { class: 'capture-findings' },
            ...c.summary.findings.map((f) =>
              h('li', { 'data-code': f.code, 'data-side': f.side }, f.text),
            ),
          ),
      ...(near ? [h('p', { class: 'hint' }, near)] : []),
    );
    detail.hidden = false;
    sequence.draw(story);
    // Shown at the end: each side's final state lit, every transition in the log.
    player.load(story.events.length, story.events.length);
    writeUrl();
  };

  const fill = (r: CaptureResult) => {
    const rows = r.connections.slice(0, TABLE_ROWS).map((c) => {
      const open = h(
        'button',
        { type: 'button', 'aria-pressed': 'false', 'aria-label': `show connection ${c.id}` },
        String(c.id),
      );
      open.addEventListener('click', () => pick(c));
      return h(
        'tr',
        {
          'data-conn': String(c.id),
          'data-a': c.a,
          'data-b': c.b,
          'data-final-a': c.final.a,
          'data-final-b': c.final.b,
        },
        h('td', {}, open),
        h('td', { class: 'addr' }, c.a),
        h('td', { class: 'addr' }, c.b),
        h('td', { class: 'num' }, String(c.summary.packets)),
        h('td', { class: 'num' }, duration(c.summary.end - c.summary.start)),
        h('td', { 'data-state': c.final.a }, c.final.a),
        h('td', { 'data-state': c.final.b }, c.final.b),
        h('td', {}, c.summary.zeek.conn_state),
        h('td', {}, findingCodes(c)),
      );
    });
    const more =
      r.connections.length > TABLE_ROWS
        ? h(
            'p',
            { class: 'hint' },
            `The first ${TABLE_ROWS} of ${r.connections.length} connections are listed.`,
          )
        : undefined;
    table.replaceChildren(
      h(
        'table',
        { class: 'sockets capture-table' },
        h('caption', {}, 'TCP connections: pick one to see its story'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              '#',
              'a (opened)',
              'b',
              'packets',
              'duration',
              'a final',
              'b final',
              'Zeek',
              'findings',
            ].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
      ...(more ? [more] : []),
    );
    table.hidden = r.connections.length === 0;
  };

  const open = async (file: Blob & { name: string }) => {
    setStatus('playing');
    message.textContent = `Reading ${file.name}…`;
    problem.hidden = true;
    detail.hidden = true;
    chosen = undefined;
    story = undefined;
    try {
      result = await analyse(file);
    } catch (err) {
      result = undefined;
      problem.textContent = `${file.name}: cannot be read: ${err instanceof Error ? err.message : String(err)}`;
      problem.hidden = false;
      message.textContent = '';
      table.hidden = true;
      setStatus('ready');
      return;
    }
    const r = result;
    message.textContent = captureHeadline(r);
    if (r.problem) {
      problem.textContent = `${r.source}: ${problemText(r.problem)} (the ${r.counts.frames} frames before it are reported)`;
      problem.hidden = false;
    }
    if (r.connections.length === 0)
      message.textContent = `${captureHeadline(r)}: no TCP connections in the capture`;
    fill(r);
    const first =
      r.connections.find((c) => c.id === wanted) ??
      (r.connections.length === 1 ? r.connections[0] : undefined);
    wanted = undefined;
    if (first) pick(first);
    else {
      writeUrl();
      setStatus('ready');
    }
  };

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void open(file);
  });
  // The whole view takes a dropped file, the zone shows where.
  root.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  root.addEventListener('dragleave', (e) => {
    if (e.target === zone) zone.classList.remove('over');
  });
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void open(file);
  });
  language.addEventListener('change', () => {
    lang = language.value === 'pt' ? 'pt' : 'en';
    show(player.step);
    writeUrl();
  });
}
