import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/cli/commands/explain.js';
import { CliError } from '../../src/cli/errors.js';
import { detectLang } from '../../src/render/lang.js';
import { TCP_STATES } from '../../src/state/states.js';

const opts = { lang: 'en', color: false, json: false, width: 80 } as const;
const built = existsSync('dist/cli/main.js');

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, ['dist/cli/main.js', 'explain', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env },
    input,
  });
}

describe('tcpstate explain (function)', () => {
  it('prints the whole state diagram in 80 columns when no state is given', () => {
    const out = explainText([], opts);
    for (const state of TCP_STATES) expect(out).toContain(state);
    expect(out).toContain('connect() / sends SYN');
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('explains each state given, in any spelling, once', () => {
    const out = explainText(['time-wait', 'TIME_WAIT', 'ESTAB'], opts);
    expect(out.match(/^TIME_WAIT —/gm)).toHaveLength(1);
    expect(out).toMatch(/^ESTABLISHED —/m);
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('rejects an unknown name with a CliError listing the states (exit code 2)', () => {
    expect(() => explainText(['BOGUS'], opts)).toThrow(CliError);
    try {
      explainText(['ESTAB', 'BOGUS'], opts);
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/BOGUS.*CLOSED, LISTEN/);
    }
  });

  it('writes Portuguese with lang pt', () => {
    const out = explainText(['close_wait'], { ...opts, lang: 'pt' });
    expect(out).toContain('O que significa');
    expect(out).toContain('close()');
  });

  it('gives JSON with the table rows', () => {
    const parsed = JSON.parse(explainText(['LAST_ACK'], { ...opts, json: true }));
    expect(parsed[0].state).toBe('LAST_ACK');
    expect(parsed[0].left).toContainEqual(
      expect.objectContaining({ to: 'CLOSED', cause: 'rcv ACK' }),
    );
  });

  it('picks Portuguese from the locale', () => {
    expect(detectLang({ LANG: 'pt_BR.UTF-8' })).toBe('pt');
    expect(detectLang({ LC_ALL: 'pt_PT', LANG: 'en_US' })).toBe('pt');
    expect(detectLang({ LC_ALL: '', LC_MESSAGES: 'pt', LANG: 'en_US' })).toBe('pt');
    expect(detectLang({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(detectLang({ LANG: 'ptx' })).toBe('en');
    expect(detectLang({})).toBe('en');
  });
});

describe.skipIf(!built)(
  'tcpstate explain (spawned; skipped until `npm run build` made dist/)',
  () => {
    it('exits 0 and explains a state', () => {
      const r = run(['FIN-WAIT-2']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^FIN_WAIT2 —/);
      expect(r.stdout.includes('\u001b[')).toBe(false);
    });

    it('exits 2 with one line and no stack trace for an unknown state', () => {
      const r = run(['NOPE']);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/unknown TCP state 'NOPE'/);
    });

    it('follows LANG=pt_BR and --lang', () => {
      expect(run(['LISTEN'], { LANG: 'pt_BR.UTF-8' }).stdout).toContain('O que significa');
      expect(run(['LISTEN', '--lang', 'en'], { LANG: 'pt_BR.UTF-8' }).stdout).toContain(
        'What it means',
      );
      const bad = run(['LISTEN', '--lang', 'xx']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/unknown language 'xx'/);
    });

    it('reads pasted output with -, or says clearly that it cannot', () => {
      const r = run(['-'], {}, 'tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN\n');
      if (r.status === 0) expect(r.stdout).toMatch(/LISTEN/);
      else expect(r.stderr).toMatch(/not available in this build/);
    });
  },
);
