/**
 * TCP options: kind, length, value (RFC 9293 section 3.2). Kinds 0 (EOL) and 1 (NOP) are one
 * byte; every other kind carries a length byte that counts itself and the kind, which lets a
 * receiver skip kinds it does not know.
 */
import type { ParseResult, TcpOption } from './types.js';

export const OPT_EOL = 0;
export const OPT_NOP = 1;
/** RFC 9293 3.2. */
export const OPT_MSS = 2;
/** RFC 7323 2.2. */
export const OPT_WSCALE = 3;
/** RFC 2018 2. */
export const OPT_SACK_PERMITTED = 4;
/** RFC 2018 3. */
export const OPT_SACK = 5;
/** RFC 7323 3.2. */
export const OPT_TIMESTAMP = 8;

/** The data offset field is 4 bits of 32-bit words: at most 60 header bytes, 40 of options. */
export const MAX_OPTIONS_LENGTH = 40;

/** Fixed lengths of the options that have one; a different length is malformed. */
const FIXED_LENGTH: Readonly<Record<number, number>> = {
  [OPT_MSS]: 4,
  [OPT_WSCALE]: 3,
  [OPT_SACK_PERMITTED]: 2,
  [OPT_TIMESTAMP]: 10,
};

/** A typed option kind, for `findOption`. */
export type TcpOptionKind = TcpOption['kind'];

function bad(detail: string): ParseResult<TcpOption[]> {
  return { ok: false, reason: 'bad-option', detail };
}

function u32At(bytes: Uint8Array, i: number): number {
  return ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
}

/**
 * Parses the options in `bytes[start..end)`. EOL ends the list; the bytes after it are padding
 * and are not kept (emitting pads with zeros again, as Linux does). Unknown kinds are kept as
 * views into `bytes`. A length byte below 2, missing, running past `end`, or not the fixed length
 * of its kind is 'bad-option'.
 */
export function parseTcpOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
): ParseResult<TcpOption[]> {
  const options: TcpOption[] = [];
  let i = start;
  while (i < end) {
    const kind = bytes[i];
    if (kind === OPT_EOL) {
      options.push({ kind: 'eol' });
      break;
    }
    if (kind === OPT_NOP) {
      options.push({ kind: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= end) return bad(`option kind ${kind} at byte ${i} has no length byte`);
    const length = bytes[i + 1];
    if (length < 2) return bad(`option kind ${kind} at byte ${i} has length ${length}`);
    if (i + length > end) {
      return bad(
        `option kind ${kind} at byte ${i} of length ${length} runs past the header (${end})`,
      );
    }
    const fixed = FIXED_LENGTH[kind];
    if (fixed !== undefined && length !== fixed) {
      return bad(`option kind ${kind} must have length ${fixed}, has ${length}`);
    }
    switch (kind) {
      case OPT_MSS:
        options.push({ kind: 'mss', value: (bytes[i + 2] << 8) | bytes[i + 3] });
        break;
      case OPT_WSCALE:
        // RFC 7323 2.3: a shift above 14 is used as 14; that is the engine's call, the wire keeps it.
        options.push({ kind: 'wscale', shift: bytes[i + 2] });
        break;
      case OPT_SACK_PERMITTED:
        options.push({ kind: 'sack-permitted' });
        break;
      case OPT_SACK: {
        if (length < 10 || (length - 2) % 8 !== 0) {
          return bad(`SACK option length ${length} is not 2 + 8n with n >= 1`);
        }
        const blocks: Array<[number, number]> = [];
        for (let b = i + 2; b < i + length; b += 8)
          blocks.push([u32At(bytes, b), u32At(bytes, b + 4)]);
        options.push({ kind: 'sack', blocks });
        break;
      }
      case OPT_TIMESTAMP:
        options.push({ kind: 'timestamp', value: u32At(bytes, i + 2), echo: u32At(bytes, i + 6) });
        break;
      default:
        options.push({ kind: 'unknown', code: kind, data: bytes.subarray(i + 2, i + length) });
    }
    i += length;
  }
  return { ok: true, value: options };
}

/** Bytes one option takes on the wire. */
export function tcpOptionLength(option: TcpOption): number {
  switch (option.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sack-permitted':
      return 2;
    case 'sack':
      return 2 + 8 * option.blocks.length;
    case 'timestamp':
      return 10;
    case 'unknown':
      return 2 + option.data.length;
  }
}

/** Bytes the options take, before padding. */
export function tcpOptionsLength(options: readonly TcpOption[]): number {
  let length = 0;
  for (const option of options) length += tcpOptionLength(option);
  return length;
}

function writeU32At(out: Uint8Array, i: number, value: number): void {
  out[i] = value >>> 24;
  out[i + 1] = value >>> 16;
  out[i + 2] = value >>> 8;
  out[i + 3] = value;
}

function checkRange(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} ${value} is outside 0..${max}`);
  }
}

/**
 * Writes the options at `offset` and pads with zero (EOL) bytes up to `end`. Returns nothing;
 * the caller sized the room with `tcpOptionsLength`. Throws RangeError for values that do not fit.
 */
export function writeTcpOptions(
  out: Uint8Array,
  offset: number,
  end: number,
  options: readonly TcpOption[],
): void {
  let i = offset;
  for (const option of options) {
    switch (option.kind) {
      case 'eol':
        out[i++] = OPT_EOL;
        break;
      case 'nop':
        out[i++] = OPT_NOP;
        break;
      case 'mss':
        checkRange('MSS', option.value, 0xffff);
        out[i] = OPT_MSS;
        out[i + 1] = 4;
        out[i + 2] = option.value >> 8;
        out[i + 3] = option.value;
        i += 4;
        break;
      case 'wscale':
        checkRange('window scale shift', option.shift, 0xff);
        out[i] = OPT_WSCALE;
        out[i + 1] = 3;
        out[i + 2] = option.shift;
        i += 3;
        break;
      case 'sack-permitted':
        out[i] = OPT_SACK_PERMITTED;
        out[i + 1] = 2;
        i += 2;
        break;
      case 'sack':
        if (option.blocks.length === 0)
          throw new RangeError('a SACK option needs at least one block');
        out[i] = OPT_SACK;
        out[i + 1] = 2 + 8 * option.blocks.length;
        i += 2;
        for (const [left, right] of option.blocks) {
          writeU32At(out, i, left);
          writeU32At(out, i + 4, right);
          i += 8;
        }
        break;
      case 'timestamp':
        out[i] = OPT_TIMESTAMP;
        out[i + 1] = 10;
        writeU32At(out, i + 2, option.value);
        writeU32At(out, i + 6, option.echo);
        i += 10;
        break;
      case 'unknown':
        checkRange('option kind', option.code, 0xff);
        if (option.code === OPT_EOL || option.code === OPT_NOP) {
          throw new RangeError(`option kind ${option.code} has no length; use 'eol' or 'nop'`);
        }
        out[i] = option.code;
        out[i + 1] = 2 + option.data.length;
        out.set(option.data, i + 2);
        i += 2 + option.data.length;
        break;
    }
  }
  out.fill(OPT_EOL, i, end);
}

/** The first option of a kind, typed by that kind: `findOption(seg, 'mss')?.value`. */
export function findOption<K extends TcpOptionKind>(
  segment: { options: readonly TcpOption[] },
  kind: K,
): Extract<TcpOption, { kind: K }> | undefined {
  for (const option of segment.options) {
    if (option.kind === kind) return option as Extract<TcpOption, { kind: K }>;
  }
  return undefined;
}
