/**
 * Which system a packetdrill script was written for, as stack settings: the defaults of that
 * system's TCP (buffer sizes, window scale, option layout, initial RTO) and what the `sysctl`
 * lines of a script change. The runner configures tcpstate's stack from a profile, so a script
 * written for FreeBSD checks RFC 9293 behaviour rather than tcpstate's Linux-like defaults.
 */
import type { ConnectionConfig } from '../tcp/types.js';

export type ProfileName = 'freebsd' | 'linux';

/** Linux's tcp_rmem[2] default (ip-sysctl.rst): 6 MB. */
const LINUX_RMEM_MAX_DEFAULT = 6291456;
/** net.core.rmem_max's default (212992 on 64-bit, from SK_RMEM_MAX). */
const LINUX_CORE_RMEM_MAX = 212992;

/**
 * The receive window scale Linux offers for a tcp_rmem maximum: ilog2 of the largest window
 * the socket could grow to, less 15, within 0..14 (tcp_select_initial_window).
 */
export function linuxWscale(rmemMax: number): number {
  const space = Math.max(rmemMax, LINUX_CORE_RMEM_MAX);
  return Math.min(14, Math.max(0, Math.floor(Math.log2(space)) - 15));
}

export interface Profile {
  name: ProfileName;
  /** The stack's settings for this system's defaults. */
  config: Partial<ConnectionConfig>;
  /** fcntl flag values, which differ between systems. */
  flags: { O_RDWR: number; O_NONBLOCK: number };
  /**
   * A new SYN above the old RCV.NXT (or with a newer timestamp) reopens a 4-tuple in
   * TIME_WAIT (RFC 6191). FreeBSD's scripts ask for it with `-D FreeBSD`; Linux always does.
   */
  timeWaitReuse: boolean;
}

/**
 * FreeBSD 11–14 defaults (net.inet.tcp.*): recvspace 65536 and sendspace 32768, window scale 6
 * for that buffer, initial RTO 1 s (rexmit_initial), the SYN option layout of tcp_addoptions,
 * buffers rounded up to the MSS (tcp_mss_update), RFC 5961 checks on (insecure_rst=0,
 * insecure_syn=0), SYN,FIN not dropped (drop_synfin=0), delayed ACK 40 ms (TCPTV_DELACK = hz/25), 200 ms added to each RTO after the first (rexmit_slop), window scale from kern.ipc.maxsockbuf (tcp_connect), and
 * segments checked against the free buffer space where it exceeds the advertised window.
 */
const FREEBSD: Profile = {
  name: 'freebsd',
  config: {
    mss: 1460,
    receiveBufferSize: 65536,
    sendBufferSize: 32768,
    windowScale: true,
    windowScaleShift: 6,
    timestamps: true,
    sack: true,
    // The default stack's loss recovery: RFC 6675 SACK recovery, no RACK-TLP.
    rack: false,
    initialRto: 1000,
    minRto: 30,
    // rexmit_slop: 200 ms on every RTO after the first (TCPT_RANGESET in tcp_timer.h).
    rtoSlop: 200,
    delayedAckTimeout: 40,
    // tcp_input decides on each segment's ACK as it takes it (no batch decision).
    ackPerBatch: false,
    // net.inet.tcp.ecn.enable=2 (FreeBSD 12 on, tcp(4)): ECN when the peer's SYN asks.
    ecn: 'accept',
    // net.inet.tcp.ecn.maxretries=1: the first retransmitted SYN still asks for ECN.
    ecnSynRetries: 1,
    synOptionLayout: 'freebsd',
    roundBuffersToMss: true,
    receiveWindow: 'buffer',
    rstChallenge: true,
    synChallenge: true,
    dropSynFin: false,
    // packetdrill's own default (TS val 100 at 1.0 s in the suite); TSval is not compared.
    tsOffset: 0,
  },
  flags: { O_RDWR: 0x2, O_NONBLOCK: 0x4 },
  timeWaitReuse: false,
};

/**
 * Linux's defaults (5.x–6.x), each from the kernel: tcp_rmem "4096 131072 6291456" and
 * tcp_wmem "4096 16384 4194304" (Documentation/networking/ip-sysctl.rst), so the receive
 * window scale is ilog2(max(tcp_rmem[2], rmem_max)) - 15 = 22 - 15 = 7 (net/ipv4/tcp_output.c,
 * tcp_select_initial_window) and the SYN's window min(space, 65535); initial cwnd 10
 * (TCP_INIT_CWND, include/net/tcp.h), initial RTO 1 s (TCP_TIMEOUT_INIT), minimum RTO 200 ms
 * (TCP_RTO_MIN), delayed ACK 40 ms (TCP_DELACK_MIN) with quick ACKs at the start, SYN retries 6
 * (TCP_SYN_RETRIES), tcp_retries2 15, RACK-TLP on (tcp_recovery=1) with PRR (tcp_input.c),
 * CUBIC (tcp_congestion_control), Linux's SYN option order (tcp_options_write). The gtests'
 * defaults.sh changes tcp_rmem to "4096 540000 15728640", giving scale 8 (sysctlEffect).
 */
const LINUX: Profile = {
  name: 'linux',
  config: {
    mss: 1460,
    receiveBufferSize: 131072,
    sendBufferSize: 16384,
    windowScale: true,
    windowScaleShift: linuxWscale(LINUX_RMEM_MAX_DEFAULT),
    timestamps: true,
    sack: true,
    rack: true,
    // tcp_schedule_loss_probe: no probe outside the Open and CWR states.
    probeInRecovery: false,
    congestionControl: 'cubic',
    initialCwndSegments: 10,
    initialRto: 1000,
    minRto: 200,
    delayedAckTimeout: 40,
    synRetries: 6,
    dataRetries: 15,
    // tcp_ecn=2 (ip-sysctl.rst): ECN when the peer's SYN asks, never asked for on our SYNs.
    ecn: 'accept',
    // tcp_event_data_recv: the first data segment starts quick-ACK mode (tcp_incr_quickack).
    quickAckAtStart: true,
    // tcp_send_syn_data: SYN data leaves MAX_TCP_OPTION_SPACE (40 bytes) free.
    synDataRoom: 'linux',
    synOptionLayout: 'linux',
    // tcp_advertise_mss / tcp_mss_to_mtu: the MSS a SYN offers follows a learned path MTU.
    synMss: 'path',
  },
  flags: { O_RDWR: 0x2, O_NONBLOCK: 0x800 },
  // tcp_timewait_state_process: TCP_TW_SYN for a SYN after tw_rcv_nxt or with a newer TSval.
  timeWaitReuse: true,
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = { freebsd: FREEBSD, linux: LINUX };

/** What one `sysctl -w name=value` line did. */
export type SysctlEffect =
  | { kind: 'set'; patch: Partial<ConnectionConfig> }
  /** Read and understood, with no effect on a stack that has no such thing (host cache). */
  | { kind: 'no-effect'; why: string }
  | { kind: 'unknown' }
  /** A setting the stack cannot honour: the script cannot be played. */
  | { kind: 'unsupported'; why: string };

function bool(value: string): boolean {
  return value.trim() !== '0';
}

function positive(value: string): number | undefined {
  const n = Number(value.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The settings a FreeBSD sysctl names (Linux names where they mean the same thing). A value
 * that is not a number leaves the setting unknown. `standard`: the script is played for its
 * STANDARD (RFC) branches, where FreeBSD's own extensions stay off.
 */
export function sysctlEffect(name: string, value: string, standard: boolean): SysctlEffect {
  switch (name) {
    case 'net.inet.tcp.rfc1323':
    case 'net.ipv4.tcp_timestamps':
      // FreeBSD's rfc1323 covers both window scaling and timestamps.
      return name === 'net.inet.tcp.rfc1323'
        ? { kind: 'set', patch: { windowScale: bool(value), timestamps: bool(value) } }
        : { kind: 'set', patch: { timestamps: bool(value) } };
    case 'net.ipv4.tcp_window_scaling':
      return { kind: 'set', patch: { windowScale: bool(value) } };
    case 'net.inet.tcp.sack.enable':
    case 'net.ipv4.tcp_sack':
      return { kind: 'set', patch: { sack: bool(value) } };
    case 'net.inet.tcp.insecure_rst':
      return { kind: 'set', patch: { rstChallenge: !bool(value) } };
    case 'net.inet.tcp.insecure_syn':
      return { kind: 'set', patch: { synChallenge: !bool(value) } };
    case 'net.inet.tcp.drop_synfin':
      // A FreeBSD extension: the suite's STANDARD branches expect SYN,FIN handled as RFC 9293
      // handles any SYN, whatever this is set to.
      return standard
        ? { kind: 'no-effect', why: 'a FreeBSD extension, off when playing STANDARD branches' }
        : { kind: 'set', patch: { dropSynFin: bool(value) } };
    case 'net.inet.tcp.recvspace': {
      const n = positive(value);
      return n === undefined
        ? { kind: 'unknown' }
        : { kind: 'set', patch: { receiveBufferSize: n } };
    }
    case 'net.inet.tcp.sendspace': {
      const n = positive(value);
      return n === undefined ? { kind: 'unknown' } : { kind: 'set', patch: { sendBufferSize: n } };
    }
    case 'net.inet.tcp.rexmit_initial': {
      const n = positive(value);
      return n === undefined ? { kind: 'unknown' } : { kind: 'set', patch: { initialRto: n } };
    }
    case 'net.ipv4.tcp_rmem':
    case 'net.ipv4.tcp_wmem': {
      // "min default max": the default is the socket's buffer; tcp_rmem's max sets the scale.
      const [, def, max] = value.trim().split(/\s+/).map(Number);
      if (!(def > 0 && max > 0)) return { kind: 'unknown' };
      return name === 'net.ipv4.tcp_rmem'
        ? { kind: 'set', patch: { receiveBufferSize: def, windowScaleShift: linuxWscale(max) } }
        : { kind: 'set', patch: { sendBufferSize: def } };
    }
    case 'net.ipv4.tcp_syn_retries': {
      const n = positive(value);
      return n === undefined ? { kind: 'unknown' } : { kind: 'set', patch: { synRetries: n } };
    }
    case 'net.ipv4.tcp_recovery':
      // Bit 0 is RACK loss detection (ip-sysctl.rst).
      return { kind: 'set', patch: { rack: (Number(value) & 1) === 1 } };
    case 'net.ipv4.tcp_congestion_control':
      if (value.trim() === 'cubic') return { kind: 'set', patch: { congestionControl: 'cubic' } };
      if (value.trim() === 'reno') return { kind: 'set', patch: { congestionControl: 'newreno' } };
      return { kind: 'unsupported', why: `congestion control '${value.trim()}' is not modelled` };
    case 'net.ipv4.tcp_dsack':
      return { kind: 'set', patch: { dsack: bool(value) } };
    case 'net.inet.tcp.ecn.enable':
    case 'net.ipv4.tcp_ecn': {
      // Both: 0 off, 1 ask on our SYNs and accept, 2 accept when the peer's SYN asks
      // (ip-sysctl.rst tcp_ecn; FreeBSD tcp(4) ecn.enable).
      const v = value.trim();
      const mode = v === '0' ? 'off' : v === '1' ? 'on' : v === '2' ? 'accept' : undefined;
      return mode === undefined ? { kind: 'unknown' } : { kind: 'set', patch: { ecn: mode } };
    }
    case 'net.inet.tcp.ecn.maxretries': {
      const n = Number(value.trim());
      return Number.isInteger(n) && n >= 0
        ? { kind: 'set', patch: { ecnSynRetries: n } }
        : { kind: 'unknown' };
    }
    case 'net.inet.tcp.blackhole':
      return bool(value)
        ? { kind: 'unknown' }
        : { kind: 'no-effect', why: 'RST for closed ports is always sent (blackhole=0)' };
    case 'kern.ipc.maxsockbuf': {
      // tcp_connect and the syncache: the smallest scale with 65535 << scale >= sb_max.
      const n = positive(value);
      if (n === undefined) return { kind: 'unknown' };
      let shift = 0;
      while (shift < 14 && 65535 * 2 ** shift < n) shift++;
      return { kind: 'set', patch: { windowScaleShift: shift } };
    }
    case 'net.inet.tcp.delacktime': {
      const n = positive(value);
      return n === undefined
        ? { kind: 'unknown' }
        : { kind: 'set', patch: { delayedAckTimeout: n } };
    }
    case 'net.inet.tcp.rexmit_drop_options':
      return { kind: 'set', patch: { dropSynOptions: bool(value) } };
    case 'net.inet.tcp.rexmit_slop': {
      const n = Number(value.trim());
      return Number.isFinite(n) && n >= 0
        ? { kind: 'set', patch: { rtoSlop: n } }
        : { kind: 'unknown' };
    }
    case 'net.inet.tcp.hostcache.purgenow':
      return { kind: 'no-effect', why: 'tcpstate keeps no host cache' };
    default:
      return { kind: 'unknown' };
  }
}
