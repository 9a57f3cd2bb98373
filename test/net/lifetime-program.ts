/**
 * The program of lifetime.test.ts: `world` is node or tcpstate, `mode` what the client socket
 * does once connected. The server and its accepted socket are unref'd (but in `server-ref`),
 * so only the client socket can hold the process.
 */
import * as nodeNet from 'node:net';
import { makePair } from './pair.js';

const [world, mode] = process.argv.slice(2);
let net: { createServer: typeof nodeNet.createServer; connect: typeof nodeNet.connect };
let host = '127.0.0.1';
if (world === 'node') net = nodeNet;
else {
  const pair = makePair(1);
  host = pair.server.address;
  net = {
    createServer: ((...a: unknown[]) => pair.server.createServer(...(a as []))) as never,
    connect: ((...a: unknown[]) => pair.client.connect(...(a as [number]))) as never,
  };
}

const server = net.createServer({ allowHalfOpen: mode === 'eof' }, (s) => {
  if (mode !== 'server-ref') s.unref();
  if (mode === 'eof') s.end();
});
server.listen(0, host, () => {
  if (mode !== 'server-ref') server.unref();
  const port = (server.address() as nodeNet.AddressInfo).port;
  const c = net.connect({ port, host, allowHalfOpen: mode === 'eof' }, () => {
    if (mode === 'paused') c.pause();
    if (mode === 'eof' || mode === 'server-ref') c.resume();
    if (mode === 'server-ref') c.unref();
    process.stderr.write('ready\n');
  });
});
