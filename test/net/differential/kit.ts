/**
 * Small tools for differential programs: what a socket or server did, as text, per role.
 * Only what both worlds must agree on is logged (events, byte totals, error codes), never
 * addresses, ports or chunk sizes, which differ by design.
 */
import type { Server, Socket } from 'node:net';

export type Log = (role: string, entry: string) => void;

export interface TraceOptions {
  /** Attach a 'data' listener (flowing mode) and report the bytes read at 'end'. */
  data?: boolean;
  /** Also log 'drain' events. */
  drain?: boolean;
}

function codeOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

/** Logs the socket's events; resolves on 'close'. */
export function trace(
  sock: Socket,
  role: string,
  log: Log,
  opts: TraceOptions = {},
): Promise<void> {
  const data = opts.data ?? true;
  let bytes = 0;
  if (data) sock.on('data', (c: Buffer | string) => (bytes += c.length));
  for (const e of ['connect', 'ready', 'finish', 'timeout']) sock.on(e, () => log(role, e));
  if (opts.drain) sock.on('drain', () => log(role, 'drain'));
  sock.on('end', () => log(role, data ? `end read=${bytes}` : 'end'));
  sock.on('error', (err) => log(role, `error ${codeOf(err)}`));
  return new Promise((resolve) =>
    sock.once('close', (hadError: boolean) => {
      log(role, `close hadError=${hadError}`);
      resolve();
    }),
  );
}

/** Listens on an ephemeral port of `host`; resolves with the port. */
export function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : -1);
    });
  });
}

/** Closes a server and waits for its 'close'. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/** Runs `f` and logs what it threw (its code), or `ok`. */
export function attempt(role: string, log: Log, what: string, f: () => unknown): void {
  try {
    f();
    log(role, `${what}: ok`);
  } catch (e) {
    log(role, `${what}: ${(e as Error).name} ${codeOf(e)}`);
  }
}

/** A promise and its resolver, for one role to signal another. */
export function signal(): { promise: Promise<void>; fire(): void } {
  let fire = () => {};
  const promise = new Promise<void>((r) => {
    fire = r;
  });
  return { promise, fire };
}

export function once(emitter: NodeJS.EventEmitter, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}

export function bytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}
