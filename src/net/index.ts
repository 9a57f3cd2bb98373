/**
 * net/: Node `net`-compatible sockets and servers over a Stack, driven by the real clock (the
 * only layer with EventEmitter, Duplex and timers). Links: a TUN device (link/tun, Linux) or
 * the in-memory pair below.
 *
 * Layer net/ (beside testing/): may import link/, stack/, tcp/, wire/, state/, util/ and node:.
 * Must not: import host/, scenario/, drill/, capture/, render/ or the user interfaces
 * (lint/layers.cjs).
 */
export { type DriverOptions, type PacketSink, StackDriver } from './driver.js';
export {
  errorForClose,
  type NetError,
  type NetErrorCode,
  netError,
  netErrorFromStack,
} from './errors.js';
export { attachServer, type NodeServerLike } from './http-attach.js';
export { createMemoryPair, type MemoryPairOptions } from './memory-link.js';
export { NetStack } from './net-stack.js';
export { type ListenOptions, Server, type ServerOptions } from './server.js';
export {
  familyOf,
  isIPv4,
  isIPv6,
  Socket,
  type SocketConnectOptions,
  type SocketOptions,
  type SocketStateChange,
} from './socket.js';
export { checkTunAddresses, TunHost, type TunHostOptions } from './tun-host.js';
