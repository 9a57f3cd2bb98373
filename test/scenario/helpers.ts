import { type RunResult, runScenario } from '../../src/scenario/runner.js';
import type { Script, ScriptOverrides } from '../../src/scenario/script.js';
import type { Side, Story } from '../../src/scenario/story.js';
import * as stackModule from '../../src/stack/stack.js';

/** The Stack class, once src/stack implements the contract (its skeleton only declares it). */
const StackClass = (stackModule as { Stack?: typeof stackModule.Stack }).Stack;
export const haveStack = typeof StackClass === 'function';

export function run(
  script: Script,
  seed = 1,
  overrides: ScriptOverrides = {},
  bounds: { maxTime?: number } = {},
): RunResult {
  if (!StackClass) throw new Error('no Stack in this build');
  const Stack = StackClass;
  return runScenario(script, { seed, overrides, ...bounds, makeStack: (o) => new Stack(o) });
}

/** Each state change of one side as "FROM>TO (cause)". */
export function changes(story: Story, side: Side): string[] {
  return story.events.flatMap((e) =>
    e.type === 'state' && e.side === side ? [`${e.from}>${e.to} (${e.cause})`] : [],
  );
}

export function segmentsFrom(story: Story, side: Side, flag: string) {
  return story.events.filter(
    (e) => e.type === 'segment' && e.from === side && e.flags.split(',').includes(flag),
  );
}
