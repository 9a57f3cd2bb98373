/**
 * TCP control bits (RFC 9293 section 3.1; ECE and CWR from RFC 3168) in three spellings:
 * the `TcpFlags` record, tcpdump/packetdrill letters ("S.", "F.", "P."), and the comma form
 * used in diagrams and JSON ("SYN,ACK").
 */
import type { TcpFlags } from './types.js';

export const FLAG_FIN = 0x01;
export const FLAG_SYN = 0x02;
export const FLAG_RST = 0x04;
export const FLAG_PSH = 0x08;
export const FLAG_ACK = 0x10;
export const FLAG_URG = 0x20;
export const FLAG_ECE = 0x40;
export const FLAG_CWR = 0x80;

type FlagName = keyof TcpFlags;

/**
 * The comma form's order: the connection-defining bits first (SYN, FIN, RST), then PSH, ACK,
 * URG and the ECN bits, so the usual labels read SYN / SYN,ACK / ACK / PSH,ACK / FIN,ACK / RST.
 */
export const FLAG_ORDER: readonly FlagName[] = [
  'syn',
  'fin',
  'rst',
  'psh',
  'ack',
  'urg',
  'ece',
  'cwr',
];

/** tcpdump's letter order and letters ("." is ACK, "W" is CWR). */
const LETTERS: ReadonlyArray<readonly [FlagName, string]> = [
  ['fin', 'F'],
  ['syn', 'S'],
  ['rst', 'R'],
  ['psh', 'P'],
  ['ack', '.'],
  ['urg', 'U'],
  ['ece', 'E'],
  ['cwr', 'W'],
];

const LETTER_TO_FLAG: Readonly<Record<string, FlagName>> = {
  F: 'fin',
  S: 'syn',
  R: 'rst',
  P: 'psh',
  '.': 'ack',
  A: 'ack',
  U: 'urg',
  E: 'ece',
  W: 'cwr',
  C: 'cwr',
};

const NAME_TO_FLAG: Readonly<Record<string, FlagName>> = {
  FIN: 'fin',
  SYN: 'syn',
  RST: 'rst',
  PSH: 'psh',
  ACK: 'ack',
  URG: 'urg',
  ECE: 'ece',
  CWR: 'cwr',
};

export function emptyFlags(): TcpFlags {
  return {
    fin: false,
    syn: false,
    rst: false,
    psh: false,
    ack: false,
    urg: false,
    ece: false,
    cwr: false,
  };
}

/** The flags byte (offset 13 of the TCP header) for a flags record. */
export function flagsToByte(flags: TcpFlags): number {
  return (
    (flags.fin ? FLAG_FIN : 0) |
    (flags.syn ? FLAG_SYN : 0) |
    (flags.rst ? FLAG_RST : 0) |
    (flags.psh ? FLAG_PSH : 0) |
    (flags.ack ? FLAG_ACK : 0) |
    (flags.urg ? FLAG_URG : 0) |
    (flags.ece ? FLAG_ECE : 0) |
    (flags.cwr ? FLAG_CWR : 0)
  );
}

export function flagsFromByte(byte: number): TcpFlags {
  return {
    fin: (byte & FLAG_FIN) !== 0,
    syn: (byte & FLAG_SYN) !== 0,
    rst: (byte & FLAG_RST) !== 0,
    psh: (byte & FLAG_PSH) !== 0,
    ack: (byte & FLAG_ACK) !== 0,
    urg: (byte & FLAG_URG) !== 0,
    ece: (byte & FLAG_ECE) !== 0,
    cwr: (byte & FLAG_CWR) !== 0,
  };
}

/**
 * Reads flags written as letters ("S", "S.", "SA", "FA", "P.", "R.", "" for none; "." or "A" is
 * ACK, "W" or "C" is CWR, "none" for none) or as comma names ("SYN,ACK", case-insensitive).
 * Undefined when the text is neither.
 */
export function parseFlags(text: string): TcpFlags | undefined {
  const flags = emptyFlags();
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'none') return flags;
  if (trimmed.includes(',') || NAME_TO_FLAG[trimmed.toUpperCase()] !== undefined) {
    for (const part of trimmed.split(',')) {
      const name = NAME_TO_FLAG[part.trim().toUpperCase()];
      if (name === undefined) return undefined;
      flags[name] = true;
    }
    return flags;
  }
  for (const letter of trimmed) {
    const name = LETTER_TO_FLAG[letter.toUpperCase()];
    if (name === undefined) return undefined;
    flags[name] = true;
  }
  return flags;
}

/** Like `parseFlags`, for flags written in code and tests: throws a TypeError on bad text. */
export function flagsFrom(text: string): TcpFlags {
  const flags = parseFlags(text);
  if (flags === undefined) {
    throw new TypeError(
      `not TCP flags: ${JSON.stringify(text)} (use letters like "S." or names like "SYN,ACK")`,
    );
  }
  return flags;
}

/** The comma form in FLAG_ORDER, e.g. "SYN,ACK"; the empty string when no bit is set. */
export function formatFlags(flags: TcpFlags): string {
  let out = '';
  for (const name of FLAG_ORDER) {
    if (flags[name]) out = out === '' ? name.toUpperCase() : `${out},${name.toUpperCase()}`;
  }
  return out;
}

/** tcpdump's letters, e.g. "S." for SYN,ACK and "FP." for FIN,PSH,ACK; "none" when no bit is set. */
export function flagLetters(flags: TcpFlags): string {
  let out = '';
  for (const [name, letter] of LETTERS) if (flags[name]) out += letter;
  return out === '' ? 'none' : out;
}
