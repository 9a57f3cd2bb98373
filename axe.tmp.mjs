import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const child = spawn(process.execPath, ['dist/cli/main.js', 'web', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((r) => child.stdout.on('data', (d) => { const m = /serving (http:\/\/\S+\/)/.exec(String(d)); if (m) r(m[1]); }));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const dark of ['light', 'dark']) {
const p = await b.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: dark });
await p.goto(url + '?view=sim&scenario=lost-last-ack&seed=7&step=12');
await p.waitForSelector('html[data-status]');
await p.click('.editor summary');
await p.evaluate(readFileSync('node_modules/axe-core/axe.min.js', 'utf8'));
const r = await p.evaluate(async () => { const r = await axe.run(); return r.violations.map(v => ({ id: v.id, impact: v.impact, n: v.nodes.length, t: v.nodes.slice(0,3).map(n => n.target.join(' ') + ' ' + (n.failureSummary||'').slice(0,160)) })); });
console.log(dark, JSON.stringify(r, null, 1));
}
await b.close(); child.kill();
