/**
 * `tcpstate explain -` as a command: --json, binary refused, UTF-16 from PowerShell's `>`
 * read, and an exit code that says whether anything could be read.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url));

function explain(input: Buffer | string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'explain', '-', ...args], {
    input,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

describe('tcpstate explain -', () => {
  it('--json gives the sockets read, with their line, counts, findings and the rows not read', () => {
    const r = explain(fixture('linux-netstat-names.txt'), '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.formats).toEqual(['linux-netstat']);
    expect(out.sockets).toHaveLength(6);
    expect(out.sockets[0]).toMatchObject({ line: 3, state: 'LISTEN', local: { port: 22 } });
    expect(out.counts).toEqual({ LISTEN: 3, ESTABLISHED: 2, TIME_WAIT: 1 });
    expect(out.notes).toEqual([expect.objectContaining({ lineNo: 8 })]);
    expect(Array.isArray(out.findings)).toBe(true);
  });

  it('refuses binary input in one line with exit 2, echoing none of it', () => {
    const r = explain(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x54, 0x43, 0x50]));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tcpstate: stdin is binary data, not text: .*\n$/);
  });

  it('reads UTF-16 with a byte order mark (Windows PowerShell 5 `netstat -ano > file`)', () => {
    const text = fixture('windows-crlf.txt').toString('utf8');
    const r = explain(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 sockets read from Windows netstat/);
  });

  it('exits 1 when nothing could be read, saying what to paste', () => {
    const r = explain('hello\nworld\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/No socket rows recognised\. Paste the output of/);
    expect(explain('hello\n', '--json').status).toBe(1);
  });
});
