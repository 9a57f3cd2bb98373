#!/usr/bin/env node
/**
 * Plays the public packetdrill suites against tcpstate's stack, read straight from the
 * snapshots the search tool's `fetch` brings (bare git directories under /work/.mirror, never
 * copied into this repository): google/packetdrill's gtests/net/tcp with the linux profile,
 * and freebsd-net/tcp-testsuite's snd-syn, socket-api, rcv-icmp and fast-open folders (IPv4
 * scripts) with the freebsd profile. Prints pass / fail / unsupported per script with its first
 * reason, then per suite a summary by reason and the counts.
 *
 *   node --import tsx scripts/suites.mjs [--suite NAME]… [--verbose] [--json]
 *
 * Snapshots are looked for in $TCPSTATE_MIRROR (default /work/.mirror); a suite whose snapshot
 * is absent is skipped with a message. Exit 0 unless a snapshot could not be read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { runScriptText } from '../src/drill/run.ts';

/** The suites: which snapshot, which folders, which profile, which scripts count. */
export const SUITES = [
  {
    name: 'linux-gtests',
    repo: 'google/packetdrill',
    folders: ['gtests/net/tcp'],
    profile: 'linux',
    defines: [],
    // run_all.py's IPv4 run: every script but the *v6.pkt ones, with its -D values.
    macros: {
      TFO_COOKIE: '3021b9d889017eeb',
      CODE: 'host_unreachable',
      CMSG_LEVEL_IP: 'SOL_IP',
      CMSG_TYPE_RECVERR: 'IP_RECVERR',
    },
    include: (path) => !path.endsWith('v6.pkt'),
  },
  ...['snd-syn', 'socket-api', 'rcv-icmp', 'fast-open'].map((folder) => ({
    name: `freebsd-${folder}`,
    repo: 'freebsd-net/tcp-testsuite',
    folders: [folder],
    profile: 'freebsd',
    defines: ['STANDARD'],
    // The IPv6 twins of each script are not counted (the runner is IPv4 only).
    include: (path) => !/ipv6/.test(path),
  })),
];

export function mirrorDir() {
  return process.env.TCPSTATE_MIRROR ?? '/work/.mirror';
}

/** The snapshot's git directory, or undefined when it has not been fetched. */
export function snapshotOf(repo, mirror = mirrorDir()) {
  const dir = join(mirror, repo.replace('/', '+'), 'repo');
  return existsSync(join(dir, 'HEAD')) ? dir : undefined;
}

function git(gitDir, args) {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The suite's scripts as { path, text }, read from the snapshot's HEAD. */
export function suiteScripts(suite, gitDir) {
  const out = [];
  for (const folder of suite.folders) {
    const paths = git(gitDir, ['ls-tree', '-r', '--name-only', 'HEAD', '--', folder])
      .split('\n')
      .filter((p) => p.endsWith('.pkt') && suite.include(p))
      .sort();
    for (const path of paths) out.push({ path, text: git(gitDir, ['show', `HEAD:${path}`]) });
  }
  return out;
}

/** A reason without its numbers, so that like failures group together. */
export function reasonKey(outcome) {
  if (outcome.status === 'pass') return 'pass';
  const text = outcome.status === 'fail' ? outcome.message : outcome.construct;
  return `${outcome.status}: ${text
    .replace(/'[^']*'/g, "'…'")
    .replace(/0x[0-9a-f]+|\d+(\.\d+)?/gi, 'N')
    .slice(0, 110)}`;
}

/**
 * A file of the snapshot a script's command names (`../common/defaults.sh`), relative to the
 * script, following symbolic links (git keeps a link as a blob holding its target).
 */
export function snapshotReader(gitDir, scriptPath) {
  return (name) => {
    let path = posix.normalize(posix.join(posix.dirname(scriptPath), name));
    for (let hops = 0; hops < 8; hops++) {
      const entry = git(gitDir, ['ls-tree', 'HEAD', '--', path]).trim();
      if (entry === '') return undefined;
      const text = git(gitDir, ['show', `HEAD:${path}`]);
      if (!entry.startsWith('120000')) return text;
      path = posix.normalize(posix.join(posix.dirname(path), text.trim()));
    }
    return undefined;
  };
}

export function runSuite(suite, gitDir) {
  return suiteScripts(suite, gitDir).map(({ path, text }) => ({
    path,
    outcome: runScriptText(text, {
      profile: suite.profile,
      defines: new Set(suite.defines),
      macros: new Map(Object.entries(suite.macros ?? {})),
      readFile: snapshotReader(gitDir, path),
    }).outcome,
  }));
}

export function counts(results) {
  const c = { pass: 0, fail: 0, unsupported: 0, total: results.length };
  for (const r of results) c[r.outcome.status]++;
  return c;
}

function firstReason(o) {
  if (o.status === 'pass') return '';
  const what = o.status === 'fail' ? o.message : o.construct;
  return `line ${o.line}: ${what}`;
}

function main(argv) {
  const wanted = [];
  let verbose = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--suite') wanted.push(argv[++i] ?? '');
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--json') json = true;
    else {
      console.error(`suites: unknown argument '${a}' (--suite NAME, --verbose, --json)`);
      return 2;
    }
  }
  for (const w of wanted) {
    if (!SUITES.some((s) => s.name === w)) {
      console.error(`suites: no suite '${w}' (${SUITES.map((s) => s.name).join(', ')})`);
      return 2;
    }
  }
  const chosen = wanted.length === 0 ? SUITES : SUITES.filter((s) => wanted.includes(s.name));
  const all = {};
  for (const suite of chosen) {
    const gitDir = snapshotOf(suite.repo);
    if (gitDir === undefined) {
      console.log(
        `${suite.name}: skipped, no snapshot of ${suite.repo} in ${mirrorDir()} (fetch github:${suite.repo} with the search tool)`,
      );
      continue;
    }
    const results = runSuite(suite, gitDir);
    all[suite.name] = { counts: counts(results), results };
    if (json) continue;
    console.log(
      `\n== ${suite.name} (${suite.repo} ${suite.folders.join(' ')}, --profile ${suite.profile})`,
    );
    for (const r of results) {
      if (r.outcome.status === 'pass' && !verbose) continue;
      console.log(`${r.outcome.status.padEnd(11)} ${r.path}  ${firstReason(r.outcome)}`);
    }
    const byReason = new Map();
    for (const r of results) {
      const k = reasonKey(r.outcome);
      byReason.set(k, (byReason.get(k) ?? 0) + 1);
    }
    console.log(`-- ${suite.name} by reason:`);
    for (const [k, n] of [...byReason].sort((a, b) => b[1] - a[1])) {
      console.log(`${String(n).padStart(5)}  ${k}`);
    }
  }
  if (json) {
    console.log(JSON.stringify(all, null, 1));
    return 0;
  }
  console.log('\n== summary');
  for (const [name, { counts: c }] of Object.entries(all)) {
    const pct = c.total === 0 ? 0 : (100 * c.pass) / c.total;
    console.log(
      `${name.padEnd(20)} ${c.pass}/${c.total} pass (${pct.toFixed(1)}%), ${c.fail} fail, ${c.unsupported} unsupported`,
    );
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
