// The simulator's public face; schedule.ts is shared with net/driver.ts but not exported.
export * from './faults.js';
export * from './link.js';
export * from './network.js';
