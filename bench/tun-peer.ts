/**
 * The kernel's side of bench/tun.ts: Node's own net (the kernel's TCP) as a sink or source.
 * Receivers print one JSON line {bytes, ms} timed from the first byte to the peer's FIN.
 * `serve-http` is the kernel's reference server of bench/tun-loss.ts and bench/tun.ts: the
 * handler of `tcpstate tun --serve http:PORT` (src/net/demo-apps.ts): GET /bytes/N sends the
 * byte pattern, a PUT or POST is answered with the sha256 of its body.
 *   serve-sink PORT | serve-source PORT BYTES | sink HOST PORT | source HOST PORT BYTES |
 *   serve-http PORT
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { handle } from '../src/net/demo-apps.js';
import { sinkInto, sourceTo } from './tun-io.js';

const [mode, a, b, c] = process.argv.slice(2);
function sink(socket: Socket): void {
  sinkInto(socket).then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  });
}

function source(socket: Socket, total: number): void {
  sourceTo(socket, total);
  socket.on('close', () => process.exit(0));
}

if (mode === 'serve-sink' || mode === 'serve-source') {
  const server = createServer((s) => (mode === 'serve-sink' ? sink(s) : source(s, Number(b))));
  server.listen(Number(a), '0.0.0.0', () => process.stderr.write('listening\n'));
} else if (mode === 'serve-http') {
  // The very handler of `tcpstate tun --serve http:PORT`: GET /bytes/N, PUT/POST hashed.
  const server = createHttpServer(handle);
  server.listen(Number(a), '0.0.0.0', () => process.stderr.write('listening\n'));
} else if (mode === 'sink') {
  sink(connect(Number(b), a));
} else if (mode === 'source') {
  const s = connect(Number(b), a, () => source(s, Number(c)));
} else {
  process.stderr.write(
    'usage: tun-peer.ts serve-sink PORT | serve-source PORT BYTES | sink HOST PORT | source HOST PORT BYTES | serve-http PORT\n',
  );
  process.exit(2);
}
