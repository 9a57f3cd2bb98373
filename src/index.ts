/** tcpstate's library entry point: the state model, wire formats, the TCP engine and its stack. */
export * from './state/states.js';
export * from './tcp/types.js';
export * from './util/rng.js';
export * from './wire/index.js';
export * from './wire/seq.js';
export * from './wire/types.js';
