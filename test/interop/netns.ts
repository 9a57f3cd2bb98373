/**
 * Network namespaces for the interop tests: each test makes its own, with a unique name, runs
 * the kernel's tools and our stack inside it, and deletes it. All traffic stays inside.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Why these tests cannot run here, or undefined when they can. */
export function whyNoNetns(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (TUN devices and network namespaces)';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  if (!commandExists('ip')) return 'needs iproute2 (ip)';
  const probe = `tsprobe${process.pid}`;
  const made = spawnSync('ip', ['netns', 'add', probe]);
  if (made.status !== 0)
    return `cannot create network namespaces: ${made.stderr.toString().trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export function missingTools(...tools: string[]): string | undefined {
  const missing = tools.filter((t) => !commandExists(t));
  return missing.length ? `needs ${missing.join(', ')}` : undefined;
}

/** Whether this kernel has netem (tried on the loopback of a throwaway namespace). */
export function hasNetem(): boolean {
  const probe = `tsnetem${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return false;
  const r = spawnSync('ip', [
    'netns',
    'exec',
    probe,
    'tc',
    'qdisc',
    'add',
    'dev',
    'lo',
    'root',
    'netem',
    'delay',
    '1ms',
  ]);
  spawnSync('ip', ['netns', 'del', probe]);
  return r.status === 0;
}

let counter = 0;

export class Netns {
  readonly name: string;
  private readonly children = new Set<ChildProcess>();

  constructor(tag: string) {
    this.name = `ts-${tag}-${process.pid}-${++counter}`;
    execFileSync('ip', ['netns', 'add', this.name]);
    execFileSync('ip', ['-n', this.name, 'link', 'set', 'lo', 'up']);
  }

  /** Runs a command in the namespace to completion. */
  run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) {
    const r = spawnSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      input: opts.input,
      timeout: opts.timeoutMs ?? 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString(), signal: r.signal };
  }

  /** Starts a long-running command in the namespace; killed by delete() if still running. */
  spawn(cmd: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Starts our CLI in the namespace (from source, through tsx). */
  spawnTcpstate(args: string[]): ChildProcess {
    return this.spawn(process.execPath, [
      '--import',
      'tsx',
      resolve(ROOT, 'src/cli/main.ts'),
      ...args,
    ]);
  }

  async delete(): Promise<void> {
    for (const child of this.children) {
      child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/** Resolves with the child's stderr so far once it contains `needle` (or rejects on exit). */
export function waitForOutput(
  child: ChildProcess,
  needle: string,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolveWait, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes(needle)) {
        cleanup();
        resolveWait(text);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`exited (${code}) before "${needle}": ${text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for "${needle}": ${text}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Resolves with the exit code once the child exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}
