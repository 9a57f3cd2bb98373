export * from './faults.js';
export * from './link.js';
export * from './network.js';
export * from './schedule.js';
