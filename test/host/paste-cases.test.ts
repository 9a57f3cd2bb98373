/**
 * Pasted output that was silently dropped before (issue 13): names instead of numbers, Windows
 * `netstat -b`/`-o` detail lines in any language, CRLF, `ss … state X` without a State column,
 * `ss -i`/`-m` continuation lines, PowerShell Format-List blocks, and row-like lines that
 * cannot be read, named in a note with a hint. Fixtures: test/fixtures/paste/ (README there).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type PastedParse, parsePasted, renderPasted } from '../../src/host/paste/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

const rows = (p: PastedParse): string[] =>
  p.sockets.map(
    (s) =>
      `${s.state} ${s.local.address}|${s.local.port} ${s.remote.address}|${s.remote.port}${s.pid !== undefined ? ` ${s.pid}` : ''}${s.process ? ` ${s.process}` : ''}`,
  );
const kinds = (p: PastedParse, kind: string): string[] =>
  p.lines.filter((l) => l.kind === kind).map((l) => l.text.trim());

describe('names instead of numbers', () => {
  it('reads Windows netstat -abo without -n: service ports, host names, the lines under each row', () => {
    const p = parsePasted(fixture('windows-names-bo.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 0.0.0.0|135 DESKTOP-7Q2K9LM|0 1044 svchost.exe',
      'LISTEN 0.0.0.0|445 DESKTOP-7Q2K9LM|0 4',
      'ESTABLISHED 192.168.1.20|49823 lhr25s34-in-f14|443 7720 chrome.exe',
      'TIME_WAIT 192.168.1.20|49830 server-7|22',
      'LISTEN ::|3389 DESKTOP-7Q2K9LM|0 1188 svchost.exe',
    ]);
    expect(kinds(p, 'detail')).toEqual([
      'RpcSs',
      '[svchost.exe]',
      'Can not obtain ownership information',
      '[chrome.exe]',
      'TermService',
      '[svchost.exe]',
    ]);
    expect(p.notes).toEqual([]);
  });

  it('reads Linux netstat without -n, and names the row whose service it cannot number', () => {
    const p = parsePasted(fixture('linux-netstat-names.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 0.0.0.0|22 0.0.0.0|0',
      'LISTEN localhost|5432 0.0.0.0|0',
      'ESTABLISHED web-1.example.net|22 10.0.0.9|51514',
      'TIME_WAIT web-1.example.net|40322 mirror.example.org|443',
      'ESTABLISHED web-1.example.net|514 10.0.0.7|1023',
      'LISTEN ::|80 ::|0',
    ]);
    expect(p.notes).toEqual([
      expect.objectContaining({
        lineNo: 8,
        reason: expect.stringContaining('"zzz-unknown" is a service name'),
        hint: expect.stringContaining('netstat -tan'),
      }),
    ]);
    const out = renderPasted(p, { lang: 'en', color: false });
    expect(out).toMatch(
      /1 row not read:\n {2}line 8: tcp .*zzz-unknown.*\n {4}"zzz-unknown" is a service name/,
    );
  });
});

describe('Windows detail lines and line ends', () => {
  it('keeps a localized "cannot obtain ownership" line with its row, whatever its words', () => {
    const p = parsePasted(fixture('windows-pt-b.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 0.0.0.0|135 0.0.0.0|0 1044 svchost.exe',
      'LISTEN 0.0.0.0|445 0.0.0.0|0 4',
      'ESTABLISHED 192.168.1.20|49823 142.250.180.14|443 7720 chrome.exe',
    ]);
    expect(kinds(p, 'detail')).toContain('Não é possível obter informações de propriedade');
    expect(kinds(p, 'other').filter((t) => t !== '')).toEqual([]);
  });

  it('reads CRLF line ends: no carriage return left in any line', () => {
    const p = parsePasted(fixture('windows-crlf.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 0.0.0.0|135 0.0.0.0|0 1044 svchost.exe',
      'ESTABLISHED 192.168.1.20|49823 142.250.180.14|443 7720 chrome.exe',
    ]);
    expect(p.lines.some((l) => l.text.includes('\r'))).toBe(false);
  });
});

describe('ss layouts', () => {
  it('takes the state from the `state` filter when ss prints no State column', () => {
    const p = parsePasted(fixture('ss-state-established.txt'));
    expect(rows(p)).toEqual([
      'ESTABLISHED 10.0.0.5|22 10.0.0.9|51514 4410 sshd',
      'ESTABLISHED 10.0.0.5|22 10.0.0.9|51600 4420 sshd',
      'ESTABLISHED 2001:db8::5|443 2001:db8::77|50110 978 nginx',
    ]);
    expect(p.notes).toEqual([]);
  });

  it('says so when the state filter is not in the paste', () => {
    const p = parsePasted(fixture('ss-no-state-unknown.txt'));
    expect(p.sockets).toEqual([]);
    expect(p.notes).toEqual([
      expect.objectContaining({ lineNo: 2, hint: expect.stringContaining('state NAME') }),
    ]);
  });

  it('keeps ss -tmi continuation lines with their row', () => {
    const p = parsePasted(fixture('ss-tmi.txt'));
    expect(rows(p)).toEqual([
      'ESTABLISHED 10.0.0.5|22 10.0.0.9|51514 4410 sshd',
      'LISTEN 0.0.0.0|22 0.0.0.0|0 812 sshd',
    ]);
    expect(kinds(p, 'detail')).toHaveLength(2);
    // Only the header is another line: the continuation lines belong to their rows.
    expect(renderPasted(p, { lang: 'en', color: false })).toMatch(/\n1 other line kept/);
  });
});

describe('PowerShell Format-List', () => {
  it('reads each block of fields as one connection, on its State line', () => {
    const p = parsePasted(fixture('windows-powershell-list.txt'));
    expect(p.formats).toEqual(['windows-powershell']);
    expect(rows(p)).toEqual([
      'ESTABLISHED 192.168.1.20|49823 142.250.180.14|443 7720',
      'LISTEN ::|135 ::|0 1044',
    ]);
    const socketLines = p.lines.filter((l) => l.kind === 'socket').map((l) => l.text.trim());
    expect(socketLines).toEqual(['State          : Established', 'State          : Listen']);
    expect(kinds(p, 'detail')).toHaveLength(16);
  });
});

describe('rows that cannot be read', () => {
  it('are named, each with its line number and a hint, not dropped silently', () => {
    const p = parsePasted(fixture('garbage.txt'));
    expect(p.notes.map((n) => n.lineNo)).toEqual([5, 6, 7]);
    expect(p.notes[2].hint).toMatch(/netstat -ano/);
  });
});
