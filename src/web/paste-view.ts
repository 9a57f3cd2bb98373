/**
 * The paste view: text copied from netstat, ss or PowerShell on any system, read by the parser
 * `tcpstate explain -` uses (host/paste), shown as a table with each row's state and meaning,
 * the count per state with its meaning, and doctor's findings (host/doctor, on the sockets
 * alone: a paste has no kernel counters). English or Portuguese (`?view=paste&lang=pt`); a
 * link may carry the text itself (`&text=…`), though the page never writes it there, since a
 * paste may hold a server's connections.
 */
import { diagnose } from '../host/doctor.js';
import { parsePasted } from '../host/paste/parse.js';
import type { PastedSocketLine } from '../host/paste/types.js';
import { type Lang, shortMeaning } from '../state/meanings.js';
import { countsList } from './counts.js';
import { field, h, langSelect, setStatus } from './dom.js';
import { findingsList } from './findings.js';
import { endpointText } from './model/endpoint.js';
import { PASTE_WORDS } from './paste-words.js';

const EXAMPLE = `Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN
tcp        0      0 10.0.0.5:22             10.0.0.9:51234          ESTABLISHED
tcp        1      0 10.0.0.5:8080           10.0.0.7:40100          CLOSE_WAIT
tcp        0      0 10.0.0.5:41822          10.0.0.20:5432          TIME_WAIT`;

export function mountPaste(app: HTMLElement, params = new URLSearchParams()): void {
  let lang: Lang = params.get('lang') === 'pt' ? 'pt' : 'en';
  const text = h('textarea', {
    name: 'paste',
    rows: '10',
    spellcheck: 'false',
    wrap: 'off',
    placeholder: EXAMPLE,
  });
  const language = langSelect(lang);
  const intro = h('p', { id: 'paste-intro' });
  const analyse = h('button', { type: 'submit' });
  const example = h('button', { type: 'button', 'data-action': 'example' });
  const langField = field('', language);
  const message = h('p', { class: 'message', role: 'status' });
  const counts = h('section', { class: 'counts', 'aria-label': 'sockets per state' });
  const table = h('div', {
    class: 'table-wrap',
    tabindex: '0',
    role: 'region',
    'aria-label': 'sockets',
  });
  const findings = h('section', { class: 'findings', 'aria-label': 'findings' });
  const form = h(
    'form',
    { class: 'paste' },
    intro,
    text,
    h('div', { class: 'controls' }, analyse, example, langField),
  );
  app.append(h('section', { class: 'paste-view' }, form, message, counts, table, findings));

  const label = () => {
    const w = PASTE_WORDS[lang];
    document.documentElement.lang = lang;
    intro.textContent = w.intro;
    text.setAttribute('aria-label', w.label);
    text.setAttribute('aria-describedby', 'paste-intro');
    analyse.textContent = w.read;
    example.textContent = w.example;
    const span = langField.querySelector('span');
    if (span) span.textContent = w.language;
  };

  const read = () => {
    const w = PASTE_WORDS[lang];
    const parse = parsePasted(text.value);
    const rows = parse.lines.filter((l): l is PastedSocketLine => l.kind === 'socket');
    counts.replaceChildren();
    table.replaceChildren();
    findings.replaceChildren();
    if (rows.length === 0) {
      message.textContent = text.value.trim() === '' ? w.nothing : w.none;
      setStatus('done');
      return;
    }
    const others = parse.lines.filter((l) => l.kind !== 'socket' && l.text.trim() !== '').length;
    message.textContent = `${w.count(rows.length, parse.formats.map((f) => w.formats[f]).join(', '))}${others > 0 ? ` ${w.others(others)}` : ''}`;
    counts.append(...countsList(parse.sockets, w.byState, lang));
    table.append(
      h(
        'table',
        {},
        h('caption', {}, w.caption),
        h('thead', {}, h('tr', {}, ...w.columns.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...rows.map((r) => {
            const local = endpointText(r.socket.local);
            const remote = endpointText(r.socket.remote);
            return h(
              'tr',
              { 'data-state': r.socket.state, 'data-local': local, 'data-remote': remote },
              h('td', { class: 'num' }, String(r.lineNo)),
              h('td', {}, r.socket.state),
              h('td', {}, local),
              h('td', {}, remote),
              h('td', {}, r.stateText),
              h('td', { class: 'meaning' }, shortMeaning(r.socket.state, lang)),
            );
          }),
        ),
      ),
    );
    findings.append(...findingsList(diagnose(parse.sockets), w.findings));
    setStatus('done');
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    read();
  });
  example.addEventListener('click', () => {
    text.value = EXAMPLE;
    read();
  });
  language.addEventListener('change', () => {
    lang = language.value === 'pt' ? 'pt' : 'en';
    const p = new URLSearchParams({ view: 'paste' });
    if (lang !== 'en') p.set('lang', lang);
    window.history.replaceState(null, '', `?${p}`);
    label();
    if (text.value.trim() !== '') read();
  });

  label();
  const given = params.get('text');
  if (given !== null) {
    text.value = given;
    read();
  }
}
