/**
 * Ends a `tcpstate watch` child the way a person does, with Ctrl-C (SIGINT: it prints its
 * summary and exits 0), once its output has been still for a second. Tests call it after their
 * traffic has ended, so only the tracer may still be reading; nothing here is a window chosen in
 * advance, which a loaded machine could overrun.
 */
import type { ChildProcess } from 'node:child_process';

export interface WatchChild {
  child: ChildProcess;
  /** Lines read so far from its stdout (appended as they come). */
  stdout: string[];
  exited: Promise<number | null>;
}

export async function stopWhenQuiet(w: WatchChild, quietMs = 1000): Promise<number | null> {
  let seen = -1;
  while (seen !== w.stdout.length) {
    seen = w.stdout.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
  w.child.kill('SIGINT');
  return w.exited;
}
