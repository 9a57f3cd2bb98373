/**
 * The built-in scenarios of `tcpstate sim`: each a script (script.ts) that tells one story of
 * the state machine. Unless a scenario says otherwise the network has 10 ms of one-way delay
 * and no faults; `b` listens on port 80 and `a` connects to it.
 */
import type { Script, Step } from './script.js';

const NETWORK = { latency: 10, jitter: 0, loss: 0, duplicate: 0, reorder: 0 };

/** Both sides connected: b listens, a connects, both reach ESTABLISHED. */
const OPEN: Step[] = [
  { side: 'b', call: 'listen' },
  { side: 'a', call: 'connect' },
  { waitFor: { side: 'a', state: 'ESTABLISHED' } },
  { waitFor: { side: 'b', state: 'ESTABLISHED' } },
];

/** b's application notices the end of the stream and closes a little later (after a's FIN). */
const B_CLOSES_AFTER_A: Step[] = [
  { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
  { wait: 100 },
  { side: 'b', call: 'close' },
  { waitFor: { side: 'a', state: 'CLOSED' } },
];

function script(
  name: string,
  description: string,
  steps: Step[],
  extra: Partial<Script> = {},
): Script {
  return { name, description, port: 80, network: NETWORK, settle: 1000, steps, ...extra };
}

export const BUILTIN_SCRIPTS: readonly Script[] = [
  script('handshake', 'three-way handshake: a connects to b, which listens', [
    ...OPEN,
    { wait: 100 },
  ]),
  script(
    'normal-close',
    'a sends a little data and closes first: a ends in TIME_WAIT (60 s), b goes CLOSE_WAIT -> LAST_ACK',
    [
      ...OPEN,
      { side: 'a', call: 'send', bytes: 1000 },
      { wait: 100 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
    ],
  ),
  script(
    'simultaneous-close',
    'both close at the same instant: FIN_WAIT1 -> CLOSING -> TIME_WAIT on both sides',
    [
      ...OPEN,
      { wait: 100 },
      { side: 'a', call: 'close' },
      { side: 'b', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
      { waitFor: { side: 'b', state: 'CLOSED' } },
    ],
  ),
  script(
    'simultaneous-open',
    'a and b both connect to each other at the same instant, no listener: SYN_SENT -> SYN_RECV -> ESTABLISHED',
    [
      { side: 'a', call: 'connect', port: 2000, localPort: 1000 },
      { side: 'b', call: 'connect', port: 1000, localPort: 2000 },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { waitFor: { side: 'b', state: 'ESTABLISHED' } },
      { wait: 100 },
    ],
  ),
  script('refused', 'a connects to a port where nothing listens: b answers RST, connect() fails', [
    { side: 'a', call: 'connect' },
    { waitFor: { side: 'a', state: 'CLOSED' } },
  ]),
  script(
    'reset',
    'a aborts an established connection: it sends RST and both sides are CLOSED at once',
    [
      ...OPEN,
      { wait: 100 },
      { side: 'a', call: 'abort' },
      { waitFor: { side: 'b', state: 'CLOSED' } },
    ],
  ),
  script(
    'half-close',
    'a shuts down its sending side and keeps receiving: b sends 2000 bytes from CLOSE_WAIT, then closes',
    [
      ...OPEN,
      { side: 'a', call: 'shutdown' },
      { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
      { side: 'b', call: 'send', bytes: 2000 },
      { wait: 200 },
      { side: 'b', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
    ],
  ),
  script('lost-syn', 'a’s first SYN is lost: it is retransmitted after the initial RTO (1 s)', [
    { side: 'b', call: 'listen' },
    { drop: { from: 'a', flags: ['SYN'], count: 1 } },
    { side: 'a', call: 'connect' },
    { waitFor: { side: 'a', state: 'ESTABLISHED' } },
    { waitFor: { side: 'b', state: 'ESTABLISHED' } },
    { wait: 100 },
  ]),
  script('lost-fin', 'a’s FIN is lost: a stays in FIN_WAIT1 until it retransmits the FIN', [
    ...OPEN,
    { wait: 100 },
    { drop: { from: 'a', flags: ['FIN'], count: 1 } },
    { side: 'a', call: 'close' },
    ...B_CLOSES_AFTER_A,
  ]),
  script(
    'lost-last-ack',
    'a’s last ACK is lost: b retransmits its FIN from LAST_ACK and a, in TIME_WAIT, acknowledges it again',
    [
      ...OPEN,
      { wait: 100 },
      { side: 'a', call: 'close' },
      { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
      { wait: 100 },
      { drop: { from: 'a', flags: ['ACK'], count: 1 } },
      { side: 'b', call: 'close' },
      { waitFor: { side: 'b', state: 'CLOSED' } },
      { waitFor: { side: 'a', state: 'CLOSED' } },
    ],
  ),
  script(
    'syn-timeout',
    'nothing answers a’s SYNs (the path is cut): a retransmits with backoff, then gives up (~127 s)',
    [
      { side: 'b', call: 'listen' },
      { partition: 'both' },
      { side: 'a', call: 'connect' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
    ],
  ),
  script(
    'close-wait-leak',
    'b’s application never calls close(): b stays in CLOSE_WAIT, a’s orphaned FIN_WAIT2 ends after 60 s',
    [
      ...OPEN,
      { wait: 100 },
      { side: 'a', call: 'close' },
      { waitFor: { side: 'b', state: 'CLOSE_WAIT' } },
      { waitFor: { side: 'a', state: 'CLOSED' } },
      { wait: 1000 },
    ],
  ),
  script(
    'keepalive-dead-peer',
    'b vanishes (the path is cut) while idle: a’s keepalive probes go unanswered and a gives up',
    [...OPEN, { wait: 100 }, { partition: 'both' }, { waitFor: { side: 'a', state: 'CLOSED' } }],
    { keepalive: { idle: 10_000, interval: 1000, count: 3 } },
  ),
  script(
    'time-wait-reuse',
    'b closes first and sits in TIME_WAIT; a reconnects from the same port: the new SYN ends TIME_WAIT early',
    [
      { side: 'b', call: 'listen' },
      { side: 'a', call: 'connect', localPort: 40000 },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { waitFor: { side: 'b', state: 'ESTABLISHED' } },
      { wait: 100 },
      { side: 'b', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSE_WAIT' } },
      { wait: 100 },
      { side: 'a', call: 'close' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
      { wait: 1000 },
      { side: 'a', call: 'connect', localPort: 40000 },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { wait: 100 },
    ],
  ),
  script(
    'syn-flood',
    'spoofed SYNs flood b (--rate N/s, default 10000) while a connects and sends --bytes (default 20000): once b’s SYN queue is full, b answers with SYN cookies and keeps no state',
    [
      { side: 'b', call: 'listen' },
      // a moment apart, so that the diagrams draw the two notes on rows of their own
      { wait: 10 },
      { flood: { rate: 10_000, duration: 5000 } },
      { wait: 1000 },
      { side: 'a', call: 'connect' },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { side: 'a', call: 'send', bytes: 20_000 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
    ],
  ),
  script(
    'blind-reset',
    'an off-path attacker sprays RSTs and SYNs with guessed sequence numbers into a’s connection while a sends --bytes (default 100000): a answers with rate-limited challenge ACKs (RFC 5961) and the connection survives',
    [
      ...OPEN,
      { side: 'a', call: 'send', bytes: 100_000 },
      { wait: 10 },
      { blind: { target: 'a', kinds: ['RST', 'SYN'], count: 1000, duration: 2000 } },
      { wait: 2100 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
    ],
  ),
  script(
    'icmp-unreachable',
    'a firewall before b rejects a’s SYN with ICMP port unreachable (iptables REJECT): a hard error in SYN_SENT ends the attempt at once with ECONNREFUSED (RFC 1122 4.2.3.9, RFC 5927), where a silent drop would retry for ~127 s',
    [
      { side: 'b', call: 'listen' },
      { reject: { from: 'a', flags: ['SYN'], count: 1 } },
      { side: 'a', call: 'connect' },
      { waitFor: { side: 'a', state: 'CLOSED' } },
    ],
  ),
  script(
    'path-mtu',
    'a sends --bytes N (default 100000) to b through a tunnel that carries at most 1280-byte packets: its router drops a’s 1500-byte packets and answers ICMP fragmentation needed (RFC 1191; packet too big over IPv6, RFC 8201); a checks the quoted sequence number (RFC 5927), lowers its MSS, sends the lost segments again at once in smaller ones without slowing down, and a second connection starts with the learned MTU',
    [
      ...OPEN,
      { side: 'a', call: 'send', bytes: 100_000 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
      { side: 'a', call: 'connect', port: 80 },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { side: 'a', call: 'send', bytes: 20_000 },
      { wait: 200 },
      { side: 'a', call: 'close' },
      { waitFor: { side: 'a', state: 'FIN_WAIT2' } },
    ],
    { network: { ...NETWORK, mtu: 1280 } },
  ),
  script(
    'ecn',
    'a sends --bytes N (default 200000) over a 1 Mbit/s link whose queue marks CE on ECN-capable packets once 8 wait (RFC 3168): b echoes ECE, a halves its window once per window and answers CWR, and nothing is dropped',
    [
      ...OPEN,
      { side: 'a', call: 'send', bytes: 200_000 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
    ],
    {
      network: { ...NETWORK, bandwidth: 125, queueLimit: 1000, ceThreshold: 8 },
      ecn: 'on',
    },
  ),
  script(
    'fast-open',
    'TCP Fast Open (RFC 7413): a’s first connection asks b for a cookie and sends its request after the handshake; the second carries the request on the SYN with the cookie, and b reads it before the handshake ends',
    [
      { side: 'b', call: 'listen', fastOpen: 16 },
      { side: 'a', call: 'connect', localPort: 40000, fastOpen: 'GET / HTTP/1.0\r\n\r\n' },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { wait: 100 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
      { wait: 100 },
      { side: 'a', call: 'connect', localPort: 40001, fastOpen: 'GET / HTTP/1.0\r\n\r\n' },
      { waitFor: { side: 'a', state: 'ESTABLISHED' } },
      { wait: 100 },
      { side: 'a', call: 'close' },
      ...B_CLOSES_AFTER_A,
    ],
  ),
  script('bulk', 'a sends --bytes N (default 100000) to b, then both close', [
    ...OPEN,
    { side: 'a', call: 'send', bytes: 100_000 },
    { side: 'a', call: 'close' },
    ...B_CLOSES_AFTER_A,
  ]),
];

export function findBuiltin(name: string): Script | undefined {
  return BUILTIN_SCRIPTS.find((s) => s.name === name);
}
