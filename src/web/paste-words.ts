/** The paste view's words, in English and Portuguese (as `tcpstate explain - --lang pt`). */
import type { PasteFormat } from '../host/paste/types.js';
import type { Lang } from '../state/meanings.js';
import type { FindingWords } from './findings.js';

export interface PasteWords {
  intro: string;
  label: string;
  read: string;
  example: string;
  language: string;
  nothing: string;
  none: string;
  count: (n: number, formats: string) => string;
  others: (n: number) => string;
  byState: string;
  caption: string;
  columns: readonly [string, string, string, string, string, string];
  findings: FindingWords;
  formats: Readonly<Record<PasteFormat, string>>;
}

const FORMATS_EN: Record<PasteFormat, string> = {
  'linux-netstat': 'Linux netstat (net-tools)',
  ss: 'Linux ss (iproute2)',
  'macos-netstat': 'macOS/BSD netstat',
  'windows-netstat': 'Windows netstat',
  'windows-powershell': 'PowerShell Get-NetTCPConnection',
};

const s = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const PASTE_WORDS: Readonly<Record<Lang, PasteWords>> = {
  en: {
    intro:
      'Paste the output of netstat -tan, ss -tan, macOS netstat -an -p tcp, Windows netstat -ano or PowerShell Get-NetTCPConnection, from any machine.',
    label: 'pasted netstat, ss or PowerShell output',
    read: 'Read',
    example: 'Example',
    language: 'Language',
    nothing: 'Nothing pasted yet.',
    none: 'No socket rows recognised: this does not look like netstat, ss or PowerShell output.',
    count: (n, formats) => `${n} ${s(n, 'socket', 'sockets')} read (${formats}).`,
    others: (n) => `${n} other ${s(n, 'line', 'lines')} (headers, UDP, other text) left out.`,
    byState: 'By state',
    caption: 'Sockets, as pasted',
    columns: ['Line', 'State', 'Local', 'Remote', 'As printed', 'Meaning'],
    findings: {
      heading: 'Findings',
      none: 'No problems found in these sockets.',
      seen: 'What was seen',
      advice: 'What to do',
    },
    formats: FORMATS_EN,
  },
  pt: {
    intro:
      'Cole a saída de netstat -tan, ss -tan, netstat -an -p tcp do macOS, netstat -ano do Windows ou Get-NetTCPConnection do PowerShell, de qualquer máquina.',
    label: 'saída colada de netstat, ss ou PowerShell',
    read: 'Ler',
    example: 'Exemplo',
    language: 'Idioma',
    nothing: 'Nada colado ainda.',
    none: 'Nenhuma linha de socket reconhecida: isto não parece saída de netstat, ss ou PowerShell.',
    count: (n, formats) => `${n} ${s(n, 'socket lido', 'sockets lidos')} (${formats}).`,
    others: (n) =>
      `${n} ${s(n, 'outra linha', 'outras linhas')} (cabeçalhos, UDP, outros textos) ${s(n, 'deixada', 'deixadas')} de fora.`,
    byState: 'Por estado',
    caption: 'Sockets, como colados',
    columns: ['Linha', 'Estado', 'Local', 'Remoto', 'Como impresso', 'Significado'],
    findings: {
      heading: 'Achados',
      none: 'Nenhum problema encontrado nestes sockets.',
      seen: 'O que foi visto',
      advice: 'O que fazer',
    },
    formats: FORMATS_EN,
  },
};
