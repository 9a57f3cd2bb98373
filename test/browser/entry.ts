/**
 * Runs inside headless Chromium (bundled by esbuild in browser.test.ts): proves the pure layers
 * (state, wire, tcp, stack, link/sim, drill) load and work in a browser, with no Node built-ins
 * — a whole connection over the simulated network with faults (loss, reordering, duplication,
 * corruption), and a packetdrill script, the same code the CLI runs.
 */
import { runScriptText } from '../../src/drill/run.js';
import { SimNetwork } from '../../src/link/sim/network.js';
import { parseState } from '../../src/state/aliases.js';
import { seqAdd, seqLt } from '../../src/wire/seq.js';

/** A transfer of `bytes` from a to b over a faulty link; both sides close. */
export function transfer(seed: number, bytes: number): Record<string, unknown> {
  const net = new SimNetwork(seed);
  const a = net.addHost('a', '10.0.0.1');
  const b = net.addHost('b', '10.0.0.2');
  net.link(a, b, {
    latency: 10,
    jitter: 4,
    loss: 0.1,
    reorder: 0.1,
    duplicate: 0.05,
    corrupt: 0.02,
  });
  const listener = b.stack.listen(80);
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + 7) & 0xff;
  const client = a.stack.connect(net.now, { address: '10.0.0.2', port: 80 });
  let server: ReturnType<typeof listener.accept>;
  let sent = 0;
  let received = 0;
  let sum = 0;
  for (let steps = 0; steps < 100_000 && net.step(); steps++) {
    server ??= listener.accept();
    if (client.state === 'ESTABLISHED' && sent < bytes) {
      sent += client.send(data.subarray(sent));
      if (sent === bytes) client.close(net.now);
    }
    if (server !== undefined) {
      const chunk = server.read();
      for (const byte of chunk) sum = (sum * 33 + byte) >>> 0;
      received += chunk.length;
      if (server.state === 'CLOSE_WAIT') server.close(net.now);
    }
  }
  return {
    received,
    sum,
    clientStates: net.transitions(a).map((t) => t.to),
    serverStates: net.transitions(b).map((t) => t.to),
    virtualTime: net.now,
    seqWrap: seqLt(0xffff_fff0, seqAdd(0xffff_fff0, 0x20)),
    alias: parseState('fin-wait-1') ?? null,
  };
}

/** A packetdrill script played by the drill runner: its outcome, state changes and log. */
export function drill(text: string): Record<string, unknown> {
  const r = runScriptText(text);
  return { outcome: r.outcome, transitions: r.transitions, log: r.log, packets: r.packets.length };
}
