/**
 * What a connection sends (RFC 9293 3.7, 3.8.6): SYN and SYN,ACK with their options, data and
 * FIN segments, Nagle and sender SWS avoidance, pure ACKs. Which segment goes next, within
 * which window, is recovery.ts's choice.
 */

import { emptyFlags } from '../wire/flags.js';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from '../wire/seq.js';
import { MAX_OPTIONS_LENGTH, tcpOptionsLength } from '../wire/tcp-options.js';
import type { TcpFlags, TcpOption, TcpSegment } from '../wire/types.js';
import { EcnState } from './ecn.js';
import { type FastOpenOffer, fastOpenOption, optionsLength, withFastOpen } from './fastopen.js';
import { maxSackBlocks, segmentOptions, synOptions } from './options.js';
import { MAX_UNSCALED_WINDOW, Tcb, TS_OPTION_BYTES } from './tcb.js';
import { STOPPED, Timer } from './timer-table.js';

/**
 * The flags of data, FIN and ACK segments, indexed by PSH (1) | FIN (2): shared and frozen, so
 * that no segment allocates its own (nothing writes a sent segment's flags).
 */
const ACK_FLAGS: readonly TcpFlags[] = [0, 1, 2, 3].map((i) =>
  Object.freeze({ ...emptyFlags(), ack: true, psh: (i & 1) !== 0, fin: (i & 2) !== 0 }),
);
const NO_PAYLOAD = new Uint8Array(0);
const NO_SACK: Array<[number, number]> = [];

export abstract class TcbOutput extends Tcb {
  /** RFC 3168 (ecn.ts): negotiation, ECE/CWR and the IP codepoint of what we send. */
  protected readonly ecn = new EcnState();

  protected buildSyn(now: number): TcpSegment {
    this.synPending = false;
    const synAck = this.st === 'SYN_RECV';
    // The SYN,ACK of a simultaneous open follows our SYN but is no retransmission.
    const retransmit = this.synSends > 0;
    this.synSends++;
    // In a SYN,ACK, offer only what the peer's SYN offered (RFC 7323 1.3, RFC 2018 2).
    const offerWscale = synAck ? this.wscaleOk : this.config.windowScale;
    const offerTs = synAck ? this.tsOk : this.config.timestamps;
    const offerSack = synAck ? this.sackOk : this.config.sack;
    // FreeBSD's TCP_NOOPT (no options) and rexmit_drop_options (MSS alone from the 4th SYN).
    const bare = !synAck && this.config.dropSynOptions === true && this.synSends > 3;
    const options = this.config.noSynOptions
      ? []
      : bare
        ? [{ kind: 'mss' as const, value: this.advertisedMss() }]
        : synOptions(this.config.synOptionLayout, {
            mss: this.advertisedMss(),
            wscale: offerWscale ? this.rcvWndScale : undefined,
            sackPermitted: offerSack,
            ts: offerTs ? { value: this.tsVal(now), echo: synAck ? this.tsRecent : 0 } : undefined,
          });
    // TCP Fast Open (fastopen.ts): the first SYN asks for a cookie or carries data with one.
    const tfo = synAck ? undefined : this.tfo;
    const fastOpen = tfo !== undefined && !retransmit;
    const extra = synAck ? this.synAckOption : undefined;
    const synOpts = extra
      ? withFastOpen(this.config.synOptionLayout, options, extra)
      : fastOpen && !tfo.withoutCookie
        ? withFastOpen(
            this.config.synOptionLayout,
            options,
            fastOpenOption(tfo.cookie, tfo.experimental),
          )
        : options;
    const payload = fastOpen ? this.synData(tfo, synOpts) : new Uint8Array(0);
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq: this.iss,
      ack: synAck ? this.rcvNxt : 0,
      flags: { ...emptyFlags(), syn: true, ack: synAck },
      window: Math.min(this.config.receiveBufferSize, MAX_UNSCALED_WINDOW),
      urgentPointer: 0,
      options: synOpts,
      payload,
    };
    this.sndNxt = seqAdd(this.iss, 1 + payload.byteLength);
    this.unackedSince ??= now;
    if (retransmit) {
      // RFC 6298 (5.7), RFC 5681 (3.1) are about a SYN that timed out, not one the path MTU resent.
      if (!this.pmtuSynRetransmit) this.synRetransmitted = true;
      this.pmtuSynRetransmit = false;
      this.stats.retransmits++;
    } else {
      this.rttSeq = this.sndNxt;
      this.rttStart = now;
    }
    if (synAck) this.noteAckSent();
    return this.count(this.ecn.mark(seg, this.config, this.synSends - 1));
  }

  /**
   * RFC 7413 3: data on a SYN only with a cookie, as much of the queue as fits in the MSS
   * beside the options (and within what the server's MSS allowed before).
   */
  private synData(tfo: FastOpenOffer, options: readonly TcpOption[]): Uint8Array {
    if (tfo.cookie.length === 0 && !tfo.withoutCookie) return new Uint8Array(0);
    // Linux (tcp_send_syn_data) keeps the whole 40-byte option space free, less the
    // timestamps every later segment carries, whatever this SYN's options take.
    // The data must fit the path (Linux's tcp_send_syn_data: the MSS of the PMTU).
    const ours = this.pathMss();
    const mss = Math.min(ours, tfo.maxSynData ?? Number.POSITIVE_INFINITY);
    const room =
      this.config.synDataRoom === 'linux'
        ? mss - (this.config.timestamps ? TS_OPTION_BYTES : 0) - MAX_OPTIONS_LENGTH
        : Math.min(ours - optionsLength(options), mss);
    return this.sendBuf.peek(0, Math.max(0, Math.min(room, this.sendBuf.length)));
  }

  /** Sender SWS avoidance (RFC 9293 3.8.6.2.1) and Nagle (RFC 896, RFC 9293 3.7.4). */
  protected mayTransmit(len: number, unsent: number, mss: number): boolean {
    if (len >= mss) return true;
    if (this.forceSmall) {
      this.forceSmall = false;
      return true;
    }
    if (len === unsent) {
      if (!this.config.nagle || this.fin.kind !== 'none') return true;
      // Nagle with Minshall's refinement (as Linux): a small segment may go when no earlier
      // small segment is unacknowledged.
      return seqLe(this.sndSml, this.sndUna);
    }
    // Limited by the window: only a sizeable fraction of the largest window seen (Fs = 1/2).
    return len >= this.maxSndWnd / 2;
  }

  /**
   * Builds a data/FIN segment at `seq` with up to `wanted` payload bytes (fewer when SACK blocks
   * take room) and advances SND.NXT; new data joins the retransmission queue.
   */
  protected buildSegment(now: number, seq: number, wanted: number): TcpSegment {
    const options = this.segmentOptions(now);
    // SACK blocks beyond the timestamps take room from the payload so that header, options
    // and data stay within the peer's MSS + 40 (RFC 6691), i.e. within the path MTU.
    const extra = tcpOptionsLength(options) - (this.tsOk ? TS_OPTION_BYTES : 0);
    const len = extra > 0 ? Math.min(wanted, Math.max(1, this.effSndMss() - extra)) : wanted;
    const offset = seqDiff(seq, this.bufSeq);
    const payload = this.sendBuf.peek(offset, len);
    const end = seqAdd(seq, payload.byteLength);
    const fin = this.fin.kind === 'queued' && end === this.fin.seq;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const retransmit = seqLt(seq, this.sndNxt);
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq,
      ack: this.rcvNxt,
      // PSH on the segment that empties the send queue (end of a write burst).
      flags: ACK_FLAGS[(payload.byteLength > 0 && end === dataEnd ? 1 : 0) | (fin ? 2 : 0)],
      window: this.windowField(),
      urgentPointer: 0,
      options,
      payload,
    };
    const segEnd = seqAdd(end, fin ? 1 : 0);
    if (payload.byteLength < this.effSndMss() && seqGt(end, this.sndSml)) this.sndSml = end;
    if (seqGt(segEnd, this.sndNxt)) {
      if (this.sndNxt === this.sndUna) this.unackedSince = now;
      this.rv.sent.push(this.sndNxt, segEnd, now);
      this.rv.lastSentAt = now;
      this.sndNxt = segEnd;
      this.rv.tlpRearm = true;
    }
    if (retransmit) {
      this.stats.retransmits++;
      this.stats.retransmittedBytes += payload.byteLength;
      if (this.rttSeq !== undefined && seqLt(seq, this.rttSeq)) this.rttSeq = undefined;
    } else {
      this.stats.bytesOut += payload.byteLength;
      if (this.rttSeq === undefined && !this.tsOk) {
        this.rttSeq = segEnd;
        this.rttStart = now;
      }
    }
    this.noteAckSent();
    return this.count(this.ecn.mark(seg, this.config));
  }

  protected buildAck(now: number, seq: number): TcpSegment {
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq,
      ack: this.rcvNxt,
      flags: ACK_FLAGS[0],
      window: this.windowField(),
      urgentPointer: 0,
      options: this.segmentOptions(now),
      payload: NO_PAYLOAD,
    };
    this.noteAckSent();
    return this.count(this.ecn.mark(seg, this.config));
  }

  protected segmentOptions(now: number): TcpOption[] {
    const ts = this.tsOk ? { value: this.tsVal(now), echo: this.tsRecent } : undefined;
    if (!this.sackOk) return segmentOptions(ts, NO_SACK);
    const max = maxSackBlocks(this.tsOk);
    // RFC 2883 (4): the D-SACK block first, then the blocks of RFC 2018 (the first of them the
    // one holding the duplicate, if it lies above RCV.NXT: insertOoo touched it last).
    // sackBlocks allocates nothing when nothing is held out of order (the fast path).
    const dsack = this.dsack;
    if (dsack === undefined) return segmentOptions(ts, this.recvBuf.sackBlocks(max));
    return segmentOptions(ts, [[dsack[0], dsack[1]], ...this.recvBuf.sackBlocks(max - 1)]);
  }

  /** Every segment we send carries ACK = rcvNxt: clear the pending-ACK state. */
  protected noteAckSent(): void {
    this.ackNow = false;
    // RFC 2883 (4): a D-SACK block is reported in one ACK only.
    this.dsack = undefined;
    this.timers[Timer.delayedAck] = STOPPED;
    this.lastAckSent = this.rcvNxt;
  }
}
