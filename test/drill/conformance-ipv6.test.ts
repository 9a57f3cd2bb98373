/**
 * The IPv6 twin of FreeBSD's state-event-engine suite (../shared/conformance, 307 scripts with
 * `--ip_version=ipv6`), pinned as the IPv4 run is (conformance.test.ts): every script runs, the
 * failures are exactly the IPv4 ones' counterparts (known-failures.ts), in IPv6 packets whose
 * SYNs offer the IPv6 MSS (1440 on a 1500-byte MTU).
 */
import { describe, expect, it } from 'vitest';
import { runScriptText } from '../../src/drill/run.js';
import { parseAnyTcpPacket } from '../../src/wire/packet6.js';
import { countLine, playSuite } from './freebsd-suite.js';
import { KNOWN_FAILURES_IPV6 } from './known-failures.js';

const { suite, present, files, read, reports, summary } = playSuite('state-event-engine-ipv6');

describe.skipIf(!present)(`FreeBSD state-event-engine IPv6 suite (${suite})`, () => {
  console.log(
    `conformance (FreeBSD state-event-engine IPv6, STANDARD branches): ${countLine(summary, files.length)}`,
  );

  it('has its 307 IPv6 scripts', () => {
    expect(files).toHaveLength(307);
  });

  it('runs every script: nothing unsupported', () => {
    const unsupported = reports.filter((r) => r.result.outcome.status === 'unsupported');
    expect(unsupported.map((r) => `${r.file}: ${JSON.stringify(r.result.outcome)}`)).toEqual([]);
  });

  it('fails exactly the IPv4 run known failures, in their IPv6 form (296 pass)', () => {
    const failed = reports.filter((r) => r.result.outcome.status === 'fail').map((r) => r.file);
    expect(failed).toEqual(Object.keys(KNOWN_FAILURES_IPV6).sort());
    expect(summary.passed).toBe(files.length - failed.length);
  });

  it('plays them in IPv6 packets, the SYNs offering MSS 1440', () => {
    let syns = 0;
    for (const { result } of reports) {
      for (const p of result.packets) {
        const parsed = parseAnyTcpPacket(p.bytes);
        expect(parsed.ok && parsed.value.version).toBe(6);
        if (!parsed.ok || !parsed.value.tcp.flags.syn) continue;
        const mss = parsed.value.tcp.options.find((o) => o.kind === 'mss');
        if (mss?.kind === 'mss' && mss.value === 1440) syns++;
      }
    }
    expect(syns).toBeGreaterThan(300);
  });

  it('played for its FreeBSD branches (-D FreeBSD) fails only where RFC 9293 wants an RST', () => {
    const freebsd = new Set(['FreeBSD']);
    const failed = files.filter(
      (f) => runScriptText(read(f), { defines: freebsd }).outcome.status !== 'pass',
    );
    expect(failed).toEqual(
      Object.keys(KNOWN_FAILURES_IPV6).filter((f) => f.startsWith('rcv-syn-ack-listen/')),
    );
  });
});
