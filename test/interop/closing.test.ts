/**
 * Who closes first, simultaneous close and resets, each side's transitions checked against the
 * other's: ours from `--trace`, the kernel's from tracefs (sock/inet_sock_set_state). RFC 9293
 * 3.6 predicts mirror pairs: the side that closes first goes FIN_WAIT1, FIN_WAIT2, TIME_WAIT
 * while the other goes CLOSE_WAIT, LAST_ACK, CLOSED; a simultaneous close takes both through
 * CLOSING to TIME_WAIT.
 *
 * The kernel's tracepoint reports the end of the full socket when TIME_WAIT starts (a timewait
 * socket replaces it), so the kernel's "FIN_WAIT2 -> CLOSED" and "CLOSING -> CLOSED" mean
 * TIME_WAIT; `kernelStates` writes them as such (as it does FIN_WAIT1 -> CLOSED outside the
 * reset scenarios: FIN and ACK arrived together). Its CLOSED -> SYN_SENT event carries port 0
 * (before the port is bound) and so falls outside the connection's 4-tuple.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TcpState } from '../../src/state/states.js';
import { expertVerdict, oursFor, Scenario } from './harness.js';
import { KernelTrace, type KernelTransition, whyNoTracefs } from './kernel-trace.js';
import { missingTools, whyNoNetns } from './netns.js';

const why = whyNoNetns() ?? missingTools('python3', 'tcpdump', 'tshark') ?? whyNoTracefs();

const TIME_WAIT_FROM = new Set<TcpState>(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING']);

function kernelStates(
  kernel: KernelTransition[],
  local: string,
  remote: string,
  resets: boolean,
): TcpState[] {
  return kernel
    .filter((k) => k.local === local && k.remote === remote)
    .map((k) => (k.to === 'CLOSED' && TIME_WAIT_FROM.has(k.from) && !resets ? 'TIME_WAIT' : k.to));
}

/** A python client in the namespace; prints its local "ip:port" first. */
function pyClient(
  sc: Scenario,
  port: number,
  body: string,
): { local: string; out: string; status: number | null } {
  const script = `
import socket, struct, sys, time
s = socket.create_connection(('${sc.ours}', ${port}))
print('%s:%d' % s.getsockname(), flush=True)
${body}
`;
  const r = sc.run('python3', ['-c', script], { timeoutMs: 30_000 });
  const [local, ...rest] = r.stdout.toString().split('\n');
  return { local, out: rest.join('\n') + r.stderr, status: r.status };
}

describe.skipIf(why !== undefined)(
  `closing orders and resets, ours vs the kernel’s transitions${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let sc: Scenario;
    let trace: KernelTrace;
    let kernel: KernelTransition[] = [];
    const cases: Array<{ name: string; local: string; port: number }> = [];

    beforeAll(async () => {
      sc = new Scenario('close');
      trace = KernelTrace.start('close');
      // 300 ms each way (in our link: this kernel may lack netem) leaves room to time a
      // simultaneous close.
      await sc.start(
        ['http:80', 'close:81', 'reset:82'],
        ['--close-after', '800', '--delay', '300'],
      );
    }, 30_000);
    afterAll(async () => {
      try {
        if (kernel.length === 0) trace?.stop(sc.subnet);
      } catch {
        // already stopped
      }
      await sc?.dispose();
    });

    it('runs the scenarios', () => {
      // 1. The kernel closes first: curl's connection is kept alive by Node's http server and
      //    closed by curl when it exits.
      const c1 = pyClient(
        sc,
        80,
        `
s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
time.sleep(0.3)
s.recv(65536)
s.close()
time.sleep(0.3)
`,
      );
      cases.push({ name: 'kernel closes first', local: c1.local, port: 80 });

      // 2. We close first: "Connection: close" makes Node's http server end the socket.
      const c2 = pyClient(
        sc,
        80,
        `
s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')
while s.recv(65536): pass
time.sleep(0.3)
s.close()
`,
      );
      cases.push({ name: 'we close first', local: c2.local, port: 80 });

      // 3. Simultaneous close, with D = 300 ms each way: we accept D after the kernel's connect()
      //    returns and send our FIN C = 800 ms later; the kernel sends its FIN S = 1100 ms after
      //    connect() returns. They cross when C < S < C + 2D: 300 ms of margin either side.
      const c3 = pyClient(
        sc,
        81,
        `
time.sleep(1.1)
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
time.sleep(1.0)
s.close()
`,
      );
      cases.push({ name: 'simultaneous close', local: c3.local, port: 81 });

      // 4. The kernel resets: SO_LINGER with a zero timeout makes close() send RST.
      const c4 = pyClient(
        sc,
        80,
        `
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
time.sleep(0.2)
s.close()
time.sleep(0.3)
`,
      );
      cases.push({ name: 'kernel resets', local: c4.local, port: 80 });

      // 5. We reset: our reset:82 server answers the first byte with RST.
      const c5 = pyClient(
        sc,
        82,
        `
s.sendall(b'x')
try:
    s.recv(10)
    print('no reset')
except ConnectionResetError:
    print('ECONNRESET')
`,
      );
      expect(c5.out).toContain('ECONNRESET');
      cases.push({ name: 'we reset', local: c5.local, port: 82 });
      kernel = trace.stop(sc.subnet);
      expect(kernel.length).toBeGreaterThan(0);
    }, 60_000);

    it('mirror pairs: each side’s transitions are the ones RFC 9293 predicts for the other’s', async () => {
      const ours = await sc.stop();
      const got: Record<string, { ours: string[]; kernel: string[] }> = {};
      for (const c of cases) {
        const remote = `${sc.ours}:${c.port}`;
        got[c.name] = {
          ours: oursFor(ours, remote, c.local),
          kernel: kernelStates(kernel, c.local, remote, c.name.includes('reset')),
        };
      }
      // Where RFC 9293 allows two paths (FIN_WAIT1 -> TIME_WAIT when the FIN arrives with the
      // ACK of ours, e.g. because the peer delayed its ACK and closed at once), both are listed.
      const allowed: Record<string, { ours: string[][]; kernel: string[][] }> = {
        'kernel closes first': {
          ours: [['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']],
          kernel: [
            ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT'],
            ['ESTABLISHED', 'FIN_WAIT1', 'TIME_WAIT'],
          ],
        },
        'we close first': {
          ours: [
            ['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT'],
            ['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'TIME_WAIT'],
          ],
          kernel: [['ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']],
        },
        'simultaneous close': {
          ours: [['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT']],
          kernel: [['ESTABLISHED', 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT']],
        },
        'kernel resets': {
          ours: [['SYN_RECV', 'ESTABLISHED', 'CLOSED']],
          kernel: [['ESTABLISHED', 'CLOSED']],
        },
        'we reset': {
          ours: [['SYN_RECV', 'ESTABLISHED', 'CLOSED']],
          kernel: [['ESTABLISHED', 'CLOSED']],
        },
      };
      for (const [name, { ours: o, kernel: k }] of Object.entries(got)) {
        console.log(`${name}: ours ${o.join(' > ')} | kernel ${k.join(' > ')}`);
        expect(allowed[name].ours, `${name}: ours`).toContainEqual(o);
        expect(allowed[name].kernel, `${name}: kernel`).toContainEqual(k);
      }
      const causes = ours.filter((t) => t.to === 'CLOSED').map((t) => t.cause);
      expect(causes.length).toBeGreaterThanOrEqual(3);
    }, 30_000);

    it('the capture has no TCP error in tshark’s expert analysis', () => {
      const v = expertVerdict(sc.capturePath);
      if (v.warnings.length) console.log(`tshark warnings (closing): ${v.warnings.join('; ')}`);
      expect(v.tcpErrors).toEqual([]);
    });
  },
);
