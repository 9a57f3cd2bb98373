/**
 * The paste view: text copied from netstat, ss or PowerShell on any system, read by the same
 * parser as `tcpstate doctor --paste` (host/paste), shown as a table with each row's state, the
 * count per state with its meaning, and doctor's findings.
 */
import { diagnose } from '../host/doctor.js';
import { parsePasted } from '../host/paste/parse.js';
import type { PastedSocketLine } from '../host/paste/types.js';
import { shortMeaning } from '../state/meanings.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import { h, setStatus } from './dom.js';

const EXAMPLE = `Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN
tcp        0      0 10.0.0.5:22             10.0.0.9:51234          ESTABLISHED
tcp        1      0 10.0.0.5:8080           10.0.0.7:40100          CLOSE_WAIT`;

const endpoint = (e: { address: string; port: number }) =>
  e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;

export function mountPaste(app: HTMLElement): void {
  const text = h('textarea', {
    name: 'paste',
    rows: '10',
    spellcheck: 'false',
    wrap: 'off',
    placeholder: EXAMPLE,
    'aria-label': 'pasted netstat, ss or PowerShell output',
  });
  const analyse = h('button', { type: 'submit' }, 'Read');
  const message = h('p', { class: 'message', role: 'status' });
  const counts = h('section', { class: 'counts', 'aria-label': 'sockets per state' });
  const table = h('div', { class: 'table-wrap' });
  const findings = h('section', { class: 'findings', 'aria-label': 'findings' });
  const form = h(
    'form',
    { class: 'paste' },
    h(
      'p',
      {},
      'Paste the output of netstat -tan, ss -tan, macOS netstat -an -p tcp, Windows netstat -ano or PowerShell Get-NetTCPConnection.',
    ),
    text,
    analyse,
  );
  app.append(h('section', { class: 'paste-view' }, form, message, counts, table, findings));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const parse = parsePasted(text.value);
    const rows = parse.lines.filter((l): l is PastedSocketLine => l.kind === 'socket');
    counts.replaceChildren();
    table.replaceChildren();
    findings.replaceChildren();
    if (rows.length === 0) {
      message.textContent =
        text.value.trim() === ''
          ? 'Nothing pasted yet.'
          : 'No socket rows recognised: this does not look like netstat, ss or PowerShell output.';
      setStatus('done');
      return;
    }
    message.textContent = `${rows.length} socket${rows.length === 1 ? '' : 's'} read (${parse.formats.join(', ')}).`;
    const perState = new Map<TcpState, number>();
    for (const s of parse.sockets) perState.set(s.state, (perState.get(s.state) ?? 0) + 1);
    counts.append(
      h('h2', {}, 'By state'),
      h(
        'dl',
        {},
        ...TCP_STATES.filter((s) => perState.has(s)).flatMap((s) => [
          h(
            'dt',
            { 'data-count-state': s },
            `${s}: `,
            h('span', { class: 'n' }, String(perState.get(s))),
          ),
          h('dd', {}, shortMeaning(s)),
        ]),
      ),
    );
    table.append(
      h(
        'table',
        {},
        h('caption', {}, 'Sockets'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Line'),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, 'Local'),
            h('th', { scope: 'col' }, 'Remote'),
            h('th', { scope: 'col' }, 'As printed'),
          ),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) => {
            const local = endpoint(r.socket.local);
            const remote = endpoint(r.socket.remote);
            return h(
              'tr',
              { 'data-state': r.socket.state, 'data-local': local, 'data-remote': remote },
              h('td', {}, String(r.lineNo)),
              h('td', { title: shortMeaning(r.socket.state) }, r.socket.state),
              h('td', {}, local),
              h('td', {}, remote),
              h('td', {}, r.stateText),
            );
          }),
        ),
      ),
    );
    const found = diagnose(parse.sockets);
    findings.append(
      h('h2', {}, 'Findings'),
      found.length === 0
        ? h('p', {}, 'No problems found in these sockets.')
        : h('ul', {}, ...found.map((f) => h('li', { 'data-severity': f.severity }, `${f.title}`))),
    );
    setStatus('done');
  });
}
