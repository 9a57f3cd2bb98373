/**
 * The scripts of FreeBSD's state-event-engine suite that tcpstate's stack fails, played for
 * their STANDARD branches, each with where the script's FreeBSD-specific expectation and
 * RFC 9293 part ways. test/drill/conformance.test.ts requires exactly these to fail: a new
 * failure is a regression, and a script that starts passing must leave this list.
 */
const SYN_ACK_TO_LISTENER =
  'RFC 9293 3.10.7.2 (LISTEN, "second, check for an ACK"): any ACK-bearing segment gets <SEQ=SEG.ACK><CTL=RST>; FreeBSD drops a SYN,ACK to a listener silently, so the script sees no RST';
const FIN_WITHOUT_ACK_IN_TIME_WAIT =
  'RFC 9293 3.10.7.4 (first, sequence check): a segment outside the window is answered with an ACK; FreeBSD drops any segment without the ACK bit in TIME_WAIT before that check, so the script expects no ACK to the out-of-window FIN';
const DROP_SYNFIN_UNDER_STANDARD =
  'the script sets net.inet.tcp.drop_synfin=1, a FreeBSD extension that RFC 9293 does not have; played for its STANDARD branches (where the suite’s TIME_WAIT scripts expect SYN,FIN handled as a SYN despite drop_synfin=1), the runner keeps FreeBSD extensions off, and RFC 9293 3.10.7.2/3.10.7.3 answer the SYN,FIN as a SYN';
const SYN_FIN_BELOW_RCV_NXT =
  'RFC 9293 3.10.7.4 (first check): SEG.LEN counts the SYN and the FIN, so a SYN,FIN at RCV.NXT-1 has its FIN at RCV.NXT and is acceptable; with insecure_syn=1 (RFC 793’s rule) the in-window SYN resets the connection. The script expects it treated as outside the window (an ACK)';

export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  'rcv-syn-ack-listen/rcv-syn-ack-with-data-listen-ipv4.pkt': SYN_ACK_TO_LISTENER,
  'rcv-syn-ack-listen/rcv-syn-ack-without-data-listen-ipv4.pkt': SYN_ACK_TO_LISTENER,
  'rcv-fin-time-wait/rcv-fin-time-wait-using-shutdown-outside-left-ipv4.pkt':
    FIN_WITHOUT_ACK_IN_TIME_WAIT,
  'rcv-fin-time-wait/rcv-fin-time-wait-using-shutdown-outside-right-ipv4.pkt':
    FIN_WITHOUT_ACK_IN_TIME_WAIT,
  'rcv-fin-time-wait/rcv-fin-time-wait-using-shutdown-right-edge-ipv4.pkt':
    FIN_WITHOUT_ACK_IN_TIME_WAIT,
  'rcv-syn-fin-listen/rcv-syn-fin-with-data-listen-dropping-enabled-ipv4.pkt':
    DROP_SYNFIN_UNDER_STANDARD,
  'rcv-syn-fin-listen/rcv-syn-fin-without-data-listen-dropping-enabled-ipv4.pkt':
    DROP_SYNFIN_UNDER_STANDARD,
  'rcv-syn-fin-syn-sent/rcv-syn-fin-with-data-syn-sent-dropping-enabled-ipv4.pkt':
    DROP_SYNFIN_UNDER_STANDARD,
  'rcv-syn-fin-syn-sent/rcv-syn-fin-without-data-syn-sent-dropping-enabled-ipv4.pkt':
    DROP_SYNFIN_UNDER_STANDARD,
  'rcv-syn-fin-time-wait/rcv-syn-fin-time-wait-using-shutdown-outside-left-insecure-drop-ipv4.pkt':
    SYN_FIN_BELOW_RCV_NXT,
  'rcv-syn-fin-time-wait/rcv-syn-fin-time-wait-using-shutdown-outside-left-insecure-nodrop-ipv4.pkt':
    SYN_FIN_BELOW_RCV_NXT,
};

/**
 * The same failures in the suite's IPv6 twin (state-event-engine-ipv6): each IPv4 script's
 * `-ipv6.pkt` counterpart, for the same reason; the IP version changes none of them.
 */
export const KNOWN_FAILURES_IPV6: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KNOWN_FAILURES).map(([file, why]) => [
    file.replace(/-ipv4\.pkt$/, '-ipv6.pkt'),
    why,
  ]),
);
