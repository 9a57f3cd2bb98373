/**
 * Serving Node's http, https or http2 server from a tcpstate Server. Feeding sockets with
 * `httpServer.emit('connection', socket)` alone leaves the http server never listening: it then
 * tracks no connections, so `closeAllConnections()`/`closeIdleConnections()` find none and
 * `close()` waits for keep-alive timeouts. `attachServer` makes the pair behave as one server:
 * connections go to the http server, `'listening'`, `listening` and `address()` are the tcpstate
 * server's, and closing the http server closes the tcpstate one (its callback runs once every
 * connection has ended). The http server's own `'close'` event still comes at once, as for any
 * net.Server that has no native handle.
 */
import type { EventEmitter } from 'node:events';
import type { Server } from './server.js';
import type { Socket } from './socket.js';

/** What attachServer needs of Node's http/https/http2 server (all are net.Server subclasses). */
export interface NodeServerLike extends EventEmitter {
  close(callback?: (err?: Error) => void): unknown;
  address(): unknown;
  readonly listening: boolean;
}

/**
 * Connects `httpServer` to `tcpServer`: call it before `tcpServer.listen()`. Returns a function
 * that undoes the attachment.
 */
export function attachServer(httpServer: NodeServerLike, tcpServer: Server): () => void {
  const onConnection = (socket: Socket) => httpServer.emit('connection', socket);
  // http.Server sets up its connection tracking (and its timeout checks) on 'listening'.
  const onListening = () => httpServer.emit('listening');
  tcpServer.on('connection', onConnection);
  tcpServer.on('listening', onListening);
  const target = httpServer as unknown as Record<string, unknown>;
  const own = Object.getOwnPropertyDescriptors(target);
  const originalClose = httpServer.close.bind(httpServer);
  // The http server reports the tcpstate server's state and address.
  Object.defineProperty(target, 'listening', {
    configurable: true,
    get: () => tcpServer.listening,
  });
  target.address = () => tcpServer.address();
  target.close = (callback?: (err?: Error) => void) => {
    const wasListening = tcpServer.listening;
    // http's own close first: it closes idle connections and stops its timers (it then finds no
    // native handle and reports ERR_SERVER_NOT_RUNNING, which is not the caller's business).
    originalClose(() => {});
    if (!wasListening) {
      tcpServer.close(callback);
      return httpServer;
    }
    // The callback waits for the tcpstate server, that is for every connection to end.
    tcpServer.close((err) => callback?.(err));
    return httpServer;
  };
  return () => {
    tcpServer.off('connection', onConnection);
    tcpServer.off('listening', onListening);
    for (const key of ['listening', 'address', 'close']) {
      const d = own[key];
      if (d) Object.defineProperty(target, key, d);
      else delete target[key];
    }
  };
}
