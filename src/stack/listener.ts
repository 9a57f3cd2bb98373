/**
 * A listening port of a Stack: its SYN queue (handshakes in progress) and its accept queue
 * (established connections not yet accepted), as Linux keeps them.
 */
import type { ConnectionConfig } from '../tcp/types.js';
import type { StackConnection } from './stack-connection.js';

export interface Listener {
  readonly port: number;
  readonly backlog: number;
  /** Takes the next established connection from the accept queue. */
  accept(): StackConnection | undefined;
  /** Connections waiting in the accept queue. */
  readonly acceptQueueLength: number;
  /** Handshakes in progress (SYN_RECV children). */
  readonly synQueueLength?: number;
  /** Stops listening; queued connections not yet accepted are reset. */
  close(now: number): void;
}

export class ListenerImpl implements Listener {
  readonly acceptQueue: StackConnection[] = [];
  readonly synQueue = new Set<StackConnection>();
  open = true;

  constructor(
    private readonly onClose: (now: number, listener: ListenerImpl) => void,
    readonly port: number,
    readonly backlog: number,
    readonly config: Partial<ConnectionConfig> | undefined,
  ) {}

  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  get synQueueLength(): number {
    return this.synQueue.size;
  }

  accept(): StackConnection | undefined {
    const entry = this.acceptQueue.shift();
    if (entry === undefined) return undefined;
    entry.listener = undefined;
    entry.queued = false;
    return entry;
  }

  close(now: number): void {
    if (!this.open) return;
    this.open = false;
    this.onClose(now, this);
  }
}
