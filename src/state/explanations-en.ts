/**
 * Long explanations of each state in English, for `tcpstate explain`. Facts follow RFC 9293 and
 * Linux defaults (net.ipv4.* sysctls as of Linux 6.x); the transitions themselves are not
 * written here: they come from transitions.ts.
 */
import type { StateStory } from './state-story.js';
import type { TcpState } from './states.js';

export const STORIES_EN: Readonly<Record<TcpState, StateStory>> = {
  CLOSED: {
    meaning:
      'There is no connection. RFC 9293 calls CLOSED "no connection state at all": nothing has been sent or received. Tools still show sockets in it (ss prints UNCONN, netstat CLOSE): sockets that were created or bound but never connected, and connections that ended (reset, timed out) while the application still holds the descriptor.',
    duration:
      'Until the application closes the socket or uses it. A socket left in CLOSE after a reset or timeout lives as long as the process keeps its descriptor.',
    many: 'Many CLOSE sockets owned by one process usually mean it does not close sockets whose connection failed (after ECONNRESET or ETIMEDOUT): a descriptor leak. Look at the owner with `ss -tanp state close`.',
  },
  LISTEN: {
    meaning:
      'A server socket waiting for clients: the application called listen() (a passive open). It has sent nothing and receives SYNs; each SYN creates a new connection (SYN_RECV, then ESTABLISHED in the accept queue) while the listening socket stays in LISTEN.',
    duration: 'As long as the server runs.',
    many: 'One per listening address and port is normal. What matters is the accept queue: in `ss -lnt`, Recv-Q is the number of connections waiting for accept() and Send-Q the backlog. Recv-Q at or above Send-Q means the application does not accept fast enough; the kernel then drops handshakes (ListenOverflows, ListenDrops in `nstat -az`).',
  },
  SYN_SENT: {
    meaning:
      'A client called connect(): this side sent a SYN with its initial sequence number and waits for the SYN,ACK. It has received nothing yet.',
    duration:
      'About one round trip (milliseconds). Without an answer the SYN is retransmitted with exponential backoff (1, 2, 4 … s); Linux gives up after tcp_syn_retries (6) retransmissions, about 127 s, and connect() fails with ETIMEDOUT. An RST ends it at once (ECONNREFUSED).',
    many: 'The peers are not answering at all: the server or its host is down or unreachable, or a firewall silently drops the SYNs (a reachable host with a closed port answers RST instead). Check the destinations with `ss -tan state syn-sent`; a retry storm against a dead backend looks the same.',
  },
  SYN_RECV: {
    meaning:
      'A server received a client’s SYN and answered with SYN,ACK; it waits for the ACK that completes the three-way handshake. Linux keeps these as small request sockets (shown as SYN-RECV) outside the accept queue until the ACK arrives.',
    duration:
      'About one round trip. Without the ACK the SYN,ACK is retransmitted; Linux gives up after tcp_synack_retries (5), about 63 s.',
    many: 'Half-open handshakes: a SYN flood (spoofed sources never answer), clients on slow or lossy paths, or ACKs lost on the way back (asymmetric routing, a firewall). With net.ipv4.tcp_syncookies=1 (the default) Linux answers with SYN cookies when the SYN queue (tcp_max_syn_backlog) overflows, so legitimate clients still get in without the server keeping state.',
  },
  ESTABLISHED: {
    meaning:
      'The connection is open: both SYNs were sent and acknowledged, and data can flow both ways. This is the normal state of a working connection.',
    duration:
      'As long as the applications want: milliseconds for one HTTP request, days for SSH sessions or database pools. A peer that vanished is noticed only when data is sent (retransmissions fail after tcp_retries2 = 15, about 15 minutes) or by keepalive (off by default; when on: 2 h idle, then 9 probes 75 s apart).',
    many: 'Normal for a busy server or for connection pools. Group them by peer and process (`tcpstate ls --state established`) to see who holds them; a count that only grows may be a pool or a client that never closes.',
  },
  FIN_WAIT1: {
    meaning:
      'This side closed first: the application called close() or shutdown(SHUT_WR), and TCP sent a FIN after any data still queued. It waits for the peer to acknowledge that FIN (and may still receive data).',
    duration:
      'About one round trip. Longer when the FIN cannot be sent yet because data is stuck behind a zero receive window, or when the peer does not answer; an orphaned socket then gives up after tcp_orphan_retries (0 means 8) retransmissions.',
    many: 'Peers that do not acknowledge: they are gone, or they stopped reading (their receive window is zero) so this side’s last data and FIN cannot go out. Typical of a server closing connections to slow or dead clients.',
  },
  FIN_WAIT2: {
    meaning:
      'This side closed first and its FIN was acknowledged; it waits for the peer’s FIN. The connection is half closed: this side sends no more but can still receive. The peer is in CLOSE_WAIT meanwhile.',
    duration:
      'Until the peer’s application closes. If this side called close() (an orphan), Linux ends it after tcp_fin_timeout (60 s). After shutdown() the socket is still open and can wait for ever.',
    many: 'The peers’ applications do not close their side: they are in CLOSE_WAIT, often a leak over there. Or this application uses shutdown() and waits for an end that never comes.',
  },
  CLOSE_WAIT: {
    meaning:
      'The peer closed its side: its FIN arrived and TCP acknowledged it. Now the local application must call close(); the kernel cannot do it for it. Until then this side may still send data.',
    duration:
      'Should be brief: the time the application takes to see end-of-file (read() returns 0) and close the socket. There is no timer: it lasts until the application closes or exits.',
    many: 'A bug in the local application: it does not close sockets after the peer closes (a leaked descriptor, a pool that never checks its idle connections, a blocked thread). They pile up until "Too many open files". Find the process with `ss -tanp state close-wait` (or `tcpstate ls --state close-wait`); fix its code. Restarting it clears them; no sysctl does.',
  },
  CLOSING: {
    meaning:
      'Both sides closed at about the same time (a simultaneous close): the peer’s FIN arrived while this side’s FIN was still unacknowledged. This side acknowledged the peer’s FIN and waits for the ACK of its own.',
    duration: 'About one round trip; then TIME_WAIT.',
    many: 'Rare. Many suggest lost ACKs on a lossy path, or a protocol where both ends close right after the last message.',
  },
  LAST_ACK: {
    meaning:
      'The peer closed first (this side was in CLOSE_WAIT), then the local application closed too and TCP sent its FIN. It waits for the ACK of that FIN; then the connection is gone, with no TIME_WAIT on this side.',
    duration:
      'About one round trip. If the ACK does not come, the FIN is retransmitted until the retry limit.',
    many: 'The peers vanished after sending their FIN, or something in the path (a NAT or firewall that dropped the flow after seeing FINs) eats the last ACKs.',
  },
  TIME_WAIT: {
    meaning:
      'This side closed first and the close is complete: both FINs were sent and acknowledged. The socket waits 2×MSL for two reasons: if its last ACK was lost, the peer’s retransmitted FIN is acknowledged again instead of being answered with RST; and old duplicate segments of this connection die out before a new connection with the same addresses and ports can receive them.',
    duration:
      'On Linux a fixed 60 s (TCP_TIMEWAIT_LEN; tcp_fin_timeout does not change it). RFC 9293 suggests MSL = 2 minutes (4 minutes in all); Windows uses 240 s by default (TcpTimedWaitDelay).',
    many: 'Normal on the side that closes first, typically a client, or a server that closes after each response. Each costs little memory. It becomes a problem only when one host opens many short connections to the same destination address and port: the ephemeral ports (ip_local_port_range, about 28,000) run out at about 470 new connections per second per destination. Fixes: reuse connections (keep-alive, pools), let the other side close first, widen ip_local_port_range, or set net.ipv4.tcp_tw_reuse=1, which lets new outgoing connections reuse a TIME_WAIT port pair when TCP timestamps prove it safe (recent kernels default to 2: loopback only); it does nothing for incoming connections. Never use tcp_tw_recycle: it dropped connections from clients behind NAT (their timestamps are not monotonic across hosts) and was removed in Linux 4.12. Avoid SO_LINGER with a zero timeout to skip TIME_WAIT: it ends connections with RST.',
  },
};
