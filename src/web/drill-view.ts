/**
 * The drill view: a packetdrill script played in the browser by src/drill (the runner of
 * `tcpstate drill`, pure) against tcpstate's stack in virtual time. It shows pass or fail with
 * the first mismatch marked at its line, the stack's transitions on the state diagram (one
 * clicked in the log lights it) and the whole run as a sequence diagram, drawn by the
 * simulator's renderer. `?view=drill&profile=linux&seed=3&script=…` replays a run.
 */
import { type DrillResult, LOCAL_ADDRESS, runScriptText } from '../drill/run.js';
import type { TransitionEvent } from '../state/events.js';
import { field, h, setStatus } from './dom.js';
import { drillStory } from './model/drill-story.js';
import { stateDiagramSvg } from './model/state-diagram-svg.js';
import { sequencePanel } from './sim-sequence.js';

const CONNECT_AND_CLOSE = `// tcpstate connects, sends 100 bytes and closes first: FIN_WAIT1, FIN_WAIT2, then TIME_WAIT.
--tolerance_usecs=10000

0.000 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 0 ecr 0>
+0.05 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>
+0 > . 1:1(0) ack 1 win 65535
+0.1 write(3, ..., 100) = 100
+0 > P. 1:101(100) ack 1 win 65535
+0.05 < . 1:1(0) ack 101 win 32767
+0.1 close(3) = 0
+0 > F. 101:101(0) ack 1 win 65535
+0.05 < . 1:1(0) ack 102 win 32767
+0 %{ assert tcpi_state == TCPI_FIN_WAIT_2 }%
+0.1 < F. 1:1(0) ack 102 win 32767
+0 > . 102:102(0) ack 2 win 65535
+0 %{ assert tcpi_state == TCPI_TIME_WAIT }%
`;

/** The same exchange, expecting a FIN where the stack (rightly) sends a bare ACK. */
const WRONG_EXPECTATION = CONNECT_AND_CLOSE.replace(
  '// tcpstate connects, sends 100 bytes and closes first: FIN_WAIT1, FIN_WAIT2, then TIME_WAIT.',
  '// The same exchange, with a wrong expectation: in FIN_WAIT2 the peer’s FIN is answered by\n// an ACK alone (RFC 9293 3.10.7.4), not by a second FIN.',
).replace('+0 > . 102:102(0) ack 2 win 65535', '+0 > F. 102:102(0) ack 2 win 65535');

const SERVER_SIDE = `// tcpstate listens and accepts; the peer closes first: CLOSE_WAIT, then LAST_ACK.
--tolerance_usecs=10000

0.000 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32767 <mss 1460,sackOK,eol,eol>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>
+0.05 < . 1:1(0) ack 1 win 32767
+0 accept(3, ..., ...) = 4
+0.1 < F. 1:1(0) ack 1 win 32767
+0 > . 1:1(0) ack 2 win 65535
+0 %{ assert tcpi_state == TCPI_CLOSE_WAIT }%
+0.1 close(4) = 0
+0 > F. 1:1(0) ack 2 win 65535
+0.05 < . 2:2(0) ack 2 win 32767
+0 %{ assert tcpi_state == TCPI_CLOSED }%
`;

const EXAMPLES: ReadonlyArray<{ name: string; title: string; text: string }> = [
  { name: 'connect-close', title: 'Connect, send, close first (passes)', text: CONNECT_AND_CLOSE },
  { name: 'server-close', title: 'Accept, the peer closes first (passes)', text: SERVER_SIDE },
  { name: 'wrong-fin', title: 'A wrong expectation (fails)', text: WRONG_EXPECTATION },
];

/** Scripts longer than this stay out of the URL (a link must stay a link). */
const MAX_URL_SCRIPT = 4000;

/** The address of the stack under test: the script's --local_ip, else packetdrill's default. */
function stackAddress(script: string): string {
  return /^\s*--local_ip=(\S+)/m.exec(script)?.[1] ?? LOCAL_ADDRESS;
}

function outcomeText(r: DrillResult): string {
  const o = r.outcome;
  if (o.status === 'pass') return `pass: every line held (${r.eventsRun} events played)`;
  if (o.status === 'unsupported') return `unsupported at line ${o.line}: ${o.construct}`;
  return `fail at line ${o.line}: ${o.message}`;
}

export function mountDrill(app: HTMLElement, params: URLSearchParams): void {
  const script = h('textarea', {
    name: 'script',
    rows: '18',
    spellcheck: 'false',
    wrap: 'off',
    'aria-describedby': 'drill-intro',
  });
  script.value = params.get('script') ?? CONNECT_AND_CLOSE;
  const example = h(
    'select',
    { name: 'example' },
    h('option', { value: '' }, '—'),
    ...EXAMPLES.map((e) => h('option', { value: e.name }, e.title)),
  );
  const profile = h(
    'select',
    { name: 'profile' },
    h('option', { value: 'freebsd' }, 'FreeBSD (the default)'),
    h('option', { value: 'linux' }, 'Linux'),
  );
  profile.value = params.get('profile') === 'linux' ? 'linux' : 'freebsd';
  const seed = h('input', { name: 'seed', type: 'number', min: '0', step: '1' });
  seed.value = /^\d+$/.test(params.get('seed') ?? '') ? String(params.get('seed')) : '1';
  const run = h('button', { type: 'submit' }, 'Run');
  const form = h(
    'form',
    { class: 'drill' },
    h(
      'p',
      { id: 'drill-intro' },
      'A packetdrill script: system calls, segments the script sends to the stack (<) and segments the stack must send (>). It runs here, in your browser, against tcpstate’s own TCP stack in virtual time.',
    ),
    field('packetdrill script', script),
    h(
      'div',
      { class: 'controls' },
      run,
      field('Example', example),
      field('Profile', profile),
      field('Seed', seed),
    ),
  );
  const outcome = h('p', { class: 'outcome', role: 'status' });
  const detail = h('dl', { class: 'mismatch-detail' });
  const listing = h('ol', { class: 'listing', 'aria-label': 'the script, line by line' });
  const diagram = h('figure', { 'data-diagram': 'a' });
  const log = h('ol', { class: 'log', 'aria-label': 'the stack’s transitions' });
  // The simulator's sequence diagram (zoom, pan), without drops: the script decides the run.
  // The renderer names the simulator and b's final state; b is packetdrill here, stateless.
  // The time labels of events spread 1 µs apart (drill-story.ts) would only repeat the time.
  const sequence = sequencePanel(() => undefined, {
    drops: false,
    label: 'sequence diagram of the run: + and - zoom, arrow keys pan, 0 resets',
    edit: (svg) =>
      svg
        .replace(/<text x="44"[^>]*>\d+\.00\d<\/text>\n<line [^>]*\/>\n/g, '')
        .replace(/… (\d+\.\d{3}) ms later …/g, (all, ms: string) => {
          const whole = Math.round(Number(ms));
          return Math.abs(whole - Number(ms)) < 0.01 ? `… ${whole} ms later …` : all;
        })
        .replace(/tcpstate sim packetdrill script( \(seed 0\))?/g, 'tcpstate drill')
        .replace(/seed 0 · /, '')
        .replace(/(final: a [A-Z_0-9]+), b [A-Z_0-9]+/, '$1'),
  });
  app.append(
    h(
      'section',
      { class: 'drill-view' },
      form,
      outcome,
      detail,
      h(
        'div',
        { class: 'drill-main' },
        h(
          'div',
          { class: 'listing-wrap', tabindex: '0', role: 'region', 'aria-label': 'script listing' },
          listing,
        ),
        h('div', {}, diagram, h('h2', {}, 'Transitions'), log),
      ),
      h('h2', {}, 'Sequence diagram'),
      sequence.element,
    ),
  );

  const light = (shown: readonly TransitionEvent[], at: number) => {
    const t = shown[at];
    const current = t?.to ?? 'CLOSED';
    diagram.innerHTML = `<figcaption>tcpstate’s stack (${stackAddress(script.value)})</figcaption>${stateDiagramSvg(
      {
        side: 'a',
        label: 'tcpstate’s stack',
        current,
        ...(t ? { last: { from: t.from, to: t.to, ...(t.cause ? { cause: t.cause } : {}) } } : {}),
      },
    )}`;
    for (const [i, li] of [...log.children].entries()) {
      li.querySelector('button')?.setAttribute('aria-pressed', String(i === at));
    }
  };

  const play = () => {
    const text = script.value;
    const result = runScriptText(text, {
      profile: profile.value === 'linux' ? 'linux' : 'freebsd',
      seed: Math.max(0, Math.floor(Number(seed.value) || 0)),
    });
    const o = result.outcome;
    outcome.textContent = outcomeText(result);
    outcome.dataset.outcome = o.status;
    if (o.status === 'pass') delete outcome.dataset.line;
    else outcome.dataset.line = String(o.line);
    detail.replaceChildren(
      ...(o.status === 'fail' && o.expected !== undefined
        ? [h('dt', {}, 'expected'), h('dd', {}, o.expected)]
        : []),
      ...(o.status === 'fail' && o.actual !== undefined
        ? [h('dt', {}, 'actual'), h('dd', {}, o.actual)]
        : []),
    );
    const bad = o.status === 'pass' ? undefined : o.line;
    listing.replaceChildren(
      ...text.split('\n').map((line, i) =>
        h(
          'li',
          {
            'data-line': String(i + 1),
            ...(i + 1 === bad ? { class: 'mismatch', 'aria-current': 'true' } : {}),
          },
          h('code', {}, line || ' '),
        ),
      ),
    );
    listing.querySelector('.mismatch')?.scrollIntoView({ block: 'nearest' });
    if (bad !== undefined) {
      // Also in the editor: select the line, so fixing it is one keystroke away.
      const lines = text.split('\n');
      const start = lines.slice(0, bad - 1).reduce((n, l) => n + l.length + 1, 0);
      script.setSelectionRange(start, start + (lines[bad - 1]?.length ?? 0));
    }
    const transitions = result.transitions;
    log.replaceChildren(
      ...transitions.map((t, i) => {
        const b = h(
          'button',
          { type: 'button', 'aria-pressed': 'false' },
          `${t.time} ms · ${t.from} → ${t.to}${t.cause ? ` (${t.cause})` : ''}`,
        );
        b.addEventListener('click', () => light(transitions, i));
        return h(
          'li',
          { 'data-side': 'a', 'data-from': t.from, 'data-to': t.to, 'data-cause': t.cause ?? '' },
          b,
        );
      }),
    );
    light(transitions, transitions.length - 1);
    const story = drillStory(result, stackAddress(text), 'packetdrill script');
    sequence.draw(story);
    const p = new URLSearchParams({ view: 'drill' });
    if (profile.value !== 'freebsd') p.set('profile', profile.value);
    if (seed.value !== '1') p.set('seed', seed.value);
    if (text !== CONNECT_AND_CLOSE && text.length <= MAX_URL_SCRIPT) p.set('script', text);
    window.history.replaceState(null, '', `?${p}`);
    setStatus('done');
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    play();
  });
  example.addEventListener('change', () => {
    const chosen = EXAMPLES.find((e) => e.name === example.value);
    if (!chosen) return;
    script.value = chosen.text;
    play();
  });
  play();
}
