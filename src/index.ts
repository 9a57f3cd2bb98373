/**
 * tcpstate's library entry point, browser-safe: the state model, wire formats, the TCP engine,
 * its stack and the simulated network. Node-only parts have their own entry points:
 * `tcpstate/net` (Node `net`-compatible sockets, TUN) and `tcpstate/host` (this machine's sockets).
 *
 * It may import only the pure layers (lint/layers.cjs, rule layer-main-entry).
 */
export * from './link/sim/index.js';
export * from './stack/stack.js';
export * from './state/aliases.js';
export * from './state/events.js';
export * from './state/meanings.js';
export * from './state/states.js';
export * from './tcp/connection.js';
export * from './tcp/types.js';
export * from './util/rng.js';
export * from './wire/index.js';
