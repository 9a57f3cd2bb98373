/**
 * Differential programs: each runs unchanged against node:net on loopback and against
 * tcpstate's net, and logs what it saw per role (c = client socket, s = the server's socket,
 * srv = the server). The test compares the logs role by role.
 */
import type { Socket } from 'node:net';
import { attempt, bytes, closeServer, type Log, listen, once, signal, trace } from './kit.js';
import type { World } from './world.js';

export interface Program {
  name: string;
  run(w: World, log: Log): Promise<void>;
}

interface ServeOptions {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  /** Trace the accepted socket with a 'data' listener (default true). */
  data?: boolean;
}

/** A server whose connection handler is `onConn`; returns the port and the server. */
async function serve(w: World, onConn: (s: Socket) => void, opts: ServeOptions = {}) {
  const server = w.server.createServer(opts, onConn);
  const port = await listen(server, w.serverAddress);
  return { server, port };
}

/**
 * A server that traces the socket it accepts as role `s` (before `onConn` runs); `closed`
 * resolves once that socket closed, whichever side's events come first.
 */
async function serveTraced(
  w: World,
  log: Log,
  onConn: (s: Socket) => void = () => {},
  opts: ServeOptions = {},
) {
  const closed = signal();
  const served = await serve(
    w,
    (s) => {
      trace(s, 's', log, { data: opts.data ?? true }).then(closed.fire);
      onConn(s);
    },
    opts,
  );
  return { ...served, closed: closed.promise };
}

function connect(w: World, port: number, extra: Record<string, unknown> = {}): Socket {
  return w.client.connect({ port, host: w.serverAddress, ...extra });
}

const p: Program[] = [];
const program = (name: string, run: Program['run']) => p.push({ name, run });

// --- connect, data, end -----------------------------------------------------------------

program('echo; the client ends first', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.pipe(s));
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.end('hello');
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('the server writes and ends first', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end('bye'));
  await trace(connect(w, port), 'c', log);
  await closed;
  await closeServer(server);
});

program('nobody reads on the server; the client ends: end and close still come', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, () => {}, { data: false });
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.end();
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('the server never reads but writes and ends: both close', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end('hi'), { data: false });
  await trace(connect(w, port), 'c', log);
  await closed;
  await closeServer(server);
});

program('nobody reads on the client until the server finished; then resume', async (w, log) => {
  const finished = signal();
  const { server, port, closed } = await serveTraced(w, log, (s) => {
    s.on('finish', () => finished.fire());
    s.end(bytes(1000));
  });
  const c = connect(w, port);
  let read = 0;
  const done = trace(c, 'c', log, { data: false });
  await finished.promise;
  log('c', `before resume: read=${read}`);
  c.on('data', (d: Buffer) => (read += d.length));
  await done;
  log('c', `after: read=${read}`);
  await closed;
  await closeServer(server);
});

program('a server with allowHalfOpen answers after the client’s FIN', async (w, log) => {
  const { server, port, closed } = await serveTraced(
    w,
    log,
    (s) => {
      let got = 0;
      s.on('data', (d: Buffer) => (got += d.length));
      s.on('end', () => s.end(`got ${got}`));
    },
    { allowHalfOpen: true },
  );
  const c = connect(w, port);
  let answer = '';
  c.on('data', (d: Buffer) => (answer += d.toString()));
  const done = trace(c, 'c', log);
  c.end(bytes(5000));
  await done;
  log('c', `answer: ${answer}`);
  await closed;
  await closeServer(server);
});

program('a client with allowHalfOpen writes after the server’s FIN', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end('first'));
  const c = connect(w, port, { allowHalfOpen: true });
  const done = trace(c, 'c', log);
  c.on('end', () => c.end('after the FIN'));
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('the server writes in its end handler (allowHalfOpen false)', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => {
    s.on('end', () => {
      const ok = s.write('late', (err) =>
        log('s', `late write callback: ${err ? (err as NodeJS.ErrnoException).code : 'ok'}`),
      );
      log('s', `late write returned ${ok}`);
    });
  });
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.end('x');
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('a write after the peer’s FIN was read (allowHalfOpen false): EPIPE', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end('bye'));
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.on('end', () =>
    setImmediate(() => {
      const ok = c.write('too late', (err) =>
        log('c', `callback ${err ? (err as NodeJS.ErrnoException).code : 'ok'}`),
      );
      log('c', `write returned ${ok}`);
    }),
  );
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('a hundred writes, then end: every byte arrives once', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.on('connect', () => {
    for (let i = 0; i < 100; i++) c.write(bytes(1000));
    c.end();
  });
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('4 MiB echoed through pipe()', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.pipe(s));
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.end(bytes(4 << 20));
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('setEncoding gives strings', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end('héllo'));
  const c = connect(w, port);
  c.setEncoding('utf8');
  let text = '';
  c.on('data', (d: unknown) => {
    log('c', `data is ${typeof d}`);
    text += d;
  });
  await once(c, 'close');
  log('c', `text ${text}`);
  await closed;
  await closeServer(server);
});

program('write callbacks and end callback run in order', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.write('a', () => log('c', 'cb a'));
  c.write('b', () => log('c', 'cb b'));
  c.end('c', () => log('c', 'cb end'));
  await trace(c, 'c', log);
  await closed;
  await closeServer(server);
});

// --- pause, resume, backpressure ----------------------------------------------------------

program('pause after the first chunk, resume on the server’s finish', async (w, log) => {
  const finished = signal();
  const { server, port, closed } = await serveTraced(w, log, (s) => {
    s.on('finish', () => finished.fire());
    s.end(bytes(100_000));
  });
  const c = connect(w, port);
  let read = 0;
  const done = trace(c, 'c', log, { data: false });
  const paused = signal();
  c.once('data', (d: Buffer) => {
    read += d.length;
    c.pause();
    paused.fire();
    log('c', `paused: ${c.isPaused()}`);
    c.on('data', (more: Buffer) => (read += more.length));
  });
  await Promise.all([finished.promise, paused.promise]);
  c.resume();
  await done;
  log('c', `read ${read}`);
  await closed;
  await closeServer(server);
});

program('one 200 KB write returns false, then drain', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  const done = trace(c, 'c', log, { drain: true });
  log('c', `write returned ${c.write(bytes(200_000))}`);
  await once(c, 'drain');
  c.end();
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('pauseOnConnect: nothing is read until resume()', async (w, log) => {
  const { server, port, closed } = await serveTraced(
    w,
    log,
    (s) => {
      log('s', `paused at connection: ${s.isPaused()}`);
      setImmediate(() => s.resume());
    },
    { pauseOnConnect: true, data: false },
  );
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.end('data');
  await Promise.all([done, closed]);
  await closeServer(server);
});

// --- destroy, reset, errors -----------------------------------------------------------------

program('the client destroys itself on connect', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.on('connect', () => c.destroy());
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('the server destroys the socket it accepted', async (w, log) => {
  const { server, port } = await serve(w, (s) => s.destroy());
  await trace(connect(w, port), 'c', log);
  await closeServer(server);
});

program('resetAndDestroy gives the peer ECONNRESET', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.on('connect', () => c.resetAndDestroy());
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('destroy with an error: error then close(true)', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.on('connect', () => c.destroy(new Error('boom')));
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('destroy twice closes once', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.on('connect', () => {
    c.destroy();
    c.destroy();
  });
  await Promise.all([trace(c, 'c', log), closed]);
  log('c', `destroyed ${c.destroyed}`);
  await closeServer(server);
});

program('the server destroys a socket holding data it never read', async (w, log) => {
  const { server, port, closed } = await serveTraced(
    w,
    log,
    (s) => s.once('readable', () => s.destroy()),
    { data: false },
  );
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.write('unread');
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('a connection to a port nobody listens on is refused', async (w, log) => {
  const { server, port } = await serve(w, () => {});
  await closeServer(server);
  const c = connect(w, port);
  c.on('error', (e: NodeJS.ErrnoException) =>
    log('c', `syscall ${e.syscall}, port ${'port' in e}, address ${'address' in e}`),
  );
  await trace(c, 'c', log);
});

program('write after end: ERR_STREAM_WRITE_AFTER_END', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  await once(c, 'connect');
  c.end();
  c.write('late', (err) =>
    log('c', `callback ${err ? (err as NodeJS.ErrnoException).code : 'ok'}`),
  );
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('end, then destroy on finish: the FIN still goes', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.on('connect', () => {
    c.end('last words');
    c.on('finish', () => c.destroy());
  });
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('destroySoon after a write', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.write(bytes(3000));
  (c as unknown as { destroySoon(): void }).destroySoon();
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

// --- timeouts and options -------------------------------------------------------------------

program('setTimeout: one timeout event on an idle socket, which stays open', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  const done = trace(c, 'c', log);
  c.setTimeout(30);
  await once(c, 'timeout');
  log('c', `destroyed after timeout: ${c.destroyed}, timeout ${c.timeout}`);
  c.setTimeout(0);
  log('c', `timeout after setTimeout(0): ${c.timeout}`);
  c.end();
  await Promise.all([done, closed]);
  await closeServer(server);
});

program('setTimeout with a callback, and the timeout connect option', async (w, log) => {
  const { server, port } = await serve(w, (s) => s.resume());
  const c = connect(w, port, { timeout: 20 });
  log('c', `timeout option: ${c.timeout}`);
  await new Promise<void>((r) => c.setTimeout(25, () => r()));
  log('c', 'callback ran');
  c.destroy();
  await once(c, 'close');
  await closeServer(server);
});

program('setTimeout validates its arguments', async (w, log) => {
  const c = w.client.newSocket();
  attempt('c', log, 'setTimeout("x")', () => c.setTimeout('x' as unknown as number));
  attempt('c', log, 'setTimeout(-1)', () => c.setTimeout(-1));
  attempt('c', log, 'setTimeout(10, 5)', () => c.setTimeout(10, 5 as unknown as () => void));
  attempt('c', log, 'setTimeout(10)', () => c.setTimeout(10));
  c.destroy();
});

program('setNoDelay, setKeepAlive, ref and unref return the socket', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port, { noDelay: true, keepAlive: true });
  await once(c, 'connect');
  log('c', `setNoDelay ${c.setNoDelay(true) === c}`);
  log('c', `setKeepAlive ${c.setKeepAlive(true, 1000) === c}`);
  log('c', `unref ${c.unref() === c}`);
  log('c', `ref ${c.ref() === c}`);
  c.end();
  await Promise.all([once(c, 'close'), closed]);
  await closeServer(server);
});

program('highWaterMark options reach the stream', async (w, log) => {
  const c = w.client.newSocket({ highWaterMark: 1024 } as never);
  log('c', `readable ${c.readableHighWaterMark}, writable ${c.writableHighWaterMark}`);
  const d = w.client.newSocket();
  log('c', `default readable ${d.readableHighWaterMark}, writable ${d.writableHighWaterMark}`);
  c.destroy();
  d.destroy();
});

// --- addresses, counters, states -------------------------------------------------------------

program('getters before connect, while connecting, connected, after close', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = w.client.newSocket();
  const show = (when: string) =>
    log(
      'c',
      `${when}: readyState=${c.readyState} pending=${c.pending} connecting=${c.connecting} remotePort=${c.remotePort === port ? 'port' : c.remotePort} remoteFamily=${c.remoteFamily} localPort=${typeof c.localPort} address=${JSON.stringify(Object.keys(c.address()))}`,
    );
  show('new');
  c.connect({ port, host: w.serverAddress });
  show('connecting');
  await once(c, 'connect');
  show('connected');
  c.end();
  show('ended');
  c.resume();
  await once(c, 'close');
  show('closed');
  await closed;
  await closeServer(server);
});

program('bytesWritten counts what was written, bytesRead what was read', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end(bytes(7777)));
  const c = connect(w, port);
  c.write(bytes(300_000));
  log('c', `bytesWritten at once: ${c.bytesWritten}`);
  c.end(bytes(12));
  c.resume();
  await once(c, 'close');
  log('c', `bytesWritten ${c.bytesWritten} bytesRead ${c.bytesRead}`);
  await closed;
  await closeServer(server);
});

program('an accepted socket knows its server and its peer', async (w, log) => {
  const accepted = signal();
  let peer = '';
  const { server, port, closed } = await serveTraced(w, log, (s) => {
    log(
      's',
      `socket.server is the server: ${(s as unknown as { server: unknown }).server === server}`,
    );
    peer = `${s.remotePort}`;
    log('s', `family ${s.remoteFamily} ${s.localFamily}`);
    accepted.fire();
  });
  const c = connect(w, port);
  await accepted.promise;
  log('c', `peer sees my port: ${peer === `${c.localPort}`}`);
  c.end();
  c.resume();
  await Promise.all([once(c, 'close'), closed]);
  await closeServer(server);
});

program('readyState through a half-close', async (w, log) => {
  const { server, port, closed } = await serveTraced(
    w,
    log,
    (s) => s.on('end', () => setImmediate(() => s.end())),
    { allowHalfOpen: true },
  );
  const c = connect(w, port, { allowHalfOpen: true });
  c.resume();
  await once(c, 'connect');
  log('c', c.readyState);
  c.end();
  await once(c, 'finish');
  log('c', `after finish: ${c.readyState}`);
  await once(c, 'end');
  log('c', `after end: ${c.readyState}`);
  await once(c, 'close');
  log('c', `after close: ${c.readyState}`);
  await closed;
  await closeServer(server);
});

program('a destroyed socket connects again', async (w, log) => {
  let conns = 0;
  const { server, port } = await serve(w, (s) => {
    conns++;
    s.resume();
  });
  const c = w.client.newSocket();
  c.connect({ port, host: w.serverAddress });
  await once(c, 'connect');
  c.destroy();
  await once(c, 'close');
  log('c', `destroyed ${c.destroyed}`);
  attempt('c', log, 'connect again', () => c.connect({ port, host: w.serverAddress }));
  await once(c, 'connect');
  log('c', `connected again: destroyed ${c.destroyed}, readyState ${c.readyState}`);
  c.end();
  c.resume();
  await once(c, 'close');
  log('srv', `connections ${conns}`);
  await closeServer(server);
});

program('connect validates the port', async (w, log) => {
  for (const port of [70000, -1, 1.5, Number.NaN, 'abc']) {
    attempt('c', log, `connect(${String(port)})`, () => {
      const s = w.client.connect({ port: port as number, host: w.serverAddress });
      s.on('error', () => {});
      s.destroy();
    });
  }
});

program('connect to port 0: refused, asynchronously', async (w, log) => {
  const c = connect(w, 0);
  log('c', `returned, connecting=${c.connecting}`);
  await trace(c, 'c', log);
});

program('connect through a lookup function', async (w, log) => {
  const { server, port } = await serve(w, (s) => s.end('found'));
  const c = w.client.connect({
    port,
    host: 'db.test',
    lookup: (host, opts, cb) => {
      log('c', `lookup ${host}`);
      const done = cb as (e: Error | null, a: unknown, f?: number) => void;
      if ((opts as { all?: boolean }).all) done(null, [{ address: w.serverAddress, family: 4 }]);
      else done(null, w.serverAddress, 4);
    },
  });
  await trace(c, 'c', log);
  await closeServer(server);
});

program('a lookup that fails: the error comes asynchronously', async (w, log) => {
  const c = w.client.connect({
    port: 80,
    host: 'nowhere.test',
    lookup: (_host, _opts, cb) => {
      const e = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), {
        code: 'ENOTFOUND',
      });
      (cb as (e: Error | null) => void)(e);
    },
  });
  log('c', `returned, connecting=${c.connecting}`);
  await trace(c, 'c', log);
});

program('a pipe path that does not exist: ENOENT asynchronously', async (w, log) => {
  const c = w.client.connect({ path: '/nonexistent-tcpstate/socket' });
  log('c', 'returned');
  await trace(c, 'c', log);
});

// --- servers ---------------------------------------------------------------------------------

program('server.close with no connection: close and the callback', async (w, log) => {
  const server = w.server.createServer({}, () => {});
  await listen(server, w.serverAddress);
  log('srv', `listening ${server.listening}`);
  server.on('close', () => log('srv', 'close event'));
  await new Promise<void>((r) =>
    server.close((err) => {
      log('srv', `callback ${err ? (err as NodeJS.ErrnoException).code : 'ok'}`);
      r();
    }),
  );
  log('srv', `listening ${server.listening}, address ${server.address()}`);
});

program('server.close when not running', async (w, log) => {
  const server = w.server.createServer({}, () => {});
  await new Promise<void>((r) =>
    server.close((err) => {
      log('srv', `callback ${err ? (err as NodeJS.ErrnoException).code : 'ok'}`);
      r();
    }),
  );
});

program('server.close waits for its connections', async (w, log) => {
  const accepted = signal();
  const { server, port } = await serve(w, (s) => {
    s.resume();
    s.on('close', () => log('srv', 'socket closed'));
    accepted.fire();
  });
  const c = connect(w, port);
  c.resume();
  await accepted.promise;
  const closed = new Promise<void>((r) => server.close(() => r()));
  log('srv', `listening after close(): ${server.listening}`);
  c.end();
  await closed;
  log('srv', 'server closed');
});

program('listen then close in the same tick: no listening event', async (w, log) => {
  const server = w.server.createServer({}, () => {});
  server.on('listening', () => log('srv', 'listening event'));
  server.listen(0, w.serverAddress);
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise((r) => setTimeout(r, 10));
  log('srv', 'done');
});

program('listen on a port in use: EADDRINUSE on error', async (w, log) => {
  const first = w.server.createServer({}, () => {});
  const port = await listen(first, w.serverAddress);
  const second = w.server.createServer({}, () => {});
  second.on('error', (e: NodeJS.ErrnoException) => log('srv', `error ${e.code} ${e.syscall}`));
  second.listen(port, w.serverAddress);
  await once(second, 'error');
  await closeServer(first);
});

program('listen validates the port', async (w, log) => {
  for (const port of [70000, -1, 1.5]) {
    const server = w.server.createServer({}, () => {});
    attempt('srv', log, `listen(${port})`, () => server.listen(port, w.serverAddress));
    await closeServer(server);
  }
});

program('getConnections counts open connections', async (w, log) => {
  const both = signal();
  let n = 0;
  const { server, port } = await serve(w, (s) => {
    s.resume();
    if (++n === 2) both.fire();
  });
  const a = connect(w, port);
  const b = connect(w, port);
  await both.promise;
  const count = await new Promise<number>((r) => server.getConnections((_e, k) => r(k)));
  log('srv', `connections ${count}`);
  for (const s of [a, b]) {
    s.end();
    s.resume();
  }
  await Promise.all([once(a, 'close'), once(b, 'close')]);
  await closeServer(server);
});

program('maxConnections = 1 turns the second client away', async (w, log) => {
  const first = signal();
  const { server, port } = await serve(w, (s) => {
    s.resume();
    first.fire();
  });
  server.maxConnections = 1;
  server.on('drop', () => log('srv', 'drop event'));
  const a = connect(w, port);
  a.resume();
  await first.promise;
  const b = connect(w, port);
  await trace(b, 'b', log);
  a.end();
  await once(a, 'close');
  await closeServer(server);
});

program('server.address() before and after listen', async (w, log) => {
  const server = w.server.createServer({}, () => {});
  log('srv', `before: ${server.address()}`);
  const port = await listen(server, w.serverAddress);
  const a = server.address();
  log(
    'srv',
    `after: port matches ${typeof a === 'object' && a?.port === port}, family ${typeof a === 'object' ? a?.family : a}`,
  );
  await closeServer(server);
});

program('server ref and unref return the server; unref before listen is kept', async (w, log) => {
  const server = w.server.createServer({}, () => {});
  log('srv', `unref ${server.unref() === server}`);
  await listen(server, w.serverAddress);
  log('srv', `ref ${server.ref() === server}`);
  await closeServer(server);
});

// --- more stream behaviour ------------------------------------------------------------------

program('end() with data and a callback; end() twice', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.end('last', () => log('c', 'end callback'));
  c.end();
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('an empty write is accepted and sends nothing', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  c.write('', () => log('c', 'empty write callback'));
  c.write(Buffer.alloc(0));
  c.end('x');
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('cork and uncork batch writes; writev order is kept', async (w, log) => {
  let got = '';
  const { server, port, closed } = await serveTraced(w, log, (s) => {
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
  });
  const c = connect(w, port);
  c.cork();
  c.write('a');
  c.write('b');
  c.write('c');
  process.nextTick(() => c.uncork());
  c.end('d');
  await Promise.all([trace(c, 'c', log), closed]);
  log('s', `got ${got}`);
  await closeServer(server);
});

program('read() in paused mode with readable events', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end(bytes(3000)));
  const c = connect(w, port);
  let total = 0;
  c.on('readable', () => {
    for (let chunk = c.read(); chunk !== null; chunk = c.read()) total += (chunk as Buffer).length;
  });
  c.on('end', () => log('c', `read ${total} through read()`));
  await Promise.all([once(c, 'close'), closed]);
  await closeServer(server);
});

program('setEncoding hex', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) =>
    s.end(Buffer.from([1, 2, 255])),
  );
  const c = connect(w, port);
  c.setEncoding('hex');
  let text = '';
  c.on('data', (d: string) => (text += d));
  await once(c, 'close');
  log('c', `hex ${text}`);
  await closed;
  await closeServer(server);
});

program('async iteration reads the whole stream', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log, (s) => s.end(bytes(50_000)));
  const c = connect(w, port);
  let total = 0;
  for await (const chunk of c) total += (chunk as Buffer).length;
  log('c', `iterated ${total}`);
  await closed;
  await closeServer(server);
});

program('a connect listener given to connect() runs before later listeners', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = w.client.connect({ port, host: w.serverAddress }, () => log('c', 'listener argument'));
  c.on('connect', () => log('c', 'added later'));
  c.end();
  await Promise.all([trace(c, 'c', log), closed]);
  await closeServer(server);
});

program('localPort option: the connection comes from that port', async (w, log) => {
  const seen = signal();
  let remotePort = 0;
  const { server, port } = await serve(w, (s) => {
    remotePort = s.remotePort ?? 0;
    s.resume();
    seen.fire();
  });
  const c = connect(w, port, { localPort: 47123 });
  await seen.promise;
  log('s', `peer port ${remotePort}`);
  log('c', `local port ${c.localPort}`);
  c.end();
  c.resume();
  await once(c, 'close');
  await closeServer(server);
});

program('the same local port twice: the second connect fails', async (w, log) => {
  const { server, port } = await serve(w, (s) => s.resume());
  const a = connect(w, port, { localPort: 47124 });
  await once(a, 'connect');
  const b = connect(w, port, { localPort: 47124 });
  b.on('error', (e: NodeJS.ErrnoException) => log('b', `error ${e.code} ${e.syscall}`));
  await once(b, 'close');
  a.end();
  a.resume();
  await once(a, 'close');
  await closeServer(server);
});

program('timeout is reset by activity', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  await once(c, 'connect');
  let timeouts = 0;
  c.on('timeout', () => timeouts++);
  c.setTimeout(80);
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 30));
    c.write('x');
  }
  log('c', `timeouts while writing every 30 ms: ${timeouts}`);
  c.end();
  await Promise.all([once(c, 'close'), closed]);
  await closeServer(server);
});

program('destroyed, readable and writable flags through a life', async (w, log) => {
  const { server, port, closed } = await serveTraced(w, log);
  const c = connect(w, port);
  const flags = (when: string) =>
    log('c', `${when}: destroyed=${c.destroyed} readable=${c.readable} writable=${c.writable}`);
  flags('connecting');
  await once(c, 'connect');
  flags('connected');
  c.end();
  await once(c, 'finish');
  flags('finished');
  c.resume();
  await once(c, 'close');
  flags('closed');
  await closed;
  await closeServer(server);
});

export const programs: ReadonlyArray<Program> = p;
