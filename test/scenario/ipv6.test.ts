/**
 * Scenarios over IPv6 (`family: ipv6`, `tcpstate sim --ipv6`): every built-in plays in IPv6
 * packets and tells the same story of states as over IPv4, whatever the addresses.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCRIPTS } from '../../src/scenario/builtin.js';
import { parseScenarioFile, ScenarioFileError } from '../../src/scenario/file.js';
import { ADDRESSES6 } from '../../src/scenario/runner.js';
import { stateSequence } from '../../src/scenario/story.js';
import { parseAnyTcpPacket } from '../../src/wire/packet6.js';
import { run } from './helpers.js';

/** Segments that echo a congestion mark (ECE outside the handshake's negotiation). */
const eceSegments = (story: ReturnType<typeof run>['story']) =>
  story.events.filter((e) => {
    if (e.type !== 'segment') return false;
    const flags = e.flags.split(',');
    return flags.includes('ECE') && !flags.includes('SYN');
  }).length;

describe('built-in scenarios over IPv6', () => {
  for (const script of BUILTIN_SCRIPTS) {
    it(`${script.name}: IPv6 packets, the same states and streams as over IPv4`, () => {
      const v4 = run(script, 1);
      const v6 = run(script, 1, { family: 'ipv6' });
      expect(v6.packets.length).toBeGreaterThan(0);
      for (const p of v6.packets) expect(p.bytes[0] >> 4).toBe(6);
      for (const side of ['a', 'b'] as const) {
        expect(stateSequence(v6.story, side)).toEqual(stateSequence(v4.story, side));
      }
      expect(v6.story.final).toEqual(v4.story.final);
      // CE marks reach the IPv6 traffic class as they reach IPv4's TOS byte (the ecn scenario).
      expect(eceSegments(v6.story)).toBe(eceSegments(v4.story));
      expect(v6.story.streams['a->b'].received).toBe(v4.story.streams['a->b'].received);
      expect(v6.story.streams['b->a'].received).toBe(v4.story.streams['b->a'].received);
      const conn = v6.story.events.find((e) => e.type === 'state');
      if (conn?.type === 'state') {
        expect([ADDRESSES6.a, ADDRESSES6.b]).toContain(conn.connection.local.address);
      }
    });
  }

  it('the ecn scenario echoes congestion marks over IPv6 too', () => {
    const ecn = BUILTIN_SCRIPTS.find((s) => s.name === 'ecn');
    if (ecn === undefined) throw new Error('no ecn scenario');
    expect(eceSegments(run(ecn, 1, { family: 'ipv6' }).story)).toBeGreaterThan(0);
  });

  it('offers MSS 1440 in its SYNs (1500-byte MTU less 60 bytes of headers)', () => {
    const handshake = BUILTIN_SCRIPTS.find((s) => s.name === 'handshake');
    if (handshake === undefined) throw new Error('no handshake scenario');
    const syn = run(handshake, 1, { family: 'ipv6' }).packets[0];
    const parsed = parseAnyTcpPacket(syn.bytes);
    expect(parsed.ok && parsed.value.tcp.options.find((o) => o.kind === 'mss')).toEqual({
      kind: 'mss',
      value: 1440,
    });
  });
});

describe('family: in scenario files', () => {
  const steps = 'steps:\n  - b: listen\n  - a: connect\n  - wait: { a: ESTABLISHED }\n';

  it('reads family: ipv6 and plays it over IPv6', () => {
    const script = parseScenarioFile(`family: ipv6\n${steps}`, 'six.yaml');
    expect(script.family).toBe('ipv6');
    const result = run(script);
    expect(result.story.final.a).toBe('ESTABLISHED');
    expect(result.packets.every((p) => p.bytes[0] >> 4 === 6)).toBe(true);
  });

  it('refuses another family, saying which are known', () => {
    expect(() => parseScenarioFile(`family: ipx\n${steps}`, 'bad.yaml')).toThrow(ScenarioFileError);
    expect(() => parseScenarioFile(`family: ipx\n${steps}`, 'bad.yaml')).toThrow(/ipv4 or ipv6/);
  });
});
