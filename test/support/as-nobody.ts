/**
 * Runs a command as the unprivileged user nobody (uid 65534) over this checkout, wherever the
 * checkout lives.
 *
 * A checkout inside a private folder (`mktemp -d`, mode 700) cannot be read by another user, so
 * node would die on the first import with a stack trace instead of the one-line message a test
 * expects. The command therefore runs in a private mount namespace in which the repository is
 * bind-mounted on a world-readable folder: nothing changes outside that namespace, the mount
 * ends with the command, and concurrent tests do not race over permissions.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Why commands cannot be run as nobody here, or undefined when they can. */
export const nobodySkipReason: string | undefined =
  process.platform !== 'linux'
    ? 'needs Linux'
    : process.getuid?.() !== 0
      ? 'needs root to switch to another user'
      : !has('setpriv') || !has('unshare')
        ? 'needs setpriv and unshare (util-linux)'
        : undefined;

export interface NobodyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
  /** Also drop every inheritable capability (setpriv --inh-caps=-all). */
  dropCaps?: boolean;
}

/**
 * The command line that runs `argv` as uid/gid 65534 over a readable view of the repository
 * (for spawn, as for a long-running server); `done()` removes the view's mount point after.
 */
export function nobodyCommand(
  argv: readonly string[],
  opts: NobodyOptions = {},
): { argv: string[]; done(): void } {
  const view = mkdtempSync(join(tmpdir(), 'tcpstate-nobody-'));
  chmodSync(view, 0o755);
  const inView = (p: string) =>
    p === REPO || p.startsWith(`${REPO}/`) ? view + p.slice(REPO.length) : p;
  const setpriv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  if (opts.dropCaps) setpriv.push('--inh-caps=-all');
  return {
    argv: [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$1" "$2" && cd "$3" && shift 3 && exec "$@"',
      'sh',
      REPO,
      view,
      inView(opts.cwd ?? REPO),
      ...setpriv,
      ...argv.map(inView),
    ],
    done: () => rmdirSync(view),
  };
}

/** spawnSync of `argv` as uid/gid 65534; paths inside the repository are rewritten to its readable view. */
export function spawnAsNobody(argv: string[], opts: NobodyOptions = {}): SpawnSyncReturns<string> {
  const command = nobodyCommand(argv, opts);
  try {
    const [cmd = 'unshare', ...args] = command.argv;
    return spawnSync(cmd, args, {
      encoding: 'utf8',
      env: opts.env ?? process.env,
      timeout: opts.timeout ?? 30_000,
    });
  } finally {
    command.done();
  }
}
