/**
 * The fixed words of the host commands' text output (headings, column heads, hints, the words
 * around numbers), per language: `--lang pt` prints the Portuguese ones. The states' meanings
 * are in meanings.ts, the long explanations in explanations-*.ts, the causes' names and
 * descriptions in explanations.ts. State names (ESTABLISHED, TIME_WAIT…) stay as the tools
 * print them; the aliases (aliases.ts) read the localized names.
 *
 * PT has the type of EN, so a word missing in Portuguese does not compile.
 */
import type { Lang } from './meanings.js';

const n1 = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const EN = {
  // the summary (`tcpstate`)
  socketsOnThisMachine: (n: number) => `${n1(n, 'TCP socket', 'TCP sockets')} on this machine`,
  socketsIn: (n: number, netns: string) => `${n1(n, 'TCP socket', 'TCP sockets')} in ${netns}`,
  summaryIntro:
    'Every TCP connection is in one of the states of RFC 9293; here is how many are in each, and what that state means.',
  noSockets: 'none: no connections, and nothing listening',
  colState: 'STATE',
  colCount: 'COUNT',
  colWhatItMeans: 'WHAT IT MEANS',
  listeningPorts: 'Listening ports',
  noListeners: 'none: no program here accepts TCP connections',
  colPort: 'PORT',
  colAddress: 'ADDRESS',
  colProcess: 'PROCESS',
  colWaitingAccept: 'WAITING TO BE ACCEPTED',
  queueOf: (queue: number, backlog: number | string) => `${queue} of ${backlog}`,
  allAddresses: '* (all, IPv4+IPv6)',
  problems: 'Problems',
  noneFound: 'none found',
  doctorHint: 'details, evidence and advice: tcpstate doctor',
  next: 'Next',
  hintLs: 'every socket, with its process',
  hintLsState: 'only the sockets in one state',
  hintExplain: 'a state in detail: how it starts, how it ends',
  hintDoctor: 'problems, with evidence and advice',
  hintWatch: 'state changes as they happen',
  // doctor
  noProblemsAmong: (n: number) => `No problems found among ${n1(n, 'TCP socket', 'TCP sockets')}.`,
  checked: 'Checked:',
  checks: [
    'CLOSE_WAIT leaks (connections a process never closes)',
    'TIME_WAIT pile-ups against the ephemeral port range and tcp_max_tw_buckets',
    'SYN floods and full accept queues (with ListenOverflows/ListenDrops)',
    'FIN_WAIT2 connections whose peers never close',
    'orphaned sockets against tcp_max_orphans',
    'connections retransmitting without an answer',
  ],
  whatWasSeen: 'What was seen:',
  whatToDo: 'What to do:',
  severity: { info: 'info', warning: 'warning', critical: 'critical' },
  // ls
  colLocal: 'LOCAL',
  colRemote: 'REMOTE',
  colTimer: 'TIMER',
  colMeaning: 'MEANING',
  colReceived: 'RECEIVED',
  colDelivery: 'DELIVERY',
  noSocketsMatch: '(no sockets match)',
  timer: {
    retransmit: 'retrans',
    keepalive: 'keepalive',
    'time-wait': 'timewait',
    'zero-window-probe': 'probe',
  },
  // watch and top
  colTime: 'TIME',
  colTask: 'TASK',
  colChange: 'CHANGE',
  colInOldState: 'IN OLD STATE',
  newSocket: '(new)',
  connectionsSeen: (n: number) => `Connections seen (${n}):`,
  notListed: (n: number) => `(the ${n} that finished first are not listed)`,
  stillOpen: 'still open',
  timeWaitSocket: '(time-wait socket)',
  topSockets: (n: number) => n1(n, 'socket', 'sockets'),
  topTransitions: 'transitions:',
  topQuits: 'q quits',
  colSockets: 'SOCKETS',
  thisNamespace: 'this namespace',
  noTcpSockets: '(no TCP sockets)',
  noOwners: '(no process owns a socket here, or their owners are hidden)',
  noTransitionYet: '(no transition yet)',
};

export type Words = typeof EN;

const n1pt = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const PT: Words = {
  socketsOnThisMachine: (n) => `${n1pt(n, 'socket TCP', 'sockets TCP')} nesta máquina`,
  socketsIn: (n, netns) => `${n1pt(n, 'socket TCP', 'sockets TCP')} em ${netns}`,
  summaryIntro:
    'Toda conexão TCP está em um dos estados da RFC 9293; aqui está quantas há em cada um e o que cada estado significa.',
  noSockets: 'nenhum: nenhuma conexão, e nada em escuta',
  colState: 'ESTADO',
  colCount: 'QTD',
  colWhatItMeans: 'O QUE SIGNIFICA',
  listeningPorts: 'Portas em escuta',
  noListeners: 'nenhuma: nenhum programa aqui aceita conexões TCP',
  colPort: 'PORTA',
  colAddress: 'ENDEREÇO',
  colProcess: 'PROCESSO',
  colWaitingAccept: 'ESPERANDO ACCEPT()',
  queueOf: (queue, backlog) => `${queue} de ${backlog}`,
  allAddresses: '* (todos, IPv4+IPv6)',
  problems: 'Problemas',
  noneFound: 'nenhum encontrado',
  doctorHint: 'detalhes, evidências e o que fazer: tcpstate doctor',
  next: 'Próximos passos',
  hintLs: 'todos os sockets, com seu processo',
  hintLsState: 'só os sockets de um estado',
  hintExplain: 'um estado em detalhe: como começa, como termina',
  hintDoctor: 'problemas, com evidências e o que fazer',
  hintWatch: 'as mudanças de estado à medida que acontecem',
  noProblemsAmong: (n) => `Nenhum problema encontrado em ${n1pt(n, 'socket TCP', 'sockets TCP')}.`,
  checked: 'Verificado:',
  checks: [
    'vazamentos de CLOSE_WAIT (conexões que um processo nunca fecha)',
    'acúmulo de TIME_WAIT frente à faixa de portas efêmeras e a tcp_max_tw_buckets',
    'SYN floods e filas de accept cheias (com ListenOverflows/ListenDrops)',
    'conexões em FIN_WAIT2 cujo outro lado nunca fecha',
    'sockets órfãos frente a tcp_max_orphans',
    'conexões retransmitindo sem resposta',
  ],
  whatWasSeen: 'O que foi visto:',
  whatToDo: 'O que fazer:',
  severity: { info: 'info', warning: 'alerta', critical: 'crítico' },
  colLocal: 'LOCAL',
  colRemote: 'REMOTO',
  colTimer: 'TIMER',
  colMeaning: 'SIGNIFICADO',
  colReceived: 'RECEBIDOS',
  colDelivery: 'ENTREGA',
  noSocketsMatch: '(nenhum socket corresponde)',
  timer: {
    retransmit: 'retrans',
    keepalive: 'keepalive',
    'time-wait': 'timewait',
    'zero-window-probe': 'sonda',
  },
  colTime: 'HORA',
  colTask: 'TAREFA',
  colChange: 'MUDANÇA',
  colInOldState: 'NO ESTADO ANTERIOR',
  newSocket: '(novo)',
  connectionsSeen: (n) => `Conexões vistas (${n}):`,
  notListed: (n) => `(as ${n} que terminaram primeiro não estão listadas)`,
  stillOpen: 'ainda aberta',
  timeWaitSocket: '(socket de time-wait)',
  topSockets: (n) => n1pt(n, 'socket', 'sockets'),
  topTransitions: 'transições:',
  topQuits: 'q sai',
  colSockets: 'SOCKETS',
  thisNamespace: 'este namespace',
  noTcpSockets: '(nenhum socket TCP)',
  noOwners: '(nenhum processo tem sockets aqui, ou seus donos estão ocultos)',
  noTransitionYet: '(nenhuma transição ainda)',
};

export function words(lang: Lang = 'en'): Words {
  return lang === 'pt' ? PT : EN;
}
