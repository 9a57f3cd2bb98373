import { describe, expect, it } from 'vitest';
import { type TransitionEvent, transitionJson } from '../../src/state/events.js';

describe('transitionJson: the one JSON form of a transition', () => {
  const event: TransitionEvent = {
    time: 1234.5,
    connection: {
      local: { address: '10.0.0.1', port: 40000 },
      remote: { address: '10.0.0.2', port: 80 },
    },
    from: 'ESTABLISHED',
    to: 'FIN_WAIT1',
    cause: 'close()',
  };

  it('names the endpoints as objects and keeps the cause', () => {
    expect(transitionJson(event)).toEqual({
      type: 'transition',
      time: 1234.5,
      local: { address: '10.0.0.1', port: 40000 },
      remote: { address: '10.0.0.2', port: 80 },
      from: 'ESTABLISHED',
      to: 'FIN_WAIT1',
      cause: 'close()',
    });
  });

  it('writes side only when the source has one, and no cause the source did not know', () => {
    const { cause: _, ...noCause } = event;
    const j = transitionJson({ ...noCause, side: 'a' });
    expect(j.side).toBe('a');
    expect('cause' in j).toBe(false);
    expect('side' in transitionJson(event)).toBe(false);
  });

  it('copies the endpoints: changing the event later does not change the JSON', () => {
    const copy = structuredClone(event);
    const j = transitionJson(copy);
    copy.connection.local.port = 1;
    expect(j.local.port).toBe(40000);
  });
});
