/**
 * The packet lines of a script against real segments: building the segment a `<` line injects
 * and checking the segment the stack sent against a `>` line. Script numbers are relative, as
 * packetdrill writes them: sequence numbers of inbound segments count from the remote ISN the
 * runner chose, acknowledgments from the stack's ISN, and the other way round outbound.
 */
import { flagLetters, flagsFrom } from '../wire/flags.js';
import { formatOptions } from '../wire/format.js';
import { seqAdd } from '../wire/seq.js';
import type { TcpFlags, TcpOption, TcpSegment } from '../wire/types.js';
import type { TcpPacketSpec } from './ast.js';

/** How script numbers map to wire numbers for one connection. */
export interface SeqMap {
  /** The stack's ISN (0 until its first SYN is seen). */
  localIsn: number;
  /**
   * The script's sequence number on our SYN (or SYN,ACK): SYNs are numbered as written, every
   * other segment from the ISN, so after `> S. 1234:1234(0)` the peer's ACK is `ack 1`
   * (packetdrill's socket.h, local_seq_script_to_live_offset).
   */
  localBase?: number;
  /** The ISN the runner plays for the remote side. */
  remoteIsn: number;
  /**
   * The script's sequence number on the remote's SYN that opened the connection (packetdrill's
   * script remote ISN): SYN segments are numbered as written, every other segment from it, so
   * after `< S. 123:123(0)` the next segment is `1:…` and our ACK of it `ack 1` (packetdrill's
   * socket.h, remote_seq_script_to_live_offset).
   */
  remoteBase?: number;
  /** Stack TSval minus the script's TSval, learned from the first outbound timestamp. */
  tsValOffset: number | undefined;
}

/** packetdrill's flag letters: `.` is ACK, `E` ECE, `W` CWR. */
export function specFlags(letters: string): TcpFlags {
  return flagsFrom(letters === '' ? 'none' : letters);
}

const EMPTY = new Uint8Array(0);

/** The segment a `<` line describes, in wire numbers. */
export function inboundSegment(
  spec: TcpPacketSpec,
  map: SeqMap,
  ports: { src: number; dst: number },
): TcpSegment {
  const flags = specFlags(spec.flags);
  const start = spec.seq?.start ?? 0;
  const options = spec.options === undefined || spec.options === 'any' ? [] : spec.options;
  return {
    srcPort: ports.src,
    dstPort: ports.dst,
    seq: seqAdd(map.remoteIsn, start + remoteOffset(map, flags.syn)),
    ack: spec.ack === undefined ? 0 : seqAdd(map.localIsn, spec.ack),
    flags,
    window: spec.win ?? 65535,
    urgentPointer: 0,
    options: options.map((o) => inboundOption(o, map)),
    // packetdrill fills payloads with zeros too.
    payload: spec.len > 0 ? new Uint8Array(spec.len) : EMPTY,
  };
}

function inboundOption(o: TcpOption, map: SeqMap): TcpOption {
  if (o.kind === 'timestamp') {
    // The echo refers to a TSval the script wrote for the stack: shift it to the stack's clock.
    return { ...o, echo: o.echo === 0 ? 0 : (o.echo + (map.tsValOffset ?? 0)) >>> 0 };
  }
  if (o.kind === 'sack') {
    return {
      kind: 'sack',
      blocks: o.blocks.map(([l, r]) => [seqAdd(map.localIsn, l), seqAdd(map.localIsn, r)]),
    };
  }
  return o;
}

/** Our sequence number as the script writes it: from the ISN, a SYN from its written number. */
export function localRelative(map: SeqMap, wire: number, syn: boolean): number {
  return seqAdd(wire, -map.localIsn + (syn ? (map.localBase ?? 0) : 0));
}

/** What script numbers of the remote's sequence space add to remoteIsn (none on a SYN). */
function remoteOffset(map: SeqMap, syn: boolean): number {
  return syn ? 0 : (map.remoteBase ?? 0);
}

/** A wire number of the remote's sequence space (our ACK, SACK), as the script writes it. */
function remoteRelative(map: SeqMap, wire: number, syn: boolean): number {
  return seqAdd(wire, -(map.remoteIsn + remoteOffset(map, syn)));
}

/** One difference between the expected and the actual segment. */
export interface Mismatch {
  /** `flags`, `seq`, `ack`, `len`, `win`, `options`; the IP header's `ecn`, `tos`, `ttl`. */
  field: 'flags' | 'seq' | 'ack' | 'len' | 'win' | 'options' | 'ecn' | 'tos' | 'ttl';
  expected: string;
  actual: string;
}

/** Options as a receiver reads them: EOL ends the list, what follows is padding. */
function untilEol(options: readonly TcpOption[]): TcpOption[] {
  const i = options.findIndex((o) => o.kind === 'eol');
  return i < 0 ? [...options] : options.slice(0, i + 1);
}

/**
 * Compares an outbound segment with its `>` line. TSval is not compared (packetdrill does not
 * either unless told the stack's clock rate); TSecr and everything else is. Returns the first
 * mismatch, `win` last so that a window difference shows only when all else agrees.
 */
export function compareOutbound(
  spec: TcpPacketSpec,
  seg: TcpSegment,
  map: SeqMap,
): Mismatch | undefined {
  const flags = specFlags(spec.flags);
  const want = flagLetters(flags);
  const got = flagLetters(seg.flags);
  if (want !== got) return { field: 'flags', expected: want, actual: got };
  if (spec.seq !== undefined) {
    const seq = localRelative(map, seg.seq, seg.flags.syn);
    if (seq !== spec.seq.start >>> 0) {
      return { field: 'seq', expected: String(spec.seq.start), actual: String(seq) };
    }
  }
  if (seg.payload.byteLength !== spec.len) {
    return { field: 'len', expected: String(spec.len), actual: String(seg.payload.byteLength) };
  }
  if (spec.ack !== undefined) {
    const ack = remoteRelative(map, seg.ack, seg.flags.syn);
    if (ack !== spec.ack >>> 0) {
      return { field: 'ack', expected: String(spec.ack), actual: String(ack) };
    }
  }
  if (spec.options !== 'any') {
    const expected = untilEol(spec.options ?? []);
    const actual = untilEol(seg.options);
    if (!sameOptions(expected, actual, map)) {
      return {
        field: 'options',
        expected: `<${formatOptions(expected)}>`,
        actual: `<${formatOptions(actual.map((o) => relativeOption(o, map)))}>`,
      };
    }
  }
  if (spec.win !== undefined && seg.window !== spec.win) {
    return { field: 'win', expected: String(spec.win), actual: String(seg.window) };
  }
  return undefined;
}

function relativeOption(o: TcpOption, map: SeqMap): TcpOption {
  if (o.kind === 'sack') {
    return {
      kind: 'sack',
      blocks: o.blocks.map(([l, r]) => [
        remoteRelative(map, l, false),
        remoteRelative(map, r, false),
      ]),
    };
  }
  return o;
}

function sameOptions(expected: TcpOption[], actual: TcpOption[], map: SeqMap): boolean {
  if (expected.length !== actual.length) return false;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = relativeOption(actual[i], map);
    if (e.kind !== a.kind) return false;
    switch (e.kind) {
      case 'mss':
        if (a.kind !== 'mss' || a.value !== e.value) return false;
        break;
      case 'wscale':
        if (a.kind !== 'wscale' || a.shift !== e.shift) return false;
        break;
      case 'timestamp':
        // TSecr echoes the script's own TSval verbatim.
        if (a.kind !== 'timestamp' || a.echo !== e.echo >>> 0) return false;
        break;
      case 'sack':
        if (a.kind !== 'sack' || a.blocks.length !== e.blocks.length) return false;
        for (let j = 0; j < e.blocks.length; j++) {
          if (a.blocks[j][0] !== e.blocks[j][0] >>> 0 || a.blocks[j][1] !== e.blocks[j][1] >>> 0) {
            return false;
          }
        }
        break;
      case 'unknown':
        // Fast Open and other options: kind and bytes exactly.
        if (a.kind !== 'unknown' || a.code !== e.code || !sameBytes(a.data, e.data)) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

/** A segment in script notation, relative to the map (`F. 1:1(0) ack 1 win 65535`). */
export function formatRelative(seg: TcpSegment, map: SeqMap): string {
  const seq = localRelative(map, seg.seq, seg.flags.syn);
  const len = seg.payload.byteLength;
  let out = `${flagLetters(seg.flags)} ${seq}:${seqAdd(seq, len)}(${len})`;
  if (seg.flags.ack) out += ` ack ${remoteRelative(map, seg.ack, seg.flags.syn)}`;
  out += ` win ${seg.window}`;
  if (seg.options.length > 0) {
    out += ` <${formatOptions(seg.options.map((o) => relativeOption(o, map)))}>`;
  }
  return out;
}

/** A `>` or `<` line's TCP part as the script wrote it, for messages. */
export function formatSpec(spec: TcpPacketSpec): string {
  const seq = spec.seq === undefined ? '...' : `${spec.seq.start}:${spec.seq.end}`;
  let out = `${spec.flags} ${seq}(${spec.len})`;
  if (spec.ack !== undefined) out += ` ack ${spec.ack}`;
  if (spec.win !== undefined) out += ` win ${spec.win}`;
  if (spec.options === 'any') out += ' <...>';
  else if (spec.options !== undefined) out += ` <${formatOptions(spec.options)}>`;
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
