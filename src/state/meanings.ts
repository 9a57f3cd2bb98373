/** One-line meanings of each state, for summaries and table annotations. */
import type { TcpState } from './states.js';

export type Lang = 'en' | 'pt';

const SHORT_EN: Readonly<Record<TcpState, string>> = {
  CLOSED: 'no connection: the socket exists but is not connected (or is being torn down)',
  LISTEN: 'a server waiting for clients to connect to this port',
  SYN_SENT: 'this side sent a SYN to connect and is waiting for the peer to answer',
  SYN_RECV: 'a client’s SYN arrived and was answered; waiting for its final ACK of the handshake',
  ESTABLISHED: 'connected: data flows both ways',
  FIN_WAIT1: 'this side closed first and sent FIN; waiting for the peer to acknowledge it',
  FIN_WAIT2:
    'this side closed first and its FIN was acknowledged; waiting for the peer to close too',
  CLOSE_WAIT: 'the peer closed; waiting for this application to call close()',
  CLOSING: 'both sides closed at the same time; waiting for the ACK of this side’s FIN',
  LAST_ACK: 'the peer closed first, then this side; waiting for the ACK of this side’s FIN',
  TIME_WAIT:
    'this side closed first; waiting 2×MSL so late packets of this connection die out (normal)',
};

const SHORT_PT: Readonly<Record<TcpState, string>> = {
  CLOSED: 'sem conexão: o socket existe mas não está conectado (ou está sendo desfeito)',
  LISTEN: 'um servidor esperando clientes se conectarem a esta porta',
  SYN_SENT: 'este lado enviou um SYN para conectar e espera a resposta do outro lado',
  SYN_RECV: 'chegou o SYN de um cliente e foi respondido; esperando o ACK final do handshake',
  ESTABLISHED: 'conectado: os dados fluem nos dois sentidos',
  FIN_WAIT1: 'este lado fechou primeiro e enviou FIN; esperando que o outro lado o confirme',
  FIN_WAIT2:
    'este lado fechou primeiro e seu FIN foi confirmado; esperando o outro lado fechar também',
  CLOSE_WAIT: 'o outro lado fechou; esperando esta aplicação chamar close()',
  CLOSING: 'os dois lados fecharam ao mesmo tempo; esperando o ACK do FIN deste lado',
  LAST_ACK: 'o outro lado fechou primeiro, depois este; esperando o ACK do FIN deste lado',
  TIME_WAIT:
    'este lado fechou primeiro; espera 2×MSL para que pacotes atrasados desapareçam (normal)',
};

export function shortMeaning(state: TcpState, lang: Lang = 'en'): string {
  return (lang === 'pt' ? SHORT_PT : SHORT_EN)[state];
}
