import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PastedParse, parsePasted, renderPasted } from '../../src/host/paste/index.js';
import type { HostSocket } from '../../src/host/types.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

/** The parts of a socket a paste can carry, for compact assertions. */
function row(s: HostSocket): string {
  const owner =
    s.pid !== undefined ? ` ${s.pid}/${s.process ?? '?'}` : s.process ? ` ${s.process}` : '';
  return `${s.state} ${s.family} ${s.local.address}|${s.local.port} ${s.remote.address}|${s.remote.port} q=${s.recvQ}/${s.sendQ}${owner}`;
}

const rows = (p: PastedParse): string[] => p.sockets.map(row);

describe('parsePasted: Linux net-tools netstat', () => {
  it('reads -tanp rows: IPv4, IPv6, v4-mapped, program names with spaces, "-" owners', () => {
    const p = parsePasted(fixture('linux-netstat-tanp.txt'));
    expect(p.formats).toEqual(['linux-netstat']);
    expect(rows(p)).toEqual([
      'LISTEN 4 0.0.0.0|22 0.0.0.0|0 q=0/0 812/sshd: /usr/sbin',
      'LISTEN 4 127.0.0.1|5432 0.0.0.0|0 q=0/0 1021/postgres',
      'ESTABLISHED 4 10.0.0.5|22 10.0.0.9|51514 q=0/36 4410/sshd: alice [p',
      'TIME_WAIT 4 10.0.0.5|43120 151.101.1.69|443 q=0/0',
      'CLOSE_WAIT 4 10.0.0.5|8080 10.0.0.7|60122 q=1/0 2290/java',
      'LISTEN 6 ::|80 ::|0 q=0/0 977/nginx: master p',
      'ESTABLISHED 6 ::ffff:10.0.0.5|80 ::ffff:10.0.0.8|40222 q=0/0 978/nginx: worker p',
      'SYN_RECV 6 2001:db8::5|443 2001:db8::77|50110 q=0/0',
    ]);
    expect(p.lines.filter((l) => l.kind === 'header')).toHaveLength(2);
    // netstat's Send-Q on a listener is not its backlog.
    expect(p.sockets[0].backlogUnknown).toBe(true);
  });

  it('reads the French locale (ÉTABLI) and its headers', () => {
    const p = parsePasted(fixture('linux-netstat-fr.txt'));
    expect(rows(p)).toEqual([
      'ESTABLISHED 4 192.168.1.20|33297 142.250.74.110|443 q=0/0',
      'TIME_WAIT 4 192.168.1.20|33995 192.168.1.1|53 q=0/0',
    ]);
    expect(p.lines.slice(0, 2).map((l) => l.kind)).toEqual(['header', 'header']);
  });
});

describe('parsePasted: ss', () => {
  it('reads -tanp rows: zones, *, brackets, users:(…), ino and uid', () => {
    const p = parsePasted(fixture('ss-tanp.txt'));
    expect(p.formats).toEqual(['ss']);
    expect(rows(p)).toEqual([
      'LISTEN 4 127.0.0.53|53 0.0.0.0|0 q=0/4096 601/systemd-resolve',
      'LISTEN 4 0.0.0.0|22 0.0.0.0|0 q=0/128 812/sshd',
      'LISTEN 4 0.0.0.0|80 0.0.0.0|0 q=0/511 978/nginx',
      'LISTEN 6 ::|22 ::|0 q=0/128 812/sshd',
      'ESTABLISHED 4 10.0.0.5|22 10.0.0.9|51514 q=0/36 4410/sshd',
      'SYN_SENT 4 10.0.0.5|50210 203.0.113.7|443 q=0/1 5120/curl',
      'TIME_WAIT 4 10.0.0.5|43120 151.101.1.69|443 q=0/0',
      'FIN_WAIT2 6 ::ffff:10.0.0.5|80 ::ffff:10.0.0.8|40222 q=0/0',
      'ESTABLISHED 6 fe80::1|22 fe80::2|55000 q=0/0 4500/sshd',
    ]);
    const last = p.sockets[8];
    expect([last.inode, last.uid, last.fd]).toEqual([88123, 0, 4]);
    // ss gives the real backlog of a listener.
    expect(p.sockets[1].backlogUnknown).toBeUndefined();
  });

  it('skips the Netid column and keeps UDP and unix rows as other lines', () => {
    const p = parsePasted(fixture('ss-an.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 4 0.0.0.0|22 0.0.0.0|0 q=0/128',
      'ESTABLISHED 4 10.0.0.5|22 10.0.0.9|51514 q=0/0',
    ]);
    expect(p.lines.map((l) => l.kind)).toEqual(['header', 'other', 'socket', 'socket', 'other']);
  });
});

describe('parsePasted: macOS / BSD netstat', () => {
  it('reads dotted ports, *.* wildcards, tcp46 and zones', () => {
    const p = parsePasted(fixture('macos-netstat.txt'));
    expect(p.formats).toEqual(['macos-netstat']);
    expect(rows(p)).toEqual([
      'ESTABLISHED 4 192.168.1.5|52345 17.57.146.20|5223 q=0/0',
      'LISTEN 4 127.0.0.1|631 0.0.0.0|0 q=0/0',
      'LISTEN 6 ::|80 ::|0 q=0/0',
      'LISTEN 6 fe80::1|631 ::|0 q=0/0',
      'CLOSE_WAIT 6 ::1|5000 ::1|61000 q=0/0',
      'SYN_SENT 4 192.168.1.5|52350 140.82.112.21|443 q=0/0',
      'TIME_WAIT 4 192.168.1.5|52301 104.16.132.229|443 q=0/0',
    ]);
  });
});

describe('parsePasted: Windows netstat', () => {
  it('reads English -ano: pids, [::], zones; pid 0 is no owner; UDP is passed through', () => {
    const p = parsePasted(fixture('windows-en.txt'));
    expect(p.formats).toEqual(['windows-netstat']);
    expect(rows(p)).toEqual([
      'LISTEN 4 0.0.0.0|135 0.0.0.0|0 q=0/0 1044/?',
      'ESTABLISHED 4 192.168.0.10|49712 52.97.146.162|443 q=0/0 6120/?',
      'TIME_WAIT 4 192.168.0.10|49790 20.190.160.2|443 q=0/0',
      'CLOSE_WAIT 4 192.168.0.10|49801 104.208.16.88|443 q=0/0 7312/?',
      'SYN_SENT 4 192.168.0.10|49802 93.184.216.34|80 q=0/0 7312/?',
      'LISTEN 6 ::|445 ::|0 q=0/0 4/?',
      'FIN_WAIT2 6 fe80::1c2d:3e4f:5a6b:7c8d|49670 fe80::aa:bbff:fecc:ddee|445 q=0/0 4/?',
    ]);
    const udp = p.lines.find((l) => l.text.includes('UDP'));
    expect(udp?.kind).toBe('other');
    expect(
      p.lines.filter((l) => l.kind === 'header').map((l) => l.text.trim().split(/\s+/)[0]),
    ).toEqual(['Active', 'Proto']);
  });

  it.each([
    [
      'windows-pt.txt',
      ['LISTEN', 'LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'LISTEN'],
      ['ESCUTANDO', 'ESCUTANDO', 'ESTABELECIDA', 'TIME_WAIT', 'ESCUTANDO'],
    ],
    [
      'windows-es.txt',
      ['LISTEN', 'ESTABLISHED', 'TIME_WAIT'],
      ['ESCUCHANDO', 'ESTABLECIDO', 'TIME_WAIT'],
    ],
    [
      'windows-de.txt',
      ['LISTEN', 'LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'SYN_SENT'],
      ['ABHÖREN', 'ABH™REN', 'HERGESTELLT', 'WARTEND', 'SCHLIESSEN_WARTEN', 'SYN_GESENDET'],
    ],
    ['windows-fr.txt', ['LISTEN', 'LISTEN'], ["À L'ÉCOUTE", "À L'ÉCOUTE"]],
    [
      'windows-fr-ecoute.txt',
      ['LISTEN', 'LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'LISTEN'],
      ['ÉCOUTE', 'ÉCOUTE', 'ÉTABLIE', 'TIME_WAIT', 'ÉCOUTE'],
    ],
  ])('reads localized states and headers in %s', (name, states, words) => {
    const p = parsePasted(fixture(name));
    expect(p.sockets.map((s) => s.state)).toEqual(states);
    expect(p.lines.flatMap((l) => (l.kind === 'socket' ? [l.stateText] : []))).toEqual(words);
    // The title ("Conexões ativas", "Aktive Verbindungen", …) and the column header.
    expect(p.lines.filter((l) => l.kind === 'header')).toHaveLength(2);
    expect(p.sockets.every((s) => s.pid === undefined || s.pid > 0)).toBe(true);
  });

  it('French Windows with English states (a real netstat -a -n -b): every row, its program', () => {
    const p = parsePasted(fixture('windows-fr-b.txt'));
    expect(p.notes).toEqual([]);
    expect(p.sockets.map((s) => `${s.state} ${s.process ?? '-'}`)).toEqual([
      'LISTEN svchost.exe',
      'LISTEN -',
      'ESTABLISHED msedge.exe',
      'LAST_ACK SearchHost.exe',
      'TIME_WAIT -',
      'SYN_SENT SearchHost.exe',
      'LISTEN svchost.exe',
    ]);
    // the French "cannot obtain ownership" sentence stays with its row, never read as a row
    expect(p.lines.some((l) => l.kind === 'socket' && l.text.includes('Impossible'))).toBe(false);
  });

  it('takes a multi-word state with the pid after it', () => {
    const p = parsePasted(fixture('windows-fr.txt'));
    expect(rows(p)).toEqual([
      'LISTEN 4 0.0.0.0|135 0.0.0.0|0 q=0/0 1052/?',
      'LISTEN 4 0.0.0.0|445 0.0.0.0|0 q=0/0 4/?',
    ]);
  });

  it('attaches -b executable names to the row above them', () => {
    const p = parsePasted(fixture('windows-b.txt'));
    expect(p.sockets.map((s) => s.process)).toEqual(['svchost.exe', undefined, 'OneDrive.exe']);
  });
});

describe('parsePasted: PowerShell Get-NetTCPConnection', () => {
  it('reads address and port columns, enum states, a blank AppliedSetting, and Bound as CLOSED', () => {
    const p = parsePasted(fixture('windows-powershell.txt'));
    expect(p.formats).toEqual(['windows-powershell']);
    expect(rows(p)).toEqual([
      'LISTEN 6 ::|49669 ::|0 q=0/0 1040/?',
      'ESTABLISHED 4 192.168.1.5|50123 52.1.2.3|443 q=0/0 8812/?',
      'TIME_WAIT 4 192.168.1.5|50124 52.1.2.3|443 q=0/0',
      'CLOSE_WAIT 4 127.0.0.1|5939 127.0.0.1|49702 q=0/0 3312/?',
      'CLOSED 4 0.0.0.0|49700 0.0.0.0|0 q=0/0 4/?',
    ]);
    expect(p.lines.filter((l) => l.kind === 'header')).toHaveLength(2);
  });
});

describe('parsePasted: anything else', () => {
  it('passes garbage through and recognises only the one real row in it', () => {
    const text = fixture('garbage.txt');
    const p = parsePasted(text);
    expect(rows(p)).toEqual(['LISTEN 4 0.0.0.0|22 0.0.0.0|0 q=0/128']);
    expect(p.lines.map((l) => l.text)).toEqual(text.replace(/\n$/, '').split('\n'));
  });

  it('keeps every line of a mixed paste, in order, and lists each format once', () => {
    const text = [
      fixture('windows-de.txt'),
      fixture('ss-tanp.txt'),
      fixture('macos-netstat.txt'),
    ].join('\n');
    const p = parsePasted(text);
    expect(p.formats).toEqual(['windows-netstat', 'ss', 'macos-netstat']);
    expect(p.lines.map((l) => l.lineNo)).toEqual(p.lines.map((_, i) => i + 1));
    expect(p.sockets).toHaveLength(6 + 9 + 7);
  });

  it('never throws on random text or shuffled pieces of real rows', () => {
    const pieces = [
      'tcp',
      'tcp6',
      'tcp4',
      'TCP',
      'ESTAB',
      'LISTEN',
      '0',
      '128',
      '0.0.0.0:22',
      '[::]:80',
      '*:*',
      '*.80',
      ':::*',
      'users:(("a",pid=1,fd=2))',
      "À L'ÉCOUTE",
      '1234/sshd',
      '::ffff:1.2.3.4:5',
      '%lo',
      '[',
      ']',
      ':',
      '.',
      '\t',
      '\r',
    ];
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((t) => t.join(' ')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const text = lines.join('\n');
        const p = parsePasted(text);
        expect(p.lines.length).toBeGreaterThanOrEqual(lines.length === 0 ? 1 : lines.length - 1);
        renderPasted(p, { lang: 'en', color: false });
        for (const s of p.sockets) {
          expect(s.local.port).toBeGreaterThanOrEqual(0);
          expect(s.local.port).toBeLessThanOrEqual(65535);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('renderPasted', () => {
  it('prints every line back and explains each state once, under its first row', () => {
    const p = parsePasted(fixture('windows-pt.txt'));
    const out = renderPasted(p, { lang: 'pt', color: false });
    const lines = out.split('\n');
    for (const l of p.lines) expect(lines).toContain(l.text);
    const notes = lines.filter((l) => l.includes('↳'));
    expect(notes).toEqual([
      '    ↳ ESCUTANDO = LISTEN: um servidor esperando clientes se conectarem a esta porta',
      '    ↳ ESTABELECIDA = ESTABLISHED: conectado: os dados fluem nos dois sentidos',
      '    ↳ TIME_WAIT: este lado fechou primeiro; espera 2×MSL para que pacotes atrasados desapareçam (normal)',
    ]);
    expect(lines[lines.indexOf(notes[0]) - 1]).toContain('0.0.0.0:135');
    expect(out).toContain('5 sockets lidos de Windows netstat');
    expect(out).toMatch(/Por estado:\n {2}3 {2}LISTEN\n {2}1 {2}ESTABLISHED\n {2}1 {2}TIME_WAIT\n/);
    expect(out).toContain('Nenhum problema encontrado');
  });

  it('shows doctor’s findings for what the paste shows: a CLOSE_WAIT leak', () => {
    const out = renderPasted(parsePasted(fixture('ss-close-wait-leak.txt')), {
      lang: 'en',
      color: false,
    });
    expect(out).toContain('7 sockets in CLOSE_WAIT owned by pid 2290 (java)');
    expect(out).toMatch(/By state:\n {2}1 {2}LISTEN\n {2}7 {2}CLOSE_WAIT\n/);
    expect(out).toContain('What to do:');
  });

  it('says what to paste when no row was recognised, and colours only when asked', () => {
    const p = parsePasted('hello\nworld');
    expect(renderPasted(p, { lang: 'en', color: false })).toContain('No socket rows recognised');
    const plain = renderPasted(parsePasted(fixture('windows-en.txt')), {
      lang: 'en',
      color: false,
    });
    const coloured = renderPasted(parsePasted(fixture('windows-en.txt')), {
      lang: 'en',
      color: true,
    });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[');
  });
});
