/** Starts `tcpstate web` (the built CLI) on a free port and stops it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const built =
  existsSync(MAIN) && existsSync(new URL('../../dist/web/index.html', import.meta.url));

export interface WebServer {
  url: string;
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `wrap`: turns the command line into the one to run (e.g. test/support/as-nobody.ts's
 * `nobodyCommand`, to run it unprivileged over a readable view of the checkout).
 */
export function startWeb(
  args: readonly string[] = [],
  wrap: (argv: string[]) => string[] = (argv) => argv,
): Promise<WebServer> {
  const command = wrap([process.execPath, MAIN, 'web', '--port', '0', ...args]);
  const child = spawn(command[0], command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/\S+\/)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          child,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`tcpstate web exited (${code}): ${err}`)));
  });
}

/** Runs `tcpstate web` with these arguments to the end: its exit code and stderr. */
export function runWeb(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, 'web', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}
