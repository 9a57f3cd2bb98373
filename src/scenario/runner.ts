/**
 * Plays a scenario script with two endpoints, `a` (10.0.0.1) and `b` (10.0.0.2), each a Stack,
 * on the simulated network, in virtual time, and tells the story (story.ts) with the packets
 * beside it. Deterministic: the same script and seed give the same story, byte for byte.
 *
 * The applications are simple: they accept every connection, read everything as it arrives,
 * write what the script says (more as the send buffer frees up), and close or shut down only
 * after everything they wrote was handed to TCP, as a blocking write() then close() would.
 */
import { createHash, type Hash } from 'node:crypto';
import type { StackConnection as Connection, Listener, Stack } from '../stack/stack.js';
import type { TcpState } from '../state/states.js';
import type { ConnectionConfig } from '../tcp/types.js';
import { TcpUsageError } from '../tcp/types.js';
import { SeededRng } from '../util/rng.js';
import { applyOverrides, type Call, type Script, type ScriptOverrides } from './script.js';
import type { CapturedPacket, Side, Story, StoryEvent, StreamSummary } from './story.js';
import { createWire, type Wire } from './wire-link.js';

export const ADDRESSES: Record<Side, string> = { a: '10.0.0.1', b: '10.0.0.2' };

export interface RunOptions {
  seed: number;
  overrides?: ScriptOverrides;
  /** Creates each side's stack; the runner passes the options a Stack takes. */
  makeStack: (opts: ConstructorParameters<typeof Stack>[0]) => Stack;
  /** Hard bounds, whatever the script says (defaults: 1 hour of virtual time, 2 million steps). */
  maxTime?: number;
  maxSteps?: number;
}

export interface RunResult {
  story: Story;
  packets: CapturedPacket[];
  /**
   * Why it stopped: the script finished and settled; it waited for a state that nothing could
   * bring any more (`stuck`); or a bound was hit.
   */
  ended: 'settled' | 'stuck' | 'time-limit' | 'step-limit';
}

class App {
  readonly conns: Connection[] = [];
  readonly listeners = new Map<number, Listener>();
  /** Bytes still to hand to TCP, then an optional shutdown/close to do after them. */
  pending = 0;
  pendingText: Uint8Array | undefined;
  after: 'close' | 'shutdown' | undefined;
  sent = 0;
  received = 0;
  readonly sentHash: Hash = createHash('sha256');
  readonly receivedHash: Hash = createHash('sha256');
  state: TcpState | undefined;

  constructor(
    readonly side: Side,
    readonly stack: Stack,
  ) {}

  get current(): Connection | undefined {
    return this.conns[this.conns.length - 1];
  }
}

/** The byte at `offset` of a side's deterministic stream (text sends use the text instead). */
function patternByte(side: Side, offset: number): number {
  return side === 'a' ? (offset * 7 + 3) & 0xff : (offset * 13 + 5) & 0xff;
}

export function runScenario(base: Script, opts: RunOptions): RunResult {
  const script = applyOverrides(base, opts.overrides ?? {});
  const rng = new SeededRng(opts.seed);
  const config = (side: Side): Partial<ConnectionConfig> => ({
    ...(script.mss === undefined ? {} : { mss: script.mss }),
    ...(script.synRetries === undefined ? {} : { synRetries: script.synRetries }),
    ...(side === 'a' && script.keepalive
      ? { keepalive: { enabled: true, ...script.keepalive } }
      : {}),
    ...(side === 'a' && script.userTimeout !== undefined
      ? { userTimeout: script.userTimeout }
      : {}),
  });
  const apps: Record<Side, App> = {
    a: new App('a', opts.makeStack({ address: ADDRESSES.a, rng: rng.fork(), config: config('a') })),
    b: new App('b', opts.makeStack({ address: ADDRESSES.b, rng: rng.fork(), config: config('b') })),
  };
  const events: StoryEvent[] = [];
  const packets: CapturedPacket[] = [];
  const wire: Wire = createWire(script.network, rng.fork(), (e) => events.push(e), packets);
  const maxTime = opts.maxTime ?? 3_600_000;
  const maxSteps = opts.maxSteps ?? 2_000_000;

  let now = 0;
  let stepIndex = 0;
  let resumeAt: number | undefined;
  let settleUntil: number | undefined;
  let steps = 0;
  let ended: RunResult['ended'] = 'settled';

  const note = (text: string, side?: Side) =>
    events.push(side ? { type: 'note', t: now, side, text } : { type: 'note', t: now, text });

  const sideOf = (address: string): Side | undefined =>
    address === ADDRESSES.a ? 'a' : address === ADDRESSES.b ? 'b' : undefined;

  const flush = (app: App) => {
    const conn = app.current;
    if (!conn) return;
    while (app.pending > 0) {
      const size = Math.min(app.pending, 65536);
      const chunk = app.pendingText
        ? app.pendingText.subarray(
            app.pendingText.length - app.pending,
            app.pendingText.length - app.pending + size,
          )
        : Uint8Array.from({ length: size }, (_, i) => patternByte(app.side, app.sent + i));
      let taken: number;
      try {
        taken = conn.send(chunk);
      } catch (err) {
        if (!(err instanceof TcpUsageError)) throw err;
        note(`send() failed: ${err.code}`, app.side);
        app.pending = 0;
        break;
      }
      if (taken <= 0) return;
      app.sentHash.update(chunk.subarray(0, taken));
      app.sent += taken;
      app.pending -= taken;
    }
    app.pendingText = undefined;
    if (app.after) {
      const what = app.after;
      app.after = undefined;
      userCall(app, what === 'close' ? { call: 'close' } : { call: 'shutdown' });
    }
  };

  const userCall = (app: App, c: Call) => {
    const conn = app.current;
    try {
      switch (c.call) {
        case 'listen': {
          const port = c.port ?? script.port;
          app.listeners.set(port, app.stack.listen(port));
          note(`listen(${port})`, app.side);
          app.state = 'LISTEN';
          return;
        }
        case 'connect': {
          const other = app.side === 'a' ? 'b' : 'a';
          const remote = { address: ADDRESSES[other], port: c.port ?? script.port };
          const localPort = c.localPort;
          app.conns.push(
            app.stack.connect(now, remote, localPort === undefined ? {} : { localPort }),
          );
          return;
        }
        case 'send':
          if (!conn) return note('send(): no connection', app.side);
          app.pending += c.bytes;
          app.pendingText = c.text === undefined ? undefined : new TextEncoder().encode(c.text);
          note(`send(${c.bytes} bytes)`, app.side);
          flush(app);
          return;
        case 'shutdown':
        case 'close':
          if (!conn) return note(`${c.call}(): no connection`, app.side);
          if (app.pending > 0) {
            app.after = c.call;
            return;
          }
          if (c.call === 'close') conn.close(now);
          else conn.shutdown(now);
          return;
        case 'abort':
          if (!conn) return note('abort(): no connection', app.side);
          conn.abort(now);
          return;
      }
    } catch (err) {
      if (!(err instanceof TcpUsageError)) throw err;
      note(`${c.call}() failed: ${err.code}`, app.side);
    }
  };

  /** Moves everything the stacks want to say: packets onto the wire, events into the story. */
  const drain = () => {
    for (let busy = true; busy; ) {
      busy = false;
      for (const app of [apps.a, apps.b]) {
        for (let p = app.stack.pollTransmit(now); p; p = app.stack.pollTransmit(now)) {
          wire.send(now, app.side, p);
          busy = true;
        }
        for (let e = app.stack.pollEvent(); e; e = app.stack.pollEvent()) {
          busy = true;
          if (e.type === 'transition') {
            const side = sideOf(e.event.connection.local.address) ?? app.side;
            const { from, to, cause } = e.event;
            events.push({ type: 'state', t: now, side, from, to, cause });
            apps[side].state = to;
          } else if (e.type === 'acceptable') {
            const listener = app.listeners.get(e.port);
            for (let c = listener?.accept(); c; c = listener?.accept()) app.conns.push(c);
          } else if (e.type === 'readable') {
            for (let data = e.conn.read(); data.length > 0; data = e.conn.read()) {
              app.receivedHash.update(data);
              app.received += data.length;
            }
          }
        }
        if (app.pending > 0 || app.after) {
          const before = app.pending;
          flush(app);
          if (app.pending !== before) busy = true;
        }
      }
    }
  };

  const stepReady = (): boolean => {
    const s = script.steps[stepIndex];
    if (s === undefined) return false;
    if ('wait' in s) {
      if (resumeAt === undefined) resumeAt = now + s.wait;
      if (now < resumeAt) return false;
      resumeAt = undefined;
      return true;
    }
    if ('waitFor' in s) return apps[s.waitFor.side].state === s.waitFor.state;
    return true;
  };

  const runStep = () => {
    const s = script.steps[stepIndex++];
    if (s === undefined || 'wait' in s || 'waitFor' in s) return;
    if ('side' in s) userCall(apps[s.side], s);
    else if ('faults' in s) {
      wire.setFaults(s.direction, s.faults);
      note(`network ${s.direction}: ${JSON.stringify(s.faults).replace(/["{}]/g, '')}`);
    } else if ('partition' in s) {
      wire.partition(s.partition, true);
      note(`link cut (${s.partition})`);
    } else if ('heal' in s) {
      wire.partition(s.heal, false);
      note(`link healed (${s.heal})`);
    } else if ('drop' in s) {
      wire.dropNext(s.drop.from, s.drop.flags, s.drop.count);
    }
  };

  for (;;) {
    drain();
    while (stepReady()) {
      runStep();
      drain();
    }
    if (stepIndex >= script.steps.length && settleUntil === undefined)
      settleUntil = now + script.settle;
    const waitingFor = script.steps[stepIndex];
    const deadlines = [
      wire.nextDelivery(),
      apps.a.stack.pollTimeout(),
      apps.b.stack.pollTimeout(),
      resumeAt,
      waitingFor && 'wait' in waitingFor ? now + waitingFor.wait : undefined,
    ].filter((t): t is number => t !== undefined);
    const next = deadlines.length > 0 ? Math.max(now, Math.min(...deadlines)) : undefined;
    // Nothing left to happen, or the script is done and the settling time has passed.
    if (next === undefined) {
      if (stepIndex < script.steps.length) ended = 'stuck';
      break;
    }
    if (settleUntil !== undefined && next > settleUntil) break;
    if (next > maxTime) {
      ended = 'time-limit';
      break;
    }
    if (++steps > maxSteps) {
      ended = 'step-limit';
      break;
    }
    now = next;
    for (const { to, bytes } of wire.deliverDue(now)) apps[to].stack.handlePacket(now, bytes);
    for (const app of [apps.a, apps.b]) {
      const t = app.stack.pollTimeout();
      if (t !== undefined && t <= now) app.stack.handleTimeout(now);
    }
  }

  const summary = (from: App, to: App): StreamSummary => ({
    sent: from.sent,
    received: to.received,
    sha256Sent: from.sentHash.digest('hex'),
    sha256Received: to.receivedHash.digest('hex'),
  });
  const finalState = (app: App): TcpState => app.current?.state ?? app.state ?? 'CLOSED';
  return {
    story: {
      scenario: script.name,
      seed: opts.seed,
      events,
      final: { a: finalState(apps.a), b: finalState(apps.b) },
      streams: { 'a->b': summary(apps.a, apps.b), 'b->a': summary(apps.b, apps.a) },
    },
    packets,
    ended,
  };
}
