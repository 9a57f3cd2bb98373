/**
 * Helpers for tests against the real kernel: child processes that hold sockets in known states,
 * `ss` as the reference, polling until the kernel has settled.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseState } from '../../../src/state/aliases.js';
import type { TcpState } from '../../../src/state/states.js';

export const isLinux = process.platform === 'linux' && existsSync('/proc/net/tcp');
export const isRoot = process.getuid?.() === 0;

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** The first line the child printed (a port number, usually). */
  firstLine: string;
}

/** Starts `command args…`, waits for its first stdout line. */
export async function startChild(command: string, args: string[]): Promise<Child> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command} printed nothing: ${stderr}`)),
      10_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${stderr}`));
    });
  });
  return { process: child, pid: child.pid ?? -1, firstLine };
}

export function stopChild(child: Child | undefined): void {
  if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
}

/** A python3 server on 127.0.0.1 that accepts every connection and never closes one. */
export const PY_NEVER_CLOSES = `
import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
`;

/** A python3 server with backlog 1 that never calls accept(): its queue fills up. */
export const PY_NEVER_ACCEPTS = `
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
time.sleep(3600)
`;

/** A python3 client whose SYN goes to an address nobody answers; prints its local port. */
export function pyConnectNowhere(address: string, port: number): string {
  return `
import socket, time
s = socket.socket()
s.setblocking(False)
s.connect_ex(('${address}', ${port}))
print(s.getsockname()[1], flush=True)
time.sleep(3600)
`;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SsRow {
  state: TcpState;
  local: string;
  remote: string;
}

/** "addr:port" / "[v6]:port" / "*:*" from ss, as "address|port" with '*' and scope removed. */
function endpointKey(text: string): string {
  const i = text.lastIndexOf(':');
  let address = text
    .slice(0, i)
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const port = text.slice(i + 1);
  if (address === '*') address = '0.0.0.0';
  return `${address}|${port === '*' ? 0 : Number(port)}`;
}

/** `ss -tanH` (optionally inside a named netns) as (state, local, remote) keys. */
export function ssRows(netns?: string): SsRow[] {
  const args = ['-tanH'];
  const out = netns
    ? execFileSync('ip', ['netns', 'exec', netns, 'ss', ...args], { encoding: 'utf8' })
    : execFileSync('ss', args, { encoding: 'utf8' });
  const rows: SsRow[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const state = parseState(f[0]);
    if (!state) continue;
    rows.push({ state, local: endpointKey(f[3]), remote: endpointKey(f[4]) });
  }
  return rows;
}

export const CLI = 'dist/cli/main.js';

/** Runs the built CLI; returns exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '80', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
