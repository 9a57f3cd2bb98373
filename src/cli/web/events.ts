/**
 * `GET /api/events`: the kernel's TCP transitions as server-sent events, each `data:` line the
 * JSON line `tcpstate watch --json` prints (a transition, or `seen` for a socket polling found
 * already in some state). Named events around them: `hello` ({source}: tracefs or poll) once
 * the feed runs, `note` ({note}) for what the user should know, `failure` ({error}) when this
 * host cannot be watched (the stream then stays open, quiet, so the browser does not retry).
 *
 * Each client gets a feed of its own (a poll's first `seen` lines are then its own too); it
 * stops when the client goes away or the server stops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './http.js';
import { openTransitionFeed, type TransitionFeed } from './transitions.js';

/** A comment line now and then keeps proxies and idle timeouts from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** How long the browser waits before reconnecting after the stream dropped. */
const RETRY_MS = 3000;

export class EventStreams {
  private readonly open = new Set<() => Promise<void>>();

  serve(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      ...SECURITY_HEADERS,
    });
    const write = (event: string | undefined, data: unknown): void => {
      if (res.writableEnded) return;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    };
    res.write(`retry: ${RETRY_MS}\n\n`);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    let feed: TransitionFeed | undefined;
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(close);
      await feed?.stop();
      res.end();
    };
    this.open.add(close);
    req.once('close', () => void close());
    openTransitionFeed({
      onEvent: (line) => write(undefined, line),
      onNote: (note) => write('note', { note }),
    }).then(
      (started) => {
        feed = started;
        if (closed) void started.stop();
        else write('hello', { source: started.source });
      },
      (err: Error) => write('failure', { error: err.message }),
    );
  }

  /** Ends every stream and its feed (undoing tracing changes); resolves when all are done. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((close) => close()));
  }
}
