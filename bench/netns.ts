/**
 * The two network namespaces of the TUN benchmarks (bench/tun.ts, bench/tun-loss.ts): K and P,
 * joined by a veth pair (tsveth0 in K, tsveth1 in P), made with the names the caller gives
 * (unique per run) and deleted by `deleteNamespaces`, whatever state they were left in.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface VethOptions {
  /** Addresses with prefix of the K and P ends. */
  k: string;
  p: string;
  /** At most one TCP segment per packet (gso_max_segs 1), so a packet is a segment. */
  oneSegmentPerPacket?: boolean;
}

export function makeVethNamespaces(nsK: string, nsP: string, opts: VethOptions): void {
  const sh = (args: string[]) => execFileSync('ip', args);
  sh(['netns', 'add', nsK]);
  sh(['netns', 'add', nsP]);
  for (const ns of [nsK, nsP]) sh(['-n', ns, 'link', 'set', 'lo', 'up']);
  sh([
    '-n',
    nsK,
    'link',
    'add',
    'tsveth0',
    'type',
    'veth',
    'peer',
    'name',
    'tsveth1',
    'netns',
    nsP,
  ]);
  sh(['-n', nsK, 'addr', 'add', opts.k, 'dev', 'tsveth0']);
  sh(['-n', nsP, 'addr', 'add', opts.p, 'dev', 'tsveth1']);
  const gso = opts.oneSegmentPerPacket ? ['gso_max_segs', '1'] : [];
  sh(['-n', nsK, 'link', 'set', 'tsveth0', ...gso, 'up']);
  sh(['-n', nsP, 'link', 'set', 'tsveth1', ...gso, 'up']);
}

export function deleteNamespaces(...names: string[]): void {
  for (const ns of names) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Runs `script --inside ARGS…` with this Node and tsx inside namespace `ns`, and waits. */
export function runInside(
  ns: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): number | null {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '--inside', ...args],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return r.status;
}
