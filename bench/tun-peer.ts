/**
 * The kernel's side of bench/tun.ts: Node's own net (the kernel's TCP) as a sink or source.
 * Receivers print one JSON line {bytes, ms} timed from the first byte to the peer's FIN.
 * `serve-http` is the kernel's reference server of bench/tun-loss.ts: GET /bytes/N sends the
 * same byte pattern as `tcpstate tun --serve http:PORT` (src/net/demo-apps.ts).
 *   serve-sink PORT | serve-source PORT BYTES | sink HOST PORT | source HOST PORT BYTES |
 *   serve-http PORT
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { patternStream } from '../src/net/demo-apps.js';
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
  const server = createHttpServer((req, res) => {
    const m = /^\/bytes\/(\d+)$/.exec((req.url ?? '/').split('?')[0]);
    if (!m) {
      res.statusCode = 404;
      res.end('not found\n');
      return;
    }
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', m[1]);
    patternStream(Number(m[1])).pipe(res);
  });
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
