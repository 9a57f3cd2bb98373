/**
 * Explicações longas de cada estado em português, para `tcpstate explain --lang pt`. Os fatos
 * seguem a RFC 9293 e os padrões do Linux; as transições vêm de transitions.ts.
 */
import type { StateStory } from './state-story.js';
import type { TcpState } from './states.js';

export const STORIES_PT: Readonly<Record<TcpState, StateStory>> = {
  CLOSED: {
    meaning:
      'Não há conexão. A RFC 9293 diz que CLOSED é "nenhum estado de conexão": nada foi enviado nem recebido. As ferramentas ainda mostram sockets nele (o ss mostra UNCONN, o netstat CLOSE): sockets criados ou associados a uma porta mas nunca conectados, e conexões que terminaram (reset, timeout) enquanto a aplicação ainda mantém o descritor.',
    duration:
      'Até a aplicação fechar o socket ou usá-lo. Um socket em CLOSE depois de um reset ou timeout vive enquanto o processo mantiver o descritor.',
    many: 'Muitos sockets em CLOSE de um mesmo processo costumam indicar que ele não fecha sockets cuja conexão falhou (depois de ECONNRESET ou ETIMEDOUT): um vazamento de descritores. Veja o dono com `ss -tanp state close`.',
  },
  LISTEN: {
    meaning:
      'Um socket de servidor esperando clientes: a aplicação chamou listen() (abertura passiva). Ele não enviou nada e recebe SYNs; cada SYN cria uma nova conexão (SYN_RECV, depois ESTABLISHED na fila de accept) enquanto o socket de escuta continua em LISTEN.',
    duration: 'Enquanto o servidor estiver rodando.',
    many: 'Um por endereço e porta de escuta é normal. O que importa é a fila de accept: no `ss -lnt`, Recv-Q é o número de conexões esperando accept() e Send-Q o backlog. Recv-Q igual ou maior que Send-Q indica que a aplicação não aceita conexões rápido o bastante; o kernel então descarta handshakes (ListenOverflows, ListenDrops no `nstat -az`).',
  },
  SYN_SENT: {
    meaning:
      'Um cliente chamou connect(): este lado enviou um SYN com seu número de sequência inicial e espera o SYN,ACK. Ainda não recebeu nada.',
    duration:
      'Cerca de uma ida e volta (milissegundos). Sem resposta, o SYN é retransmitido com espera exponencial (1, 2, 4 … s); o Linux desiste depois de tcp_syn_retries (6) retransmissões, uns 127 s, e connect() falha com ETIMEDOUT. Um RST termina na hora (ECONNREFUSED).',
    many: 'Os destinos não respondem: o servidor ou a máquina está fora do ar ou inalcançável, ou um firewall descarta os SYNs em silêncio (uma máquina alcançável com a porta fechada responderia RST). Veja os destinos com `ss -tan state syn-sent`; uma tempestade de novas tentativas contra um backend morto tem a mesma cara.',
  },
  SYN_RECV: {
    meaning:
      'Um servidor recebeu o SYN de um cliente e respondeu com SYN,ACK; espera o ACK que completa o handshake de três vias. O Linux guarda essas conexões como pequenos "request sockets" (mostrados como SYN-RECV) fora da fila de accept até o ACK chegar.',
    duration:
      'Cerca de uma ida e volta. Sem o ACK, o SYN,ACK é retransmitido; o Linux desiste depois de tcp_synack_retries (5), uns 63 s.',
    many: 'Handshakes pela metade: um SYN flood (origens falsificadas nunca respondem), clientes em caminhos lentos ou com perdas, ou ACKs perdidos na volta (roteamento assimétrico, um firewall). Com net.ipv4.tcp_syncookies=1 (o padrão) o Linux responde com SYN cookies quando a fila de SYN (tcp_max_syn_backlog) transborda, e clientes legítimos continuam entrando sem o servidor guardar estado.',
  },
  ESTABLISHED: {
    meaning:
      'A conexão está aberta: os dois SYNs foram enviados e confirmados, e os dados podem fluir nos dois sentidos. É o estado normal de uma conexão funcionando.',
    duration:
      'Enquanto as aplicações quiserem: milissegundos para uma requisição HTTP, dias para sessões SSH ou pools de banco de dados. Um outro lado que sumiu só é notado quando há dados a enviar (as retransmissões falham depois de tcp_retries2 = 15, uns 15 minutos) ou pelo keepalive (desligado por padrão; quando ligado: 2 h ociosa, depois 9 sondas a cada 75 s).',
    many: 'Normal para um servidor movimentado ou para pools de conexão. Agrupe por destino e processo (`tcpstate ls --state established`) para ver quem as mantém; um número que só cresce pode ser um pool ou um cliente que nunca fecha.',
  },
  FIN_WAIT1: {
    meaning:
      'Este lado fechou primeiro: a aplicação chamou close() ou shutdown(SHUT_WR), e o TCP enviou um FIN depois dos dados ainda na fila. Espera que o outro lado confirme esse FIN (e ainda pode receber dados).',
    duration:
      'Cerca de uma ida e volta. Mais quando o FIN ainda não pode sair porque há dados presos atrás de uma janela de recepção zero, ou quando o outro lado não responde; um socket órfão desiste depois de tcp_orphan_retries (0 significa 8) retransmissões.',
    many: 'Outros lados que não confirmam: sumiram, ou pararam de ler (a janela de recepção deles é zero) e os últimos dados e o FIN deste lado não conseguem sair. Típico de um servidor fechando conexões com clientes lentos ou mortos.',
  },
  FIN_WAIT2: {
    meaning:
      'Este lado fechou primeiro e seu FIN foi confirmado; espera o FIN do outro lado. A conexão está meio fechada: este lado não envia mais, mas ainda pode receber. O outro lado está em CLOSE_WAIT enquanto isso.',
    duration:
      'Até a aplicação do outro lado fechar. Se este lado chamou close() (um órfão), o Linux o encerra depois de tcp_fin_timeout (60 s). Depois de shutdown() o socket continua aberto e pode esperar para sempre.',
    many: 'As aplicações do outro lado não fecham a parte delas: estão em CLOSE_WAIT, muitas vezes um vazamento lá. Ou esta aplicação usa shutdown() e espera um fim que nunca chega.',
  },
  CLOSE_WAIT: {
    meaning:
      'O outro lado fechou a parte dele: seu FIN chegou e o TCP o confirmou. Agora a aplicação local precisa chamar close(); o kernel não pode fazer isso por ela. Até lá este lado ainda pode enviar dados.',
    duration:
      'Deveria ser breve: o tempo que a aplicação leva para ver o fim do arquivo (read() retorna 0) e fechar o socket. Não há timer: dura até a aplicação fechar ou terminar.',
    many: 'Um bug na aplicação local: ela não fecha os sockets depois que o outro lado fecha (descritor vazado, um pool que nunca verifica suas conexões ociosas, uma thread bloqueada). Eles se acumulam até "Too many open files". Encontre o processo com `ss -tanp state close-wait` (ou `tcpstate ls --state close-wait`) e corrija o código. Reiniciá-lo os limpa; nenhum sysctl faz isso.',
  },
  CLOSING: {
    meaning:
      'Os dois lados fecharam quase ao mesmo tempo (fechamento simultâneo): o FIN do outro lado chegou enquanto o FIN deste lado ainda não tinha sido confirmado. Este lado confirmou o FIN do outro e espera o ACK do seu.',
    duration: 'Cerca de uma ida e volta; depois TIME_WAIT.',
    many: 'Raro. Muitos sugerem ACKs perdidos em um caminho com perdas, ou um protocolo em que os dois lados fecham logo depois da última mensagem.',
  },
  LAST_ACK: {
    meaning:
      'O outro lado fechou primeiro (este lado estava em CLOSE_WAIT), depois a aplicação local também fechou e o TCP enviou seu FIN. Espera o ACK desse FIN; então a conexão acaba, sem TIME_WAIT deste lado.',
    duration:
      'Cerca de uma ida e volta. Se o ACK não vier, o FIN é retransmitido até o limite de tentativas.',
    many: 'Os outros lados sumiram depois de enviar o FIN, ou algo no caminho (um NAT ou firewall que esqueceu o fluxo ao ver os FINs) está engolindo os últimos ACKs.',
  },
  TIME_WAIT: {
    meaning:
      'Este lado fechou primeiro e o fechamento terminou: os dois FINs foram enviados e confirmados. O socket espera 2×MSL por dois motivos: se o último ACK se perdeu, o FIN retransmitido pelo outro lado é confirmado de novo em vez de receber um RST; e segmentos duplicados antigos desta conexão desaparecem antes que uma nova conexão com os mesmos endereços e portas possa recebê-los.',
    duration:
      'No Linux, 60 s fixos (TCP_TIMEWAIT_LEN; tcp_fin_timeout não muda isso). A RFC 9293 sugere MSL = 2 minutos (4 minutos no total); o Windows usa 240 s por padrão (TcpTimedWaitDelay).',
    many: 'Normal no lado que fecha primeiro, em geral o cliente, ou um servidor que fecha depois de cada resposta. Cada um custa pouca memória. Só vira problema quando uma máquina abre muitas conexões curtas para o mesmo endereço e porta de destino: as portas efêmeras (ip_local_port_range, umas 28.000) acabam com cerca de 470 novas conexões por segundo por destino. Soluções: reutilizar conexões (keep-alive, pools), deixar o outro lado fechar primeiro, ampliar ip_local_port_range, ou net.ipv4.tcp_tw_reuse=1, que deixa novas conexões de saída reutilizarem um par de portas em TIME_WAIT quando os timestamps do TCP provam que é seguro (kernels recentes usam 2: só loopback); não faz nada para conexões de entrada. Nunca use tcp_tw_recycle: ele derrubava conexões de clientes atrás de NAT (os timestamps deles não são monotônicos entre máquinas) e foi removido no Linux 4.12. Evite SO_LINGER com tempo zero para pular o TIME_WAIT: ele encerra as conexões com RST.',
  },
};
