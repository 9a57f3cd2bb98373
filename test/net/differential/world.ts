/**
 * The two worlds a differential program runs in: Node's own `net` on loopback, and tcpstate's
 * `net` over two stacks joined in memory. A program sees only what both have in common.
 */
import * as nodeNet from 'node:net';
import { createTestNetwork } from '../../../src/testing/index.js';
import { makePair } from '../pair.js';

/** The part of node:net the programs use; tcpstate's sockets and servers are cast to it. */
export interface NetModule {
  createServer(
    options: nodeNet.ServerOpts,
    listener?: (socket: nodeNet.Socket) => void,
  ): nodeNet.Server;
  connect(options: nodeNet.NetConnectOpts, listener?: () => void): nodeNet.Socket;
  newSocket(options?: nodeNet.SocketConstructorOpts): nodeNet.Socket;
}

export interface World {
  readonly name: 'node' | 'tcpstate' | 'tcpstate-sim';
  /** The net of the server's host and of the client's host (the same module for Node). */
  readonly server: NetModule;
  readonly client: NetModule;
  /** The address the client connects to, and the one servers listen on. */
  readonly serverAddress: string;
  close(): void;
}

export function nodeWorld(): World {
  const net: NetModule = {
    createServer: (o, l) => nodeNet.createServer(o, l),
    connect: (o, l) => nodeNet.connect(o, l),
    newSocket: (o) => new nodeNet.Socket(o),
  };
  return { name: 'node', server: net, client: net, serverAddress: '127.0.0.1', close() {} };
}

export function tcpstateWorld(seed = 1): World {
  const pair = makePair(seed);
  const wrap = (n: typeof pair.client): NetModule => ({
    createServer: (o, l) => n.createServer(o, l as never) as unknown as nodeNet.Server,
    connect: (o, l) => n.connect(o as never, l) as unknown as nodeNet.Socket,
    newSocket: (o) => n.socket(o) as unknown as nodeNet.Socket,
  });
  return {
    name: 'tcpstate',
    server: wrap(pair.server),
    client: wrap(pair.client),
    serverAddress: pair.server.address,
    close: () => pair.close(),
  };
}

/** tcpstate's net over the simulator's link model on the real clock (tcpstate/testing), no faults. */
export function tcpstateSimWorld(seed = 1): World {
  const net = createTestNetwork({ seed });
  const wrap = (n: typeof net.client): NetModule => ({
    createServer: (o, l) => n.createServer(o, l as never) as unknown as nodeNet.Server,
    connect: (o, l) => n.connect(o as never, l) as unknown as nodeNet.Socket,
    newSocket: (o) => n.socket(o) as unknown as nodeNet.Socket,
  });
  return {
    name: 'tcpstate-sim',
    server: wrap(net.server),
    client: wrap(net.client),
    serverAddress: net.serverAddress,
    close: () => net.close(),
  };
}
