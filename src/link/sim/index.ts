/**
 * Layer link/ (the simulator half): the one simulated network, pure and seeded. May import:
 * stack/, tcp/, wire/, state/, util/. Must not: import link/tun/ (real I/O), net/ or anything
 * above, or read a clock or use Math.random: virtual time only (lint/layers.cjs, biome.json).
 */
// The simulator's public face; schedule.ts is shared with net/driver.ts but not exported.
export * from './faults.js';
export * from './link.js';
export * from './network.js';
