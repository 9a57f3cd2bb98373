/**
 * The wire layer: byte formats and nothing else. Parsers turn bytes into plain reprs
 * (`types.ts`) and return a `ParseResult` with a reason instead of throwing, on any byte string;
 * emitters turn reprs into bytes and throw RangeError only for reprs that cannot be encoded
 * (a caller's bug). Pure: no I/O, no clock, no randomness.
 *
 * Layer wire/: may import state/ and util/. Must not: know connections (tcp/) or anything above
 * it, or do I/O (lint/layers.cjs, biome.json).
 */
export * from './address.js';
export * from './checksum.js';
export * from './flags.js';
export * from './format.js';
export * from './ipv4.js';
export * from './packet.js';
export * from './pcap.js';
export * from './seq.js';
export * from './tcp.js';
export * from './tcp-options.js';
export * from './types.js';
