/**
 * The page: picks the view the URL names and mounts it. Every input lives in the URL
 * (model/query.ts), so a link reproduces what the page shows.
 *
 * Each view is its own chunk, loaded when it is asked for: the simulator's first render does
 * not wait for the browser to parse the drill runner, the capture reader or the host view.
 */
import { setStatus } from './dom.js';
import { type View, viewOf } from './model/query.js';

type Mount = (app: HTMLElement, params: URLSearchParams) => void;

const VIEWS: Record<View, () => Promise<Mount>> = {
  sim: () => import('./sim-view.js').then((m) => m.mountSim),
  host: () => import('./host-view.js').then((m) => m.mountHost),
  paste: () => import('./paste-view.js').then((m) => m.mountPaste),
  drill: () => import('./drill-view.js').then((m) => m.mountDrill),
  capture: () => import('./capture-view.js').then((m) => m.mountCapture),
};

const params = new URLSearchParams(location.search);
const view = viewOf(params);
const app = document.getElementById('app');
if (app === null) throw new Error('the page has no #app element');
for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
  if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
}
VIEWS[view]().then(
  (mount) => {
    // `loading` (index.html's) until the view's code is here; the view may set `done`.
    setStatus('ready');
    mount(app, params);
  },
  (err: unknown) => {
    app.textContent = `The page could not load its ${view} view: ${err instanceof Error ? err.message : String(err)}`;
  },
);
