/**
 * The driver's contract with a sans-IO stack, checked with a scripted test double (the real
 * stack is exercised by socket.test.ts and the interop suite): input then one flush, output in
 * one batch, events to listeners, one timer at pollTimeout() with handleTimeout when due.
 */
import { describe, expect, it } from 'vitest';
import { StackDriver } from '../../src/net/driver.js';
import type { Stack, StackEvent } from '../../src/stack/stack.js';

class ScriptedStack {
  readonly calls: string[] = [];
  out: Uint8Array[] = [];
  events: StackEvent[] = [];
  deadline: number | undefined;
  handlePacket(now: number, p: Uint8Array): void {
    this.calls.push(`packet ${p[0]} @${now >= 0}`);
    this.out.push(new Uint8Array([p[0] + 100]));
  }
  pollTransmit(): Uint8Array | undefined {
    return this.out.shift();
  }
  pollEvent(): StackEvent | undefined {
    return this.events.shift();
  }
  pollTimeout(): number | undefined {
    return this.deadline;
  }
  handleTimeout(now: number): void {
    this.calls.push(`timeout ${now >= (this.deadline ?? Infinity)}`);
    this.deadline = undefined;
    this.out.push(new Uint8Array([42]));
  }
}

function setup(clock?: () => number) {
  const stack = new ScriptedStack();
  const batches: number[][] = [];
  const driver = new StackDriver(stack as unknown as Stack, {
    transmit: (packets) => batches.push(packets.map((p) => p[0])),
    clock,
  });
  return { stack, batches, driver };
}

describe('StackDriver', () => {
  it('feeds a read batch, then sends all output as one batch', () => {
    const { stack, batches, driver } = setup();
    driver.receive([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    expect(stack.calls).toEqual(['packet 1 @true', 'packet 2 @true', 'packet 3 @true']);
    expect(batches).toEqual([[101, 102, 103]]);
    expect(driver.packetsIn).toBe(3);
    expect(driver.packetsOut).toBe(3);
    driver.stop();
  });

  it('delivers stack events to listeners and runs hooks, whose output joins the batch', () => {
    const { stack, batches, driver } = setup();
    const seen: string[] = [];
    driver.onEvent((e) => seen.push(e.type));
    driver.addHook(() => {
      if (seen.length === 1 && stack.out.length === 0 && batches.length === 0) {
        stack.out.push(new Uint8Array([7]));
      }
    });
    stack.events.push({ type: 'acceptable', port: 80 });
    driver.receive([new Uint8Array([1])]);
    expect(seen).toEqual(['acceptable']);
    expect(batches).toEqual([[101, 7]]);
    driver.stop();
  });

  it('coalesces schedule() calls of one tick into one flush', async () => {
    const { stack, batches, driver } = setup();
    stack.out.push(new Uint8Array([5]));
    driver.schedule();
    driver.schedule();
    stack.out.push(new Uint8Array([6]));
    driver.schedule();
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toEqual([[5, 6]]);
    driver.stop();
  });

  it('arms one timer for pollTimeout() and calls handleTimeout when it is due', async () => {
    const { stack, batches, driver } = setup();
    stack.deadline = performance.now() + 30;
    driver.flush();
    await new Promise((r) => setTimeout(r, 80));
    expect(stack.calls).toEqual(['timeout true']);
    expect(batches).toEqual([[42]]);
    driver.stop();
  });

  it('does nothing after stop()', async () => {
    const { stack, batches, driver } = setup();
    stack.deadline = performance.now() + 10;
    driver.flush();
    driver.stop();
    driver.receive([new Uint8Array([1])]);
    await new Promise((r) => setTimeout(r, 40));
    expect(stack.calls).toEqual([]);
    expect(batches).toEqual([]);
  });
});
