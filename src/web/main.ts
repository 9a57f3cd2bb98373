/**
 * The page: picks the view the URL names and mounts it. Every input lives in the URL
 * (model/query.ts), so a link reproduces what the page shows.
 */
import { mountCapture } from './capture-view.js';
import { setStatus } from './dom.js';
import { mountDrill } from './drill-view.js';
import { mountHost } from './host-view.js';
import { viewOf } from './model/query.js';
import { mountPaste } from './paste-view.js';
import { mountSim } from './sim-view.js';

const params = new URLSearchParams(location.search);
const view = viewOf(params);
const app = document.getElementById('app');
if (app === null) throw new Error('the page has no #app element');
for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
  if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
}
setStatus('ready');
if (view === 'paste') mountPaste(app, params);
else if (view === 'host') mountHost(app, params);
else if (view === 'drill') mountDrill(app, params);
else if (view === 'capture') mountCapture(app, params);
else mountSim(app, params);
