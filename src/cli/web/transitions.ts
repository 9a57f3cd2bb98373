/**
 * The kernel's transitions for the web page: the one place `tcpstate web` meets the watch API
 * of host/kernel (the same tracer as `tcpstate watch`, tracefs as root, else polling /proc),
 * giving each event as the line `watch --json` prints. Should that API change, this file is
 * the one to adjust.
 */
import { HostError } from '../../host/errors.js';
import { startWatch, TraceUnavailableError } from '../../host/kernel/watch.js';
import type { WatchSource } from '../../host/watch-tracker.js';
import { type WatchEventJson, watchEventJson } from '../../host/watch-view.js';

export interface TransitionFeed {
  readonly source: WatchSource;
  /** Stops reading and undoes every tracing change. */
  stop(): Promise<void>;
}

export interface FeedHandlers {
  onEvent: (line: WatchEventJson) => void;
  /** Things the user should know once (the fallback to polling and its limits). */
  onNote: (note: string) => void;
}

/** Starts a feed; a host that cannot be watched rejects with a one-line FeedError. */
export async function openTransitionFeed(handlers: FeedHandlers): Promise<TransitionFeed> {
  try {
    const session = await startWatch({
      source: 'auto',
      onEvent: (event, source) => handlers.onEvent(watchEventJson(event, source)),
      onNote: handlers.onNote,
    });
    return { source: session.source, stop: () => session.stop() };
  } catch (err) {
    if (err instanceof TraceUnavailableError || err instanceof HostError) {
      throw new FeedError(err.message);
    }
    throw err;
  }
}

export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}
