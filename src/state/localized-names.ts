/**
 * State names that localized netstat prints, as users paste them. Only names actually seen in
 * published output or bug reports are listed, each with where it was seen; names we could not
 * find a real sighting of (e.g. most Spanish and French closing states) are left out rather than
 * guessed. Matching ignores case and accents (aliases.ts), so ABHOREN matches ABHÖREN.
 */
import type { TcpState } from './states.js';

export interface LocalizedName {
  name: string;
  /** BCP 47 language tag. */
  lang: string;
  /** Which netstat prints it. */
  tool: 'windows netstat' | 'linux netstat (net-tools)';
  /** Where the spelling was seen. */
  seen: string;
}

export const LOCALIZED_NAMES: readonly (LocalizedName & { state: TcpState })[] = [
  // German Windows: "TCP 0.0.0.0:8080 0.0.0.0:0 ABHÖREN 42852" quoted in
  // github.com/raycast/extensions pull 30682; ABHÖREN and HERGESTELLT (and the console code page
  // mangling it to ABH?REN) in github.com/AGI-is-going-to-arrive/Antigravity-Context-Window-Monitor
  // issue 64; ABHÖREN also in github.com/pranshuparmar/witr pull 231.
  {
    state: 'LISTEN',
    name: 'ABHÖREN',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'raycast/extensions#30682, Antigravity-Context-Window-Monitor#64',
  },
  {
    state: 'LISTEN',
    name: 'ABH?REN',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'Antigravity-Context-Window-Monitor#64 (code page mangling)',
  },
  {
    state: 'ESTABLISHED',
    name: 'HERGESTELLT',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'Antigravity-Context-Window-Monitor#64',
  },
  // French and Spanish Windows listening states, named in a review of
  // github.com/heygen-com/hyperframes pull 3307 ("ABHÖREN (de), À L'ÉCOUTE (fr), ESCUCHANDO (es)").
  {
    state: 'LISTEN',
    name: 'À L’ÉCOUTE',
    lang: 'fr',
    tool: 'windows netstat',
    seen: 'hyperframes#3307 review',
  },
  {
    state: 'LISTEN',
    name: "À L'ÉCOUTE",
    lang: 'fr',
    tool: 'windows netstat',
    seen: 'hyperframes#3307 review',
  },
  // French Windows ÉCOUTE / ÉTABLIE (TIME_WAIT untranslated beside them): other parsers' French
  // `netstat -ano` test fixtures (a Go port scanner's TestParseWindowsOutputLocalized, and
  // ÉCOUTE in three more projects' tests), found by exact-string search of public code. No
  // captured French console with them was found; the one real French Windows 10/11
  // `netstat -a -n -b` found (github.com/danyGhassan/fonct_reseaux_Dany, tp5.md) prints
  // LISTENING, ESTABLISHED, LAST_ACK, TIME_WAIT and SYN_SENT in English.
  {
    state: 'LISTEN',
    name: 'ÉCOUTE',
    lang: 'fr',
    tool: 'windows netstat',
    seen: 'French netstat -ano fixtures in other parsers’ tests (a Go port scanner, three more)',
  },
  {
    state: 'ESTABLISHED',
    name: 'ÉTABLIE',
    lang: 'fr',
    tool: 'windows netstat',
    seen: 'French netstat -ano fixture in a Go port scanner’s tests (TestParseWindowsOutputLocalized)',
  },
  {
    state: 'LISTEN',
    name: 'ESCUCHANDO',
    lang: 'es',
    tool: 'windows netstat',
    seen: 'hyperframes#3307 review',
  },
  // Portuguese Windows: a row "TCP 127.0.0.1:PORT 0.0.0.0:0 ESCUTANDO 77" used as a localized
  // netstat -ano fixture in a public test suite (found through the code search of this project).
  {
    state: 'LISTEN',
    name: 'ESCUTANDO',
    lang: 'pt',
    tool: 'windows netstat',
    seen: 'netstat -ano fixture in a public test suite',
  },
  // Portuguese Linux net-tools (pt_BR locale): "tcp 0 0 0.0.0.0:ssh 0.0.0.0:* OUÇA" and
  // "… ESTABELECIDA" in the netstat tutorial at linuxteclab.com.br/conteudos/troubleshooting/4-netstat.html
  {
    state: 'LISTEN',
    name: 'OUÇA',
    lang: 'pt',
    tool: 'linux netstat (net-tools)',
    seen: 'linuxteclab.com.br netstat tutorial',
  },
  {
    state: 'ESTABLISHED',
    name: 'ESTABELECIDA',
    lang: 'pt',
    tool: 'linux netstat (net-tools)',
    seen: 'linuxteclab.com.br netstat tutorial',
  },
  // German Windows closing states: the `systeminformation` npm package (network.js, Windows
  // branch) maps HERGESTELLT, ABH…, SCHLIESSEN_WARTEN, WARTEND and SYN_GESENDET; the Checkmk
  // Windows agent's tcp_conn_stats script adds FIN_WARTEN_2, and Checkmk's agent-output regex
  // SCHLIESSEND. A pasted German `netstat -ano` in a public test fixture shows ABH™REN (the
  // CP850 Ö read as Windows-1252) next to SCHLIESSEN_WARTEN.
  {
    state: 'TIME_WAIT',
    name: 'WARTEND',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'systeminformation network.js; Checkmk',
  },
  {
    state: 'CLOSE_WAIT',
    name: 'SCHLIESSEN_WARTEN',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'systeminformation network.js; Checkmk; pasted netstat -ano fixture',
  },
  {
    state: 'SYN_SENT',
    name: 'SYN_GESENDET',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'systeminformation network.js',
  },
  {
    state: 'FIN_WAIT2',
    name: 'FIN_WARTEN_2',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'Checkmk tcp_conn_stats (Windows agent)',
  },
  {
    state: 'CLOSING',
    name: 'SCHLIESSEND',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'Checkmk agent output regex',
  },
  {
    state: 'LISTEN',
    name: 'ABH™REN',
    lang: 'de',
    tool: 'windows netstat',
    seen: 'pasted netstat -ano fixture (code page mix-up)',
  },
  // Spanish and Portuguese ESTABLISHED under "Conexiones activas" / "Conexões ativas", as
  // collected with their sources by the pasted-output parsers (src/host/paste/localized.ts).
  {
    state: 'ESTABLISHED',
    name: 'ESTABLECIDO',
    lang: 'es',
    tool: 'windows netstat',
    seen: 'netstat -ano samples (see host/paste/localized.ts)',
  },
  {
    state: 'ESTABLISHED',
    name: 'ESTABELECIDO',
    lang: 'pt',
    tool: 'windows netstat',
    seen: 'netstat fixture (see host/paste/localized.ts)',
  },
];
