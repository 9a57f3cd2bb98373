/**
 * The "this machine" view, served by `tcpstate web` only: the counts per state with their
 * meanings, the socket table with the filters of `tcpstate ls`, the kernel's transitions live
 * (GET /api/events, the tracer of `tcpstate watch`), doctor's findings (GET /api/doctor), and
 * for a socket clicked, its state on the state diagram and its history since the page opened.
 *
 * From a plain static server there is no API: the view says so instead of failing requests.
 */
import { filterSockets, type SocketFilter, sortSockets } from '../host/filters.js';
import type { Finding, HostSocket } from '../host/types.js';
import { formatOwner, formatSendQ } from '../host/view.js';
import type { WatchEventJson } from '../host/watch-view.js';
import { esc } from '../render/sequence-svg.js';
import { shortMeaning } from '../state/meanings.js';
import { countsList } from './counts.js';
import { field, h, setStatus } from './dom.js';
import { FINDING_WORDS_EN, findingsList } from './findings.js';
import { endpointText, socketId } from './model/endpoint.js';
import { watchEventMatches, watchEventOf } from './model/host-events.js';
import { type HistoryEntry, SocketHistories } from './model/host-history.js';
import { type HostQuery, hostFilterOf, hostQueryOf, hostQueryParams } from './model/host-query.js';
import { socketsOfSnapshot } from './model/host-snapshot.js';
import { stateDiagramSvg } from './model/state-diagram-svg.js';

/** How often the table is read again while the page is visible (events also trigger a read). */
const REFRESH_MS = 2000;
/** A burst of events asks for one snapshot, this long after the first. */
const EVENT_REFRESH_DELAY_MS = 150;
/** Rows drawn at most: a busy server has 100k sockets; the filters narrow them. */
const MAX_ROWS = 1000;
const MAX_LOG = 500;

/** True when the page came from `tcpstate web` (its responses carry X-Tcpstate-Api). */
async function servedWithApi(): Promise<boolean> {
  if (location.protocol === 'file:') return false;
  try {
    const res = await fetch('./', { method: 'HEAD', cache: 'no-store' });
    return res.headers.get('X-Tcpstate-Api') === '1';
  } catch {
    return false;
  }
}

function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function historyText(e: HistoryEntry): string {
  const t = clock(e.time);
  switch (e.kind) {
    case 'seen':
      return `${t} · in ${e.state} (${e.how === 'poll' ? 'found by polling' : 'in the table'})`;
    case 'transition':
      return `${t} · ${e.from} → ${e.to}${e.process ? ` (${e.process})` : ''}`;
    case 'changed':
      return `${t} · ${e.from} → ${e.to} (seen in the table; the change itself was not reported)`;
    case 'gone':
      return `${t} · gone from the table`;
  }
}

export function mountHost(app: HTMLElement, params: URLSearchParams): void {
  const view = h('section', { class: 'host-view', 'aria-labelledby': 'host-title' });
  app.append(view);
  view.append(h('h2', { id: 'host-title', class: 'view-title' }, 'This machine'));
  void servedWithApi().then((api) => {
    if (api) mountLive(view, params);
    else {
      view.append(
        h(
          'p',
          { class: 'message', role: 'status', 'data-needs': 'tcpstate web' },
          'This view needs `tcpstate web`: it shows this machine’s sockets, which a static copy of the page cannot read. Run `tcpstate web` on the machine and open http://127.0.0.1:8000/?view=host. The simulator, paste and drill views work here.',
        ),
      );
      setStatus('done');
    }
  });
}

function mountLive(view: HTMLElement, params: URLSearchParams): void {
  let query: HostQuery = hostQueryOf(params);
  let filter: SocketFilter = {};
  let sockets: HostSocket[] = [];
  let selected: string | undefined;
  const histories = new SocketHistories();

  const input = (name: string, value: string, placeholder: string) => {
    const el = h('input', { name, type: 'text', placeholder, autocomplete: 'off' });
    el.value = value;
    return el;
  };
  const stateInput = input('state', query.state, 'e.g. close-wait, connected');
  // Wide enough for its own example.
  stateInput.size = 24;
  const portInput = input('port', query.port, 'e.g. 22, 443');
  portInput.inputMode = 'numeric';
  const processInput = input('process', query.process, 'part of a name');
  const family = h(
    'select',
    { name: 'family' },
    h('option', { value: '' }, 'IPv4 and IPv6'),
    h('option', { value: '4' }, 'IPv4 only'),
    h('option', { value: '6' }, 'IPv6 only'),
  );
  family.value = query.family;
  const listening = h('input', { name: 'listening', type: 'checkbox' });
  listening.checked = query.listening;
  const refresh = h('button', { type: 'button', 'data-action': 'refresh' }, 'Refresh');
  const filters = h(
    'form',
    { class: 'controls filters', role: 'search', 'aria-label': 'filter the sockets' },
    field('State or group', stateInput),
    field('Port', portInput),
    field('Process', processInput),
    field('Family', family),
    h('label', { class: 'check' }, listening, ' listening only'),
    refresh,
  );
  const status = h('p', { class: 'message', role: 'status' }, 'Reading this machine’s sockets…');
  const filterError = h('p', { class: 'error', role: 'alert' });
  const counts = h('section', { class: 'counts', 'aria-label': 'sockets per state' });
  const table = h('div', {
    class: 'table-wrap',
    tabindex: '0',
    role: 'region',
    'aria-label': 'sockets',
  });
  const diagram = h('figure', { class: 'socket-diagram' });
  const historyPanel = h('section', { class: 'socket-history', 'aria-label': 'socket history' });
  const selectedPanel = h(
    'section',
    { class: 'selected', 'aria-label': 'the socket picked' },
    diagram,
    historyPanel,
  );
  const live = h('p', { class: 'live-source' });
  const log = h('ol', { class: 'log', 'aria-label': 'transitions since the page opened' });
  const notes = h('ul', { class: 'notes' });
  const doctor = h('section', { class: 'findings', 'aria-label': 'doctor' });
  const checkAgain = h('button', { type: 'button', 'data-action': 'doctor' }, 'Check again');
  view.append(
    filters,
    filterError,
    status,
    counts,
    h('div', { class: 'host-main' }, table, selectedPanel),
    h(
      'section',
      { class: 'live', 'aria-labelledby': 'live-title' },
      h('h2', { id: 'live-title' }, 'Live transitions'),
      live,
      h(
        'div',
        { class: 'log-wrap', tabindex: '0', role: 'region', 'aria-label': 'live transitions' },
        log,
      ),
      notes,
    ),
    h('div', { class: 'doctor' }, doctor, checkAgain),
  );

  const applyQuery = () => {
    query = {
      state: stateInput.value,
      port: portInput.value,
      process: processInput.value,
      listening: listening.checked,
      family: family.value === '4' || family.value === '6' ? family.value : '',
    };
    const result = hostFilterOf(query);
    if ('error' in result) {
      filterError.textContent = result.error;
      return;
    }
    filterError.textContent = '';
    filter = result.filter;
    window.history.replaceState(null, '', `?${hostQueryParams(query)}`);
    drawTable();
    drawSelected();
  };

  /** What the table showed last: an unchanged snapshot leaves the DOM (and a click) alone. */
  let drawn = '';
  const drawTable = () => {
    const rows = sortSockets(filterSockets(sockets, filter));
    const key = JSON.stringify([sockets.length, selected, rows.slice(0, MAX_ROWS)]);
    if (key === drawn) return;
    drawn = key;
    counts.replaceChildren(...countsList(rows, 'By state'));
    const focused = document.activeElement?.closest<HTMLElement>('tr[data-id]')?.dataset.id;
    const shown = rows.slice(0, MAX_ROWS);
    table.replaceChildren(
      h(
        'table',
        {},
        h(
          'caption',
          {},
          rows.length === sockets.length
            ? `${sockets.length} sockets`
            : `${rows.length} of ${sockets.length} sockets match`,
          rows.length > MAX_ROWS
            ? ` (the first ${MAX_ROWS} shown: narrow them with the filters)`
            : '',
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['State', 'Recv-Q', 'Send-Q', 'Local', 'Remote', 'Process'].map((c) =>
              h('th', { scope: 'col', ...(c.endsWith('-Q') ? { class: 'num' } : {}) }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...shown.map((s) => {
            const local = endpointText(s.local);
            const remote = endpointText(s.remote);
            const id = socketId(s.local, s.remote);
            const pick = h(
              'button',
              {
                type: 'button',
                class: 'pick',
                'aria-pressed': id === selected ? 'true' : 'false',
                title: shortMeaning(s.state),
                'aria-label': `${s.state} ${local} to ${remote}: show on the diagram`,
              },
              s.state,
            );
            pick.addEventListener('click', () => select(id));
            return h(
              'tr',
              {
                'data-state': s.state,
                'data-local': local,
                'data-remote': remote,
                'data-id': id,
                ...(id === selected ? { class: 'picked' } : {}),
              },
              h('td', {}, pick),
              h('td', { class: 'num' }, String(s.recvQ)),
              h('td', { class: 'num' }, formatSendQ(s)),
              h('td', {}, local),
              h('td', {}, remote),
              h('td', {}, formatOwner(s)),
            );
          }),
        ),
      ),
    );
    if (focused !== undefined) {
      table.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(focused)}"] button`)?.focus();
    }
  };

  const drawSelected = () => {
    if (selected === undefined) {
      diagram.replaceChildren(
        h('figcaption', {}, 'State diagram'),
        h('p', { class: 'hint' }, 'Pick a socket’s state in the table to see it here.'),
      );
      historyPanel.replaceChildren();
      return;
    }
    const id = selected;
    const current = histories.state(id) ?? 'CLOSED';
    const last = histories.lastChange(id);
    diagram.innerHTML = `<figcaption>Socket ${esc(id.replace('-', ' → '))}</figcaption>${stateDiagramSvg(
      { side: id, label: id, current, ...(last ? { last } : {}) },
    )}`;
    historyPanel.replaceChildren(
      h('h3', {}, `History since the page opened: now ${current}`),
      h('p', { class: 'meaning' }, shortMeaning(current)),
      h(
        'ol',
        { class: 'history' },
        ...histories.history(id).map((e) => h('li', { 'data-kind': e.kind }, historyText(e))),
      ),
    );
  };

  const select = (id: string) => {
    selected = id;
    for (const tr of table.querySelectorAll<HTMLTableRowElement>('tr[data-id]')) {
      const on = tr.dataset.id === id;
      tr.classList.toggle('picked', on);
      tr.querySelector('button')?.setAttribute('aria-pressed', String(on));
    }
    drawSelected();
  };

  let loading = false;
  let again = false;
  let firstShown = false;
  const load = async () => {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const asked = Date.now();
    try {
      const res = await fetch('./api/snapshot', { cache: 'no-store' });
      sockets = socketsOfSnapshot(await res.json());
      histories.observeSnapshot(asked, sockets);
      status.textContent = `${sockets.length} TCP sockets on this machine, read at ${clock(asked)}.`;
      drawTable();
      if (selected !== undefined) drawSelected();
      if (!firstShown) {
        firstShown = true;
        setStatus('done');
      }
    } catch (err) {
      status.textContent = `tcpstate: ${(err as Error).message}`;
    } finally {
      loading = false;
      if (again) {
        again = false;
        void load();
      }
    }
  };

  let soon: number | undefined;
  const loadSoon = () => {
    if (soon !== undefined) return;
    soon = window.setTimeout(() => {
      soon = undefined;
      void load();
    }, EVENT_REFRESH_DELAY_MS);
  };

  const onEvent = (e: WatchEventJson) => {
    const id = histories.observeEvent(e);
    if (id === selected) drawSelected();
    loadSoon();
    if (e.type !== 'transition' || !watchEventMatches(e, filter)) return;
    const local = endpointText(e.local);
    const remote = endpointText(e.remote);
    const item = h(
      'li',
      {
        'data-side': id,
        'data-from': e.from,
        'data-to': e.to,
        'data-cause': e.cause ?? '',
        'data-local': local,
        'data-remote': remote,
      },
      h(
        'button',
        { type: 'button', class: 'entry', title: 'show this socket on the diagram' },
        h('span', { class: 'time' }, clock(e.time)),
        ` ${local} → ${remote}: `,
        h('strong', {}, `${e.from} → ${e.to}`),
        e.process ? ` (${e.process})` : '',
      ),
    );
    item.querySelector('button')?.addEventListener('click', () => select(id));
    const wrap = log.parentElement;
    const atEnd = wrap ? wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4 : true;
    log.append(item);
    while (log.children.length > MAX_LOG) log.firstElementChild?.remove();
    if (wrap && atEnd) wrap.scrollTop = wrap.scrollHeight;
  };

  const events = new EventSource('./api/events');
  live.textContent = 'Connecting to the kernel’s transitions…';
  events.addEventListener('hello', (m) => {
    const { source } = JSON.parse((m as MessageEvent<string>).data) as { source: string };
    live.dataset.source = source;
    live.textContent =
      source === 'tracefs'
        ? 'Live from the kernel (tracefs event sock/inet_sock_set_state): every change, as it happens.'
        : 'Polling /proc/net/tcp (not root, or no tracefs): states shorter than the interval can be missed.';
  });
  events.addEventListener('note', (m) => {
    const { note } = JSON.parse((m as MessageEvent<string>).data) as { note: string };
    notes.append(h('li', {}, note));
  });
  events.addEventListener('failure', (m) => {
    const { error } = JSON.parse((m as MessageEvent<string>).data) as { error: string };
    live.textContent = `No live transitions: ${error}`;
  });
  events.addEventListener('message', (m) => {
    const e = watchEventOf((m as MessageEvent<string>).data);
    if (e) onEvent(e);
  });
  window.addEventListener('pagehide', () => events.close());

  const runDoctor = async () => {
    checkAgain.disabled = true;
    doctor.replaceChildren(h('h2', {}, 'Findings'), h('p', {}, 'Checking (1 s)…'));
    try {
      const res = await fetch('./api/doctor', { cache: 'no-store' });
      const report = (await res.json()) as { findings?: Finding[]; error?: string };
      if (!Array.isArray(report.findings)) throw new Error(report.error ?? 'no findings');
      doctor.replaceChildren(...findingsList(report.findings, FINDING_WORDS_EN));
      doctor.dataset.checked = 'true';
    } catch (err) {
      doctor.replaceChildren(
        h('h2', {}, 'Findings'),
        h('p', { class: 'error' }, (err as Error).message),
      );
    } finally {
      checkAgain.disabled = false;
    }
  };

  for (const el of [stateInput, portInput, processInput]) el.addEventListener('input', applyQuery);
  for (const el of [family, listening]) el.addEventListener('change', applyQuery);
  filters.addEventListener('submit', (e) => e.preventDefault());
  refresh.addEventListener('click', () => void load());
  checkAgain.addEventListener('click', () => void runDoctor());
  window.setInterval(() => {
    if (!document.hidden) void load();
  }, REFRESH_MS);

  applyQuery();
  void load();
  void runDoctor();
}
