/**
 * `tcpstate/host`: this machine's TCP sockets as data, for Node programs (Linux only; kept out of
 * the main entry so browser bundles never load node: modules).
 *
 *   const { sockets, context } = await takeSnapshot();
 *   const findings = diagnose(sockets, context);
 *
 * Layer host/, in two halves. host/*.ts and host/paste/ are pure analysis and presentation
 * (they also explain pasted `ss` text, in a browser too): they may import state/, util/, wire/ and
 * each other, never host/kernel/, node:, Date or timers. host/kernel/ does the kernel I/O (/proc,
 * tracefs, netlink sock_diag, setns, koffi) and may import host's analysis, state/, util/, wire/.
 * Neither imports our own stack (tcp/, stack/, link/, net/): host/ reads the kernel's sockets.
 * This file is the only one outside host/kernel/ that may import it (lint/layers.cjs).
 */
export { diagnose, isProblem } from './doctor.js';
export { HostError, type HostErrorCode } from './errors.js';
export {
  buildSocketFilter,
  FilterError,
  filterSockets,
  matches,
  parseStateFilter,
  type SocketFilter,
  STATE_GROUPS,
  sortSockets,
} from './filters.js';
export { readKernelInfo } from './kernel/kernel-info.js';
export {
  readProcSockets,
  type Snapshot,
  type SnapshotOptions,
  type SocketSource,
  takeSnapshot,
} from './kernel/snapshot.js';
export { renderMetrics } from './metrics.js';
export { parseProcNetTcp } from './proc-net-tcp.js';
export { type HostSummary, summarize } from './summary.js';
export type {
  DiagnoseContext,
  Finding,
  FindingKind,
  HostSocket,
  HostTimer,
  HostTimerKind,
  SockstatTcp,
} from './types.js';
export { type SocketJson, socketJson } from './view.js';
