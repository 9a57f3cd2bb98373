/**
 * The titles of doctor's findings per language (the one line `tcpstate`, `doctor` and pasted
 * output print for each). The evidence and advice under them are English only.
 */
import type { Lang } from '../state/meanings.js';

export interface FindingTitles {
  owner: {
    pid: (pid: number, process: string) => string;
    orphan: string;
    uid: (uid: number) => string;
    unknown: string;
  };
  closeWaitLeak: (owner: string, count: number) => string;
  timeWaitPorts: (percent: number, destination: string, reuse: boolean) => string;
  timeWaitBuckets: (total: number, percent: number) => string;
  timeWaitServer: (count: number) => string;
  acceptQueue: (
    endpoint: string,
    full: boolean,
    queue: number,
    backlog: number,
    owner: string,
  ) => string;
  synRecv: (count: number, port: string) => string;
  overflowingNow: (count: number, seconds: number | undefined) => string;
  overflowedSinceBoot: (count: number) => string;
  finWait2: (count: number) => string;
  orphans: (count: number, percent: number, max: number) => string;
  retransmitting: (count: number, worst: number) => string;
  retransmitRate: (percent: string, seconds: number | undefined) => string;
}

const EN: FindingTitles = {
  owner: {
    pid: (pid, process) => `pid ${pid} (${process})`,
    orphan: 'no process (orphaned: its application already closed it)',
    uid: (uid) => `an unreadable process of uid ${uid}`,
    unknown: 'an unknown process',
  },
  closeWaitLeak: (owner, count) =>
    `${owner} leaks CLOSE_WAIT: ${count} connections the peer closed are never closed here`,
  timeWaitPorts: (percent, destination, reuse) =>
    `TIME_WAIT is using ${percent}% of the ephemeral ports towards ${destination}${reuse ? ', which tcp_tw_reuse lets new connections take again' : ''}`,
  timeWaitBuckets: (total, percent) =>
    `${total} TIME_WAIT sockets, ${percent}% of net.ipv4.tcp_max_tw_buckets`,
  timeWaitServer: (count) =>
    `${count} TIME_WAIT sockets on server ports: this server closes connections first`,
  acceptQueue: (endpoint, full, queue, backlog, owner) =>
    `accept queue of ${endpoint} is ${full ? 'full' : 'nearly full'}: ${queue} of ${backlog} waiting for ${owner} to accept()`,
  synRecv: (count, port) =>
    `${count} half-open connections (SYN_RECV) on port ${port}: a SYN flood, or clients that never complete the handshake`,
  overflowingNow: (count, seconds) =>
    `accept queues are overflowing now: ${count} connections dropped in the last ${seconds} s`,
  overflowedSinceBoot: (count) =>
    `accept queues overflowed ${count} times since boot (none is full now)`,
  finWait2: (count) =>
    `${count} connections in FIN_WAIT2: this side closed, the peers never closed theirs`,
  orphans: (count, percent, max) =>
    `${count} orphaned TCP sockets, ${percent}% of net.ipv4.tcp_max_orphans (${max})`,
  retransmitting: (count, worst) =>
    `${count} connections are retransmitting without an answer (up to ${worst} retries)`,
  retransmitRate: (percent, seconds) =>
    `${percent}% of the TCP segments sent in the last ${seconds} s were retransmissions`,
};

const PT: FindingTitles = {
  owner: {
    pid: (pid, process) => `pid ${pid} (${process})`,
    orphan: 'nenhum processo (órfão: a aplicação já o fechou)',
    uid: (uid) => `um processo ilegível do uid ${uid}`,
    unknown: 'um processo desconhecido',
  },
  closeWaitLeak: (owner, count) =>
    `${owner} vaza CLOSE_WAIT: ${count} conexões que o outro lado fechou nunca são fechadas aqui`,
  timeWaitPorts: (percent, destination, reuse) =>
    `TIME_WAIT ocupa ${percent}% das portas efêmeras para ${destination}${reuse ? ', que o tcp_tw_reuse deixa novas conexões reaproveitarem' : ''}`,
  timeWaitBuckets: (total, percent) =>
    `${total} sockets em TIME_WAIT, ${percent}% de net.ipv4.tcp_max_tw_buckets`,
  timeWaitServer: (count) =>
    `${count} sockets em TIME_WAIT em portas de servidor: este servidor fecha as conexões primeiro`,
  acceptQueue: (endpoint, full, queue, backlog, owner) =>
    `a fila de accept de ${endpoint} está ${full ? 'cheia' : 'quase cheia'}: ${queue} de ${backlog} esperando ${owner} chamar accept()`,
  synRecv: (count, port) =>
    `${count} conexões semiabertas (SYN_RECV) na porta ${port}: um SYN flood, ou clientes que nunca completam o handshake`,
  overflowingNow: (count, seconds) =>
    `as filas de accept estão transbordando agora: ${count} conexões descartadas nos últimos ${seconds} s`,
  overflowedSinceBoot: (count) =>
    `as filas de accept transbordaram ${count} vezes desde o boot (nenhuma está cheia agora)`,
  finWait2: (count) =>
    `${count} conexões em FIN_WAIT2: este lado fechou, o outro lado nunca fechou o seu`,
  orphans: (count, percent, max) =>
    `${count} sockets TCP órfãos, ${percent}% de net.ipv4.tcp_max_orphans (${max})`,
  retransmitting: (count, worst) =>
    `${count} conexões retransmitindo sem resposta (até ${worst} tentativas)`,
  retransmitRate: (percent, seconds) =>
    `${percent}% dos segmentos TCP enviados nos últimos ${seconds} s foram retransmissões`,
};

export function findingTitles(lang: Lang = 'en'): FindingTitles {
  return lang === 'pt' ? PT : EN;
}
