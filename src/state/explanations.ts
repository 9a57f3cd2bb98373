/**
 * Everything `tcpstate explain` says about a state, in structured form: the prose per language
 * (explanations-en.ts, explanations-pt.ts) and the transitions, which are never written as prose
 * but taken from the state diagram table (transitions.ts) so they cannot disagree with it.
 */
import { STORIES_EN } from './explanations-en.js';
import { STORIES_PT } from './explanations-pt.js';
import type { Lang } from './meanings.js';
import type { StateStory } from './state-story.js';
import type { TcpState } from './states.js';
import {
  type Cause,
  type Sends,
  type Transition,
  transitionsFrom,
  transitionsTo,
} from './transitions.js';

export type { StateStory };

export interface StateExplanation extends StateStory {
  state: TcpState;
  /** Transitions into this state (rows of the table). */
  entered: Transition[];
  /** Transitions out of this state (rows of the table). */
  left: Transition[];
}

export function explainState(state: TcpState, lang: Lang = 'en'): StateExplanation {
  const story = (lang === 'pt' ? STORIES_PT : STORIES_EN)[state];
  return {
    state,
    ...story,
    // CLOSED is where every connection starts and ends: listing every way into it would only
    // repeat each other state's exits, so only the first steps out are shown for it.
    entered: state === 'CLOSED' ? [] : transitionsTo(state),
    left: transitionsFrom(state),
  };
}

const CAUSE_EN: Readonly<Record<Cause, string>> = {
  'connect()': 'the application calls connect()',
  'listen()': 'the application calls listen()',
  'send()': 'the application sends on a listening socket (RFC only)',
  'close()': 'the application calls close() (with unread data: a reset)',
  'shutdown()': 'the application calls shutdown(SHUT_WR)',
  'abort()': 'the application aborts (close() with SO_LINGER 0)',
  'rcv SYN': 'a SYN arrives',
  'rcv SYN,ACK': 'the SYN,ACK arrives',
  'rcv ACK': 'the peer acknowledges this side’s SYN or FIN',
  'rcv FIN': 'the peer’s FIN arrives',
  'rcv FIN,ACK': 'the peer’s FIN arrives with the ACK of this side’s SYN or FIN',
  'rcv RST': 'a reset arrives',
  'rcv data after close()': 'data arrives for an application that already closed',
  '2MSL timer': '2×MSL have passed',
  'FIN_WAIT2 timer': 'tcp_fin_timeout passed (closed sockets only)',
  'retransmission limit': 'too many retransmissions went unanswered',
  'keepalive timeout': 'keepalive probes went unanswered',
  'user timeout': 'data stayed unacknowledged past TCP_USER_TIMEOUT',
};

const CAUSE_PT: Readonly<Record<Cause, string>> = {
  'connect()': 'a aplicação chama connect()',
  'listen()': 'a aplicação chama listen()',
  'send()': 'a aplicação envia num socket de escuta (só na RFC)',
  'close()': 'a aplicação chama close() (com dados não lidos: um reset)',
  'shutdown()': 'a aplicação chama shutdown(SHUT_WR)',
  'abort()': 'a aplicação aborta (close() com SO_LINGER 0)',
  'rcv SYN': 'chega um SYN',
  'rcv SYN,ACK': 'chega o SYN,ACK',
  'rcv ACK': 'o outro lado confirma o SYN ou o FIN deste lado',
  'rcv FIN': 'chega o FIN do outro lado',
  'rcv FIN,ACK': 'chega o FIN do outro lado junto com o ACK do SYN ou FIN deste lado',
  'rcv RST': 'chega um reset',
  'rcv data after close()': 'chegam dados para uma aplicação que já fechou',
  '2MSL timer': 'passaram 2×MSL',
  'FIN_WAIT2 timer': 'passou tcp_fin_timeout (só sockets já fechados)',
  'retransmission limit': 'retransmissões demais ficaram sem resposta',
  'keepalive timeout': 'as sondas de keepalive ficaram sem resposta',
  'user timeout': 'dados ficaram sem confirmação além de TCP_USER_TIMEOUT',
};

/**
 * A cause's short name as printed beside a transition: the table's own name (RFC 9293's
 * words, `rcv FIN`, `2MSL timer`) in English, a Portuguese network engineer's in Portuguese.
 * System calls keep their names.
 */
const CAUSE_NAME_PT: Readonly<Record<Cause, string>> = {
  'connect()': 'connect()',
  'listen()': 'listen()',
  'send()': 'send()',
  'close()': 'close()',
  'shutdown()': 'shutdown()',
  'abort()': 'abort()',
  'rcv SYN': 'recebe SYN',
  'rcv SYN,ACK': 'recebe SYN,ACK',
  'rcv ACK': 'recebe ACK',
  'rcv FIN': 'recebe FIN',
  'rcv FIN,ACK': 'recebe FIN,ACK',
  'rcv RST': 'recebe RST',
  'rcv data after close()': 'recebe dados após close()',
  '2MSL timer': 'temporizador 2MSL',
  'FIN_WAIT2 timer': 'temporizador FIN_WAIT2',
  'retransmission limit': 'limite de retransmissões',
  'keepalive timeout': 'timeout de keepalive',
  'user timeout': 'timeout do usuário',
};

export function causeName(cause: Cause, lang: Lang = 'en'): string {
  return lang === 'pt' ? CAUSE_NAME_PT[cause] : cause;
}

export function describeCause(cause: Cause, lang: Lang = 'en'): string {
  return (lang === 'pt' ? CAUSE_PT : CAUSE_EN)[cause];
}

export function describeSends(sends: Sends, lang: Lang = 'en'): string {
  if (lang === 'pt') return sends === '' ? 'não envia nada' : `envia ${sends}`;
  return sends === '' ? 'sends nothing' : `sends ${sends}`;
}

/** Section titles and fixed words of the explanation page. */
export interface ExplainWords {
  meaning: string;
  entered: string;
  left: string;
  duration: string;
  many: string;
  aliases: string;
  from: string;
  to: string;
  diagramTitle: string;
  statesTitle: string;
  activePath: string;
  passivePath: string;
  allTransitions: string;
  moreHint: string;
}

const WORDS_EN: ExplainWords = {
  meaning: 'What it means',
  entered: 'How a connection gets here',
  left: 'How it leaves',
  duration: 'How long it lasts',
  many: 'When many sockets are in it',
  aliases: 'Also written',
  from: 'from',
  to: 'to',
  diagramTitle: 'The TCP state diagram (RFC 9293, section 3.3.2)',
  statesTitle: 'The states',
  activePath: 'Client (active open, closes first)',
  passivePath: 'Server (passive open, peer closes first)',
  allTransitions: 'Every transition (from the table the engine is checked against)',
  moreHint: 'One state in detail: tcpstate explain STATE (e.g. tcpstate explain time_wait)',
};

const WORDS_PT: ExplainWords = {
  meaning: 'O que significa',
  entered: 'Como uma conexão chega aqui',
  left: 'Como sai daqui',
  duration: 'Quanto tempo dura',
  many: 'Quando há muitos sockets nele',
  aliases: 'Também escrito',
  from: 'de',
  to: 'para',
  diagramTitle: 'O diagrama de estados do TCP (RFC 9293, seção 3.3.2)',
  statesTitle: 'Os estados',
  activePath: 'Cliente (abertura ativa, fecha antes)',
  passivePath: 'Servidor (passiva; o outro fecha antes)',
  allTransitions: 'Todas as transições (da tabela contra a qual o motor é verificado)',
  moreHint: 'Um estado em detalhe: tcpstate explain ESTADO (ex.: tcpstate explain time_wait)',
};

export function explainWords(lang: Lang = 'en'): ExplainWords {
  return lang === 'pt' ? WORDS_PT : WORDS_EN;
}
