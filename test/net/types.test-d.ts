/**
 * Type test (checked by `tsc -p tsconfig.json` in `npm test`): libraries typed for node:net
 * accept tcpstate's sockets and servers.
 */
import type * as net from 'node:net';
import type { Server } from '../../src/net/server.js';
import type { Socket } from '../../src/net/socket.js';

declare const socket: Socket;
declare const server: Server;
export const asNodeSocket: net.Socket = socket;
export const asNodeServer: net.Server = server;
export const asDuplex: NodeJS.ReadWriteStream = socket;
