/**
 * One interop scenario: a namespace, `tcpstate tun` in it (our stack on a TUN device, the
 * kernel on the other end), tcpdump on the device, and afterwards our --trace, the capture and
 * tshark's expert verdict on it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransitionJson } from '../../src/state/events.js';
import { exited, Netns, ROOT, waitForOutput } from './netns.js';

let subnetCounter = 0;

/** One line of `tcpstate tun --trace`: the one JSON form of a transition (state/events.ts). */
export type OurTransition = TransitionJson;

export class Scenario {
  readonly ns: Netns;
  readonly dir: string;
  readonly ifname: string;
  /** "10.N.M." (or "fd00:N:M::" for IPv6) — unique per scenario, to filter the kernel trace. */
  readonly subnet: string;
  readonly ours: string;
  readonly kernel: string;
  /** The kernel's address with its prefix: /24 for IPv4, /64 for IPv6. */
  readonly kernelCidr: string;
  private tcpstate: ChildProcess | undefined;
  private tcpdump: ChildProcess | undefined;
  stderr = '';

  constructor(tag: string, opts: { ipv6?: boolean } = {}) {
    this.ns = new Netns(tag);
    this.dir = mkdtempSync(join(tmpdir(), `ts-interop-${tag}-`));
    this.ifname = `tsi${process.pid % 1000}${subnetCounter}`;
    const n = (process.pid * 7 + subnetCounter++) % 250;
    this.subnet = opts.ipv6
      ? `fd00:${(200 + (n % 50)).toString(16)}:${(n + 1).toString(16)}::`
      : `10.${200 + (n % 50)}.${n}.`;
    // The IPv6 third group is never 0: "fd00:c8:0::2" would not be the text form (RFC 5952)
    // the stack reports, "fd00:c8::2".
    this.ours = `${this.subnet}2`;
    this.kernel = `${this.subnet}1`;
    this.kernelCidr = `${this.kernel}/${opts.ipv6 ? 64 : 24}`;
  }

  /** An address in a URL: IPv6 in brackets (RFC 3986 3.2.2). */
  urlHost(address: string): string {
    return address.includes(':') ? `[${address}]` : address;
  }

  get tracePath(): string {
    return join(this.dir, 'ours.jsonl');
  }
  get capturePath(): string {
    return join(this.dir, 'capture.pcap');
  }

  /** Starts our stack serving `serve` (e.g. ['http:80']) and a capture of the device. */
  async start(
    serve: string[],
    extra: string[] = [],
    opts: { snaplen?: number } = {},
  ): Promise<void> {
    const args = this.tunArgs();
    for (const s of serve) args.push('--serve', s);
    args.push('--trace', this.tracePath, ...extra);
    this.tcpstate = this.ns.spawnTcpstate(args);
    this.tcpstate.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    await waitForOutput(this.tcpstate, 'up, stack at');
    await this.startCapture(opts.snaplen ?? 256);
  }

  async startCapture(snaplen: number): Promise<void> {
    this.tcpdump = this.ns.spawn('tcpdump', [
      '-i',
      this.ifname,
      '-U',
      '-n',
      '-s',
      String(snaplen),
      '-w',
      this.capturePath,
    ]);
    await waitForOutput(this.tcpdump, 'listening on');
  }

  /** python3's http.server on port 8000 at `bind` in the namespace, serving this.dir. */
  async serveDirectory(bind: string): Promise<void> {
    const server = this.ns.spawn('python3', [
      '-u',
      '-m',
      'http.server',
      '8000',
      '--bind',
      bind,
      '--directory',
      this.dir,
    ]);
    await waitForOutput(server, 'Serving HTTP');
  }

  /** `tcpstate tun` on this scenario's device and addresses. */
  private tunArgs(): string[] {
    return [
      'tun',
      '--ifname',
      this.ifname,
      '--address',
      this.ours,
      '--kernel-address',
      this.kernelCidr,
    ];
  }

  /** `tcpstate tun --get URL` run to completion in the namespace, with --trace. */
  tunGet(url: string, extra: string[] = []) {
    return this.ns.run(process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/main.ts'),
      ...this.tunArgs(),
      '--get',
      url,
      '--trace',
      this.tracePath,
      ...extra,
    ]);
  }

  /** Runs a command inside the namespace. */
  run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) {
    return this.ns.run(cmd, args, opts);
  }

  curl(args: string[], timeoutMs = 60_000) {
    return this.run('curl', ['--noproxy', '*', '-sS', ...args], { timeoutMs });
  }

  /** Stops our stack (Ctrl-C) and the capture; returns our trace. */
  async stop(): Promise<OurTransition[]> {
    if (this.tcpstate && this.tcpstate.exitCode === null) {
      this.tcpstate.kill('SIGINT');
      await exited(this.tcpstate);
    }
    if (this.tcpdump && this.tcpdump.exitCode === null) {
      this.tcpdump.kill('SIGINT');
      await exited(this.tcpdump);
    }
    return this.readTrace();
  }

  readTrace(): OurTransition[] {
    let text = '';
    try {
      text = readFileSync(this.tracePath, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as OurTransition);
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.ns.delete();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ExpertVerdict {
  /** Error-level expert items of the TCP dissector, as "count group summary". */
  tcpErrors: string[];
  /** Warning-level items of the TCP dissector (payload dissectors over cut captures are noise). */
  warnings: string[];
}

/**
 * `tshark -r FILE -q -z expert`: sorts its table into error-level TCP items and warnings. HTTP
 * is not dissected: captures keep headers only (snaplen), and HTTP over cut payloads is noise.
 */
export function expertVerdict(pcap: string): ExpertVerdict {
  const r = spawnSync('tshark', ['-r', pcap, '--disable-protocol', 'http', '-q', '-z', 'expert'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const verdict: ExpertVerdict = { tcpErrors: [], warnings: [] };
  let section = '';
  for (const line of r.stdout.split('\n')) {
    const head = /^(Errors|Warns|Notes|Chats|Comments) \(\d+\)/.exec(line.trim());
    if (head) {
      section = head[1];
      continue;
    }
    const row = /^\s*(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!row) continue;
    const [, count, group, protocol, summary] = row;
    if (section === 'Errors' && protocol.toUpperCase() === 'TCP') {
      verdict.tcpErrors.push(`${count} ${group} ${summary.trim()}`);
    } else if (section === 'Warns' && protocol.toUpperCase() === 'TCP') {
      verdict.warnings.push(`${count} ${protocol} ${group} ${summary.trim()}`);
    }
  }
  return verdict;
}

/** Transitions of one connection in our trace, by our local and remote "ip:port". */
export function oursFor(trace: OurTransition[], local: string, remote: string): string[] {
  const text = (e: { address: string; port: number }) => `${e.address}:${e.port}`;
  return trace.filter((t) => text(t.local) === local && text(t.remote) === remote).map((t) => t.to);
}
