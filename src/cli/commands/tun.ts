/**
 * `tcpstate tun`: runs tcpstate's own TCP stack on a Linux TUN device against the real kernel.
 * The kernel's end of the device gets --kernel-address; the stack answers at --address. It
 * serves (Node's http over our sockets, or echo) or fetches one URL from the kernel's side,
 * until Ctrl-C or --duration, and removes the device on exit.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { request } from 'node:http';
import type { Command } from 'commander';
import { TunError } from '../../link/tun/errors.js';
import { checkTunAddresses } from '../../link/tun/kernel-side.js';
import { serveClose, serveEcho, serveHttp, serveReset } from '../../net/demo-apps.js';
import type { Server } from '../../net/server.js';
import { isIPv4, isIPv6 } from '../../net/socket.js';
import type { TunHost } from '../../net/tun-host.js';
import { type TransitionEvent, transitionJson } from '../../state/events.js';
import { CliError } from '../errors.js';

interface TunCliOptions {
  ifname: string;
  address: string;
  kernelAddress: string;
  mtu: string;
  offload: boolean;
  serve: string[];
  get?: string;
  trace?: string;
  pcap?: string;
  duration?: string;
  seed?: string;
  closeAfter: string;
  loss: string;
  delay: string;
}

type ServiceKind = 'http' | 'echo' | 'close' | 'reset';
type Service = { kind: ServiceKind; port: number };

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new CliError(`${what}: port must be 1 to 65535, got "${text}"`);
  }
  return port;
}

export function parseService(text: string): Service {
  const m = /^(http|echo|close|reset):(.+)$/.exec(text);
  if (!m) {
    throw new CliError(
      `--serve expects http:PORT, echo:PORT, close:PORT or reset:PORT, got "${text}"`,
    );
  }
  return { kind: m[1] as ServiceKind, port: parsePort(m[2], '--serve') };
}

export function parseGetUrl(text: string): { host: string; port: number; path: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--get expects a URL like http://10.77.0.1:8080/, got "${text}"`);
  }
  if (url.protocol !== 'http:')
    throw new CliError(`--get supports http:// only, got ${url.protocol}`);
  // WHATWG URL keeps an IPv6 host in brackets (http://[fd00::1]:8080/).
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isIPv4(hostname) && !isIPv6(hostname)) {
    throw new CliError(
      `--get needs an IP address as host (the stack resolves no names): ${url.hostname}`,
    );
  }
  return {
    host: hostname,
    port: url.port ? Number(url.port) : 80,
    path: url.pathname + url.search,
  };
}

/** "5%" or "0.05" -> 0.05. */
export function parseLoss(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value < 1)) {
    throw new CliError(`--loss must be a probability below 1 (0.05 or 5%), got "${text}"`);
  }
  return value;
}

/** One transition per line in the one JSON form (state/events.ts), its time on the Unix clock. */
function traceLine(t: TransitionEvent): string {
  const time = Math.round((performance.timeOrigin + t.time) * 1000) / 1000;
  return `${JSON.stringify(transitionJson({ ...t, time }))}\n`;
}

function closeStream(stream: WriteStream | undefined): Promise<void> {
  return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
}

/** Fetches one URL over our stack; resolves when the body has been written to stdout. */
function fetchOnce(host: TunHost, target: { host: string; port: number; path: string }) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        // No `agent` option: with any agent (even `agent: false`) http ignores createConnection
        // and opens a kernel socket instead of ours.
        createConnection: () => host.net.connect(target.port, target.host),
      },
      (res) => {
        // A reader that goes away (`| head`) ends the fetch quietly, as curl does.
        process.stdout.once('error', () => {
          res.destroy();
          resolve(res.statusCode ?? 0);
        });
        res.pipe(process.stdout, { end: false });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function run(opts: TunCliOptions): Promise<void> {
  const services = opts.serve.map(parseService);
  const target = opts.get ? parseGetUrl(opts.get) : undefined;
  if (!target && services.length === 0)
    throw new CliError('give --serve http:PORT, --serve echo:PORT or --get URL');
  const mtu = Number(opts.mtu);
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535)
    throw new CliError(`--mtu must be 576 to 65535, got "${opts.mtu}"`);
  const duration = opts.duration === undefined ? undefined : Number(opts.duration);
  if (duration !== undefined && !(duration > 0))
    throw new CliError(`--duration must be a positive number of seconds, got "${opts.duration}"`);
  const closeAfter = Number(opts.closeAfter);
  if (!(closeAfter >= 0)) {
    throw new CliError(`--close-after must be a number of milliseconds, got "${opts.closeAfter}"`);
  }
  const loss = parseLoss(opts.loss);
  const delayMs = Number(opts.delay);
  if (!(delayMs >= 0))
    throw new CliError(`--delay must be a number of milliseconds, got "${opts.delay}"`);
  const seed = opts.seed === undefined ? undefined : Number(opts.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new CliError(`--seed must be an integer, got "${opts.seed}"`);
  try {
    checkTunAddresses(opts.address, opts.kernelAddress);
  } catch (err) {
    if (err instanceof TunError) throw new CliError(err.message);
    throw err;
  }

  // Loaded here, not at the top: the CLI's other commands must not load the stack or link/tun.
  const { TunHost } = await import('../../net/tun-host.js');
  // Output files first: a bad path is a one-line error before any device exists.
  const trace = opts.trace
    ? createWriteStream('', { fd: openOutput(opts.trace, '--trace') })
    : undefined;
  const pcap = opts.pcap ? await openPcap(opts.pcap) : undefined;
  let host: TunHost;
  try {
    host = await TunHost.start({
      ifname: opts.ifname,
      address: opts.address,
      kernelAddress: opts.kernelAddress,
      mtu,
      offload: opts.offload,
      seed,
      impairment: { loss, delayMs },
      tap: pcap ? (_dir, packet, epochMs) => pcap.add(epochMs, packet) : undefined,
    });
  } catch (err) {
    if (err instanceof TunError) throw new CliError(err.message, 1);
    throw err;
  }

  if (trace) host.net.on('transition', (t: TransitionEvent) => trace.write(traceLine(t)));
  host.net.on('error', (err: Error) => process.stderr.write(`tcpstate: ${err.message}\n`));

  const servers: Server[] = [];
  for (const s of services) {
    const server =
      s.kind === 'http'
        ? serveHttp(host.net, s.port)
        : s.kind === 'echo'
          ? serveEcho(host.net, s.port)
          : s.kind === 'close'
            ? serveClose(host.net, s.port, closeAfter)
            : serveReset(host.net, s.port);
    server.on('error', (err: Error) =>
      process.stderr.write(`tcpstate: --serve ${s.kind}:${s.port}: ${err.message}\n`),
    );
    servers.push(server);
  }
  process.stderr.write(
    `tcpstate tun: ${host.device.name} up, stack at ${opts.address}, kernel at ${opts.kernelAddress}` +
      `${services.map((s) => `, ${s.kind} on :${s.port}`).join('')}` +
      `; MTU ${mtu}, offload ${host.device.offload ? 'on' : 'off'}\n`,
  );

  let finish: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onSignal = () => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = duration ? setTimeout(finish, duration * 1000) : undefined;

  let failure: CliError | undefined;
  if (target) {
    fetchOnce(host, target).then(
      async (status) => {
        if (status >= 400) process.stderr.write(`tcpstate tun: HTTP ${status}\n`);
        if (!duration) {
          await settle(host);
          finish();
        }
      },
      (err: Error & { code?: string }) => {
        failure = new CliError(
          `--get ${opts.get}: ${err.code ?? ''} ${err.message}`.replace(/ +/g, ' '),
          1,
        );
        finish();
      },
    );
  }
  await stopped;
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  for (const server of servers) server.close();
  // Let the servers' closes (FIN or RST) leave before the device goes away.
  await new Promise((resolve) => setTimeout(resolve, 50));
  host.stop();
  const c = host.device.counters;
  const f = host.filtered;
  const lost = host.impaired.in.dropped + host.impaired.out.dropped;
  process.stderr.write(
    `tcpstate tun: stopped; ${c.packetsIn} packets in, ${c.packetsOut} out${host.device.vnetHeader ? ` (super-segments: ${c.gsoIn} in, ${c.gsoOut} out)` : ''}; ignored ${opts.address.includes(':') ? `${f.routerSolicitations} router solicitations` : `${f.ipv6} IPv6`}, ${f.otherProtocol} other protocols, ${f.notForUs} not for us, ${f.malformed} malformed${loss > 0 ? `; --loss dropped ${lost}` : ''}\n`,
  );
  await closeStream(trace);
  if (pcap) await pcap.close();
  if (failure) throw failure;
}

/** Waits (up to 3 s) until no connection is left but TIME_WAIT ones, so the trace shows the end. */
async function settle(host: TunHost): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const rows = host.stack.snapshot(host.driver.now());
    if (rows.every((r) => r.state === 'TIME_WAIT' || r.state === 'LISTEN')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PcapSink {
  add(epochMs: number, packet: Uint8Array): void;
  close(): Promise<void>;
}

function openOutput(path: string, option: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    throw new CliError(
      `${option} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot open'}`,
    );
  }
}

async function openPcap(path: string): Promise<PcapSink> {
  const { PcapFile } = await import('../../net/pcap-file.js');
  try {
    return await PcapFile.create(path);
  } catch (err) {
    throw new CliError(`--pcap ${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot open'}`);
  }
}

export function register(program: Command): void {
  program
    .command('tun')
    .description(
      'run tcpstate’s TCP stack on a Linux TUN device against the kernel (needs root or CAP_NET_ADMIN)',
    )
    .option('--ifname <name>', 'TUN interface to create', 'tcpstate0')
    .requiredOption('--address <ip>', 'the stack’s address, e.g. 10.77.0.2 or fd00::2')
    .requiredOption(
      '--kernel-address <cidr>',
      'the kernel’s address on the device, e.g. 10.77.0.1/24 or fd00::1/64',
    )
    .option(
      '--mtu <bytes>',
      'MTU of the device, 576 to 65535 (MSS = MTU - 40, IPv6 MTU - 60)',
      '1500',
    )
    .option(
      '--no-offload',
      'no checksum and segmentation offload (by default the device carries a virtio-net header and the kernel and the stack exchange TCP super-segments of up to 64 KB)',
    )
    .option(
      '--serve <app:port>',
      'serve http:PORT (GET /bytes/N, POST hashes), echo:PORT, close:PORT (FIN after --close-after) or reset:PORT (RST on first byte); repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--get <url>', 'fetch this http:// URL from the kernel’s side and print the body')
    .option(
      '--trace <file.jsonl>',
      'write one JSON line per state change of the stack’s connections',
    )
    .option('--pcap <file>', 'write every packet the stack sends and receives (LINKTYPE_RAW)')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C, or after --get)')
    .option('--close-after <ms>', 'how long close:PORT waits before closing', '0')
    .option(
      '--loss <p>',
      'drop packets in both directions with this probability (5% or 0.05), for kernels without netem',
      '0',
    )
    .option('--delay <ms>', 'delay packets in each direction by this long', '0')
    // Its output has no colours: accepted so that one flag works with every command.
    .option('--no-color', 'no colours (this command prints none)')
    .option(
      '--seed <n>',
      'seed ephemeral ports and impairment (default: random; ISN and SYN-cookie keys are always random)',
    )
    .action(async (opts: TunCliOptions) => {
      await run(opts);
    });
}
