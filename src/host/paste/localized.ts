/**
 * State names that netstat prints in other display languages, registered as aliases of the one
 * state model (src/state/aliases.ts) when this module is imported.
 *
 * Only names seen in real pasted output or in code that parses real output are listed; where a
 * source is a third party's parser or test, it is named so the spelling can be re-checked.
 * Not found, so left out: the Portuguese and Spanish names of TIME_WAIT / CLOSE_WAIT and the
 * other closing states, and the French Windows names other than LISTEN (Windows in those
 * languages is reported to keep several English names; e.g. TIME_WAIT appears untranslated in
 * Spanish samples).
 */
import { parseState, registerAliases } from '../../state/aliases.js';
import type { TcpState } from '../../state/states.js';

const LOCALIZED: ReadonlyArray<readonly [TcpState, readonly string[]]> = [
  // German Windows. ABHÖREN / HERGESTELLT: datensicherheit.oclink.de "portrisiko" (netstat -an on
  // Windows XP) and many parsers; WARTEND = TIME_WAIT, SCHLIESSEN_WARTEN = CLOSE_WAIT,
  // SYN_GESENDET = SYN_SENT: the `systeminformation` npm package (network.js, Windows branch)
  // and the Checkmk Windows agent's tcp_conn_stats script; FIN_WARTEN_2 = FIN_WAIT2: that
  // Checkmk script; SCHLIESSEND = CLOSING: Checkmk's agent output regex.
  ['LISTEN', ['ABHÖREN']],
  ['ESTABLISHED', ['HERGESTELLT']],
  ['TIME_WAIT', ['WARTEND']],
  ['CLOSE_WAIT', ['SCHLIESSEN_WARTEN']],
  ['SYN_SENT', ['SYN_GESENDET']],
  ['FIN_WAIT2', ['FIN_WARTEN_2']],
  ['CLOSING', ['SCHLIESSEND']],
  // Brazilian Portuguese Windows: ESCUTANDO and ESTABELECIDA under the header "Conexões ativas"
  // in several projects' netstat fixtures; ESTABELECIDO also appears in one such fixture.
  ['LISTEN', ['ESCUTANDO']],
  ['ESTABLISHED', ['ESTABELECIDA', 'ESTABELECIDO']],
  // Spanish Windows: ESCUCHANDO and ESTABLECIDO under "Conexiones activas" (netstat -ano
  // samples in several projects' tests and a Spanish course handout).
  ['LISTEN', ['ESCUCHANDO']],
  ['ESTABLISHED', ['ESTABLECIDO']],
  // French: "À L'ÉCOUTE" on French Windows (a Rust netstat parser's localized-state tests);
  // ÉTABLI is what Linux net-tools prints in a French locale (the French Wikipedia netstat
  // example, "Connexions Internet actives").
  ['LISTEN', ["À L'ÉCOUTE"]],
  ['ESTABLISHED', ['ÉTABLI']],
  // French Windows, as other parsers' tests write it: ÉCOUTE and ÉTABLIE under "Connexions
  // actives" / "Adresse locale  Adresse distante  État", TIME_WAIT left in English (a Go port
  // scanner's TestParseWindowsOutputLocalized; ÉCOUTE in three other projects' netstat tests).
  // Test fixtures, not a captured console: see test/fixtures/paste/README.md. The one real
  // French console found (a Windows 10/11 `netstat -a -n -b` in a published lab report) prints
  // the English names, which need no alias.
  ['LISTEN', ['ÉCOUTE']],
  ['ESTABLISHED', ['ÉTABLIE']],
  // Italian Windows: "IN ASCOLTO" (a Node tool's localized netstat test).
  ['LISTEN', ['IN ASCOLTO']],
  // Microsoft's netstat documentation spells SYN_SENT as SYN_SEND.
  ['SYN_SENT', ['SYN_SEND']],
];

for (const [state, names] of LOCALIZED) registerAliases(state, names);

/**
 * German output read with the wrong code page turns Ö (0x99 in CP850) into "™" or "�":
 * "ABH™REN" is seen in pasted output; Checkmk's agent matches it as `ABH.REN`.
 */
const MANGLED_ABHOREN = /^ABH.REN$/iu;

/** The state a printed name means, in any language listed here; undefined if unknown. */
export function localizedState(text: string): TcpState | undefined {
  const known = parseState(text);
  if (known) return known;
  if (MANGLED_ABHOREN.test(text.trim())) return 'LISTEN';
  return undefined;
}

/**
 * Titles and column headers of netstat/ss tables, in the languages above (matched after
 * trimming, ignoring case and runs of spaces). Lines that match are kept as headers.
 */
const HEADER_PATTERNS: readonly RegExp[] = [
  /^active connections$/i,
  /^active internet connections\b/i,
  /^conexões ativas$/i,
  /^conexiones activas$/i,
  /^aktive verbindungen$/i,
  /^connexions actives$/i,
  /^connexions internet actives\b/i,
  /^proto\s+(recv-q\s+send-q\s+)?(local address|endereço local|dirección local|lokale adresse|adresse locale)\b/i,
  /^(netid\s+)?state\s+recv-q\s+send-q\s+local address:port\b/i,
  /^recv-q\s+send-q\s+local address:port\b/i,
  /^localaddress\s+localport\s+remoteaddress\s+remoteport\s+state\b/i,
  /^-{3,}(\s+-{3,})+$/,
];

export function isHeaderLine(line: string): boolean {
  const text = line.trim().replace(/\s+/g, ' ');
  return HEADER_PATTERNS.some((re) => re.test(text));
}
