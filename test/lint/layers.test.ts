/**
 * The lint rules themselves, run over small trees written to a temporary folder (removed after
 * each test, pass or fail): dependency-cruiser with lint/layers.cjs, and Biome with biome.json and
 * lint/pure-layer.grit. A clean tree passes, so a checker that fails on everything fails here too.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const BIOME = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true },
  include: ['src'],
});

const made: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcpstate-lint-'));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  out: string;
}

function cruise(dir: string): Run {
  const r = spawnSync(
    process.execPath,
    [DEPCRUISE, '--config', join(ROOT, 'lint/layers.cjs'), '--output-type', 'err', 'src'],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Imports every layer may make: none of them is reported. */
const ALLOWED: Record<string, string> = {
  'tsconfig.json': TSCONFIG,
  'src/state/states.ts': 'export type TcpState = "LISTEN";\n',
  'src/util/rng.ts': 'export const seed = 1;\n',
  'src/wire/seq.ts':
    "import type { TcpState } from '../state/states.js';\nexport type W = TcpState;\n",
  'src/tcp/tcb.ts': "import type { W } from '../wire/seq.js';\nexport type T = W;\n",
  'src/stack/stack.ts': "import type { T } from '../tcp/tcb.js';\nexport type S = T;\n",
  'src/link/sim/network.ts': "import type { S } from '../../stack/stack.js';\nexport type N = S;\n",
  'src/link/tun/device.ts': "import type { N } from '../sim/network.js';\nexport type D = N;\n",
  'src/net/socket.ts': "import type { D } from '../link/tun/device.js';\nexport type So = D;\n",
  'src/host/types.ts':
    "import type { TcpState } from '../state/states.js';\nexport type H = TcpState;\n",
  'src/host/kernel/snapshot.ts': "import type { H } from '../types.js';\nexport type K = H;\n",
  'src/host/index.ts': "export type { K } from './kernel/snapshot.js';\n",
  'src/scenario/story.ts':
    "import type { N } from '../link/sim/network.js';\nexport type St = N;\n",
  'src/drill/run.ts': "import type { St } from '../scenario/story.js';\nexport type R = St;\n",
  'src/render/table.ts':
    "import type { H } from '../host/types.js';\nimport type { R } from '../drill/run.js';\nexport type Ta = H | R;\n",
  'src/cli/main.ts':
    "import type { K } from '../host/index.js';\nimport type { So } from '../net/socket.js';\nimport type { Ta } from '../render/table.js';\nexport type C = K | So | Ta;\n",
  'src/index.ts':
    "export type { Ta } from './render/table.js';\nexport type { N } from './link/sim/network.js';\n",
};

/** Each import that breaks a rule, with the error line dependency-cruiser must print for it. */
const VIOLATIONS: [string, string, string][] = [
  [
    'a wire module importing net/',
    'src/wire/bad.ts',
    'error layer-wire: src/wire/bad.ts → src/net/socket.ts',
  ],
  [
    'a type-only import from a layer above',
    'src/tcp/bad.ts',
    'error layer-tcp: src/tcp/bad.ts → src/stack/stack.ts',
  ],
  [
    "host's pure analysis importing host/kernel/",
    'src/host/bad.ts',
    'error layer-host: src/host/bad.ts → src/host/kernel/snapshot.ts',
  ],
  [
    'a pure layer (drill/) importing net/',
    'src/drill/bad.ts',
    'error layer-scenario: src/drill/bad.ts → src/net/socket.ts',
  ],
  [
    'the simulator importing the TUN device',
    'src/link/sim/bad.ts',
    'error layer-link-sim: src/link/sim/bad.ts → src/link/tun/device.ts',
  ],
  [
    'render/ importing host/kernel/',
    'src/render/bad.ts',
    'error layer-render: src/render/bad.ts → src/host/kernel/snapshot.ts',
  ],
  [
    'the main entry importing net/',
    'src/index.ts',
    'error layer-main-entry: src/index.ts → src/net/socket.ts',
  ],
  [
    'a folder no layer owns',
    'src/misc/bad.ts',
    'error layer-unknown: src/misc/bad.ts → src/state/states.ts',
  ],
  ['an import circle', 'src/state/circle-a.ts', 'error no-circular: src/state/circle-a.ts → '],
];

const BAD: Record<string, string> = {
  'src/wire/bad.ts': "import type { So } from '../net/socket.js';\nexport type B = So;\n",
  'src/tcp/bad.ts': "import type { S } from '../stack/stack.js';\nexport type B = S;\n",
  'src/host/bad.ts': "import type { K } from './kernel/snapshot.js';\nexport type B = K;\n",
  'src/drill/bad.ts': "import type { So } from '../net/socket.js';\nexport type B = So;\n",
  'src/link/sim/bad.ts': "import type { D } from '../tun/device.js';\nexport type B = D;\n",
  'src/render/bad.ts': "import type { K } from '../host/kernel/snapshot.js';\nexport type B = K;\n",
  'src/index.ts': "export type { So } from './net/socket.js';\n",
  'src/misc/bad.ts':
    "import type { TcpState } from '../state/states.js';\nexport type B = TcpState;\n",
  'src/state/circle-a.ts':
    "import { b } from './circle-b.js';\nexport const a = (): number => b();\n",
  'src/state/circle-b.ts':
    "import { a } from './circle-a.js';\nexport const b = (): number => a();\n",
};

describe('layering (dependency-cruiser, lint/layers.cjs)', () => {
  it('passes a tree where every layer imports only what it may', () => {
    const run = cruise(tree(ALLOWED));
    expect(run.out).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  });

  describe('fails, naming the rule, on', () => {
    let run: Run;
    beforeAll(() => {
      run = cruise(tree({ ...ALLOWED, ...BAD }));
    });

    it.each(VIOLATIONS)('%s', (_what, _file, line) => {
      expect(run.status).not.toBe(0);
      expect(run.out).toContain(line);
    });

    it('and on nothing else', () => {
      const errors = run.out.split('\n').filter((l) => l.trimStart().startsWith('error '));
      expect(errors).toHaveLength(VIOLATIONS.length);
    });
  });
});

function biomeLint(files: Record<string, string>): Run {
  const dir = tree(files);
  copyFileSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
  mkdirSync(join(dir, 'lint'));
  copyFileSync(join(ROOT, 'lint/pure-layer.grit'), join(dir, 'lint/pure-layer.grit'));
  // No git in the temporary folder: the repository's ignore file is not needed there.
  const r = spawnSync(process.execPath, [BIOME, 'lint', '--vcs-enabled=false', 'src'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('purity (Biome, biome.json + lint/pure-layer.grit)', () => {
  const readsFs = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
  const readsClock = 'export const now = (): number => Date.now();\n';
  let run: Run;
  beforeAll(() => {
    run = biomeLint({
      'src/host/view.ts': readsFs,
      'src/host/kernel/owners.ts': readsFs,
      'src/render/table.ts': readsClock,
      'src/scenario/story.ts': readsClock,
      'src/link/sim/network.ts': 'export const r = (): number => Math.random();\n',
      'src/cli/main.ts': readsClock,
    });
  });

  it('fails on node:fs in a pure host module, naming the rule', () => {
    expect(run.status).not.toBe(0);
    expect(run.out).toMatch(/src\/host\/view\.ts:\d+:\d+ lint\/style\/noRestrictedImports/);
  });

  it('fails on Date in render/ and scenario/', () => {
    expect(run.out).toMatch(/src\/render\/table\.ts:\d+:\d+ lint\/style\/noRestrictedGlobals/);
    expect(run.out).toMatch(/src\/scenario\/story\.ts:\d+:\d+ lint\/style\/noRestrictedGlobals/);
  });

  it('fails on Math.random in the simulator', () => {
    expect(run.out).toMatch(/src\/link\/sim\/network\.ts:\d+:\d+ plugin/);
    expect(run.out).toContain('never Math.random');
  });

  it('lets the I/O layers (host/kernel/, cli/) use node: and Date', () => {
    expect(run.out).not.toContain('src/host/kernel/owners.ts');
    expect(run.out).not.toContain('src/cli/main.ts');
    expect(run.out).toContain('Found 4 errors');
  });
});
