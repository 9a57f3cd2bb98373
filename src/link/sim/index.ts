/**
 * Layer link/ (the simulator half): the one simulated network, pure and seeded. May import:
 * stack/, tcp/, wire/, state/, util/. Must not: import link/tun/ (real I/O), net/ or anything
 * above, or read a clock or use Math.random: virtual time only (lint/layers.cjs, biome.json).
 */
export * from './network.js';
