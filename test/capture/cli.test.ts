/** `tcpstate pcap` run as a user runs it (spawned through tsx, no build needed). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { ACK, Conversation, FIN, PSH, RST, SYN } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpstate-pcap-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Uint8Array {
  const c = new Conversation();
  c.send('a', SYN);
  c.at(10).send('b', SYN | ACK);
  c.at(1).send('a', ACK);
  c.at(1).send('a', PSH | ACK, 100);
  c.at(1).send('b', FIN | ACK);
  c.at(1).send('a', ACK);
  const d = new Conversation({ a: '10.1.0.3', b: '10.1.0.2' }, { a: 50000, b: 443 });
  d.now = c.now + 5;
  d.send('a', SYN);
  d.at(1).send('b', RST | ACK, 0, { seq: 0, ack: 1001 });
  return new Uint8Array([...c.pcap(), ...d.pcap().subarray(24)]);
}

const file = join(dir, 'two.pcap');
writeFileSync(file, capture());

function run(args: string[], input?: Uint8Array) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'pcap', ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' },
  });
}

describe('tcpstate pcap', () => {
  it('lists many connections in a table, then draws one with --conn', () => {
    const r = run([file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pcap, 8 frames, 8 TCP packets, 2 TCP connections/);
    expect(r.stdout).toMatch(
      /^1 +10\.1\.0\.1:40000 +10\.1\.0\.2:80 .*CLOSE_WAIT +FIN_WAIT2 +S3 +b:closed-first$/m,
    );
    expect(r.stdout).toMatch(
      /^2 +10\.1\.0\.3:50000 +10\.1\.0\.2:443 .*CLOSED +CLOSED +REJ +b:refused/m,
    );
    const one = run([file, '--conn', '1']);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/connection 1: 10\.1\.0\.1:40000 → 10\.1\.0\.2:80/);
    expect(one.stdout).toMatch(/ESTABLISHED → FIN_WAIT2|ESTABLISHED → CLOSE_WAIT/);
    expect(one.stdout).toMatch(
      /b 10\.1\.0\.2:80: LISTEN → SYN_RECV \(.*\) → ESTABLISHED \(.*\) → FIN_WAIT1/,
    );
    expect(one.stdout).toMatch(/zeek: conn_state S3/);
  });

  it('filters by --port and --host', () => {
    expect(run([file, '--port', '443']).stdout).toMatch(/connection 2: 10\.1\.0\.3:50000/);
    expect(run([file, '--host', '10.1.0.1']).stdout).toMatch(/connection 1:/);
    expect(run([file, '--host', '192.0.2.9']).stdout).toMatch(/no connection matches/);
  });

  it('--json gives { source, connections: [ { id, a, b, events, final, summary } ] }', () => {
    const r = run([file, '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.source).toBe(file);
    expect(j.connections).toHaveLength(2);
    const [c] = j.connections;
    expect(Object.keys(c)).toEqual(['id', 'a', 'b', 'events', 'final', 'summary']);
    expect(c.a).toBe('10.1.0.1:40000');
    const s = c.events.find((e: { type: string }) => e.type === 'state');
    expect(s).toMatchObject({ side: 'a', from: 'CLOSED', to: 'SYN_SENT', cause: 'connect()' });
    expect(s.connection.local).toEqual({ address: '10.1.0.1', port: 40000 });
  });

  it('draws Mermaid and SVG for one connection, and says to pick one when there are more', () => {
    const m = run([file, '--conn', '1', '--format', 'mermaid']);
    expect(m.stdout.startsWith('sequenceDiagram')).toBe(true);
    const svg = run([file, '--conn', '2', '--format', 'svg']);
    expect(XMLValidator.validate(svg.stdout)).toBe(true);
    expect(svg.stdout).toContain(`tcpstate pcap ${file}, connection 2`);
    const many = run([file, '--format', 'svg']);
    expect(many.status).toBe(2);
    expect(many.stderr).toMatch(
      /^tcpstate: 2 connections match and a svg diagram draws one: pick it with --conn N/,
    );
  });

  it('reads stdin with -', () => {
    const r = run(['-', '--conn', '2'], capture());
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^stdin: pcap/);
  });

  it('a truncated file: what was read is reported, then one line with the offset, exit 1', () => {
    const cut = join(dir, 'cut.pcap');
    const bytes = capture();
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = run([cut]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/7 frames/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^tcpstate: .*cut\.pcap: at byte \d+: the file ends inside a record of \d+ bytes/,
    );
  });

  it('user errors are one line and exit 2', () => {
    for (const [args, message] of [
      [[join(dir, 'missing.pcap')], /cannot read .*missing\.pcap: no such file/],
      [[dir], /cannot read .*: a directory/],
      [[file, '--format', 'pcap'], /unknown format 'pcap'; use text, json, mermaid, svg/],
      [[file, '--port', '70000'], /--port must be an integer from 0 to 65535/],
    ] as Array<[string[], RegExp]>) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const notPcap = join(dir, 'text.txt');
    writeFileSync(notPcap, 'hello\n');
    const r = run([notPcap]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/at byte 0: not a pcap or pcapng file/);
  });
});
