/**
 * Process lifetime (issue 16): the same program, run in a child process over node:net and over
 * tcpstate/net, exits or stays alive alike. libuv keeps the loop alive only for active,
 * referenced handles: a flowing socket does, a paused one or one at EOF does not, nor an
 * unref'd server. "Stays alive" is checked as: still running after `ALIVE_MS` (a loaded machine
 * only makes a live process look more alive); "exits" waits as long as it takes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./lifetime-program.ts', import.meta.url));
const ALIVE_MS = 1500;

function run(world: 'node' | 'tcpstate', mode: string): Promise<'exited' | 'alive'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROGRAM, world, mode], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let alive = false;
    let timer: NodeJS.Timeout | undefined;
    // The clock starts only once the program is connected (it writes 'ready' to stderr), so a
    // slow start on a loaded machine is not mistaken for a process that stays alive.
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      if (timer === undefined && stderr.includes('ready')) {
        timer = setTimeout(() => {
          alive = true;
          child.kill();
        }, ALIVE_MS);
      }
    });
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      if (alive) resolve('alive');
      else if (code === 0) resolve('exited');
      else reject(new Error(`${world} ${mode} failed (${code}): ${stderr}`));
    });
  });
}

describe('process lifetime, as libuv decides it', () => {
  for (const mode of ['flowing', 'paused', 'eof', 'server-ref']) {
    it(`a ${mode} socket`, { timeout: 60_000 }, async () => {
      const node = await run('node', mode);
      const ours = await run('tcpstate', mode);
      expect({ mode, ours }).toEqual({ mode, ours: node });
    });
  }
});
