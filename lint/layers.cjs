/**
 * Which layer may import which (README, "Layout"; DESIGN.md, "Layers"), checked by
 * dependency-cruiser over src/: `npm run lint`, and first thing in `npm test`.
 *
 * Each layer lists what it may import; anything else under src/ is an error named after the
 * layer (`layer-wire`, `layer-host`, …). Type-only imports count: a type is a dependency too.
 * The pure layers (everything but cli/, web/, net/, testing/, link/tun/ and host/kernel/) also
 * have Biome's purity rule (biome.json, lint/pure-layer.grit); since no pure layer may import an
 * I/O layer here, purity holds for everything a pure module reaches, not only for its own lines.
 */

/** Pure layers, from the bottom: what a browser bundle or the simulator may load. */
const PURE = [
  'state/',
  'util/',
  'wire/',
  'tcp/',
  'stack/',
  'link/sim/',
  'scenario/',
  'drill/',
  'capture/',
  'host/(?!kernel/|index\\.ts$)',
  'render/',
];

/** [rule name, the files it governs, what they may import (folders under src/), why]. */
const LAYERS = [
  ['state', 'state/', ['state/', 'util/'], 'the states and their table: the bottom layer'],
  ['util', 'util/', ['util/', 'state/'], 'small pure helpers beside state/'],
  ['wire', 'wire/', ['wire/', 'state/', 'util/'], 'byte formats know nothing of connections'],
  ['tcp', 'tcp/', ['tcp/', 'wire/', 'state/', 'util/'], 'one connection, sans-IO'],
  ['stack', 'stack/', ['stack/', 'tcp/', 'wire/', 'state/', 'util/'], 'connections by 4-tuple'],
  [
    'link-sim',
    'link/sim/',
    ['link/sim/', 'stack/', 'tcp/', 'wire/', 'state/', 'util/'],
    'the simulator is pure: never the TUN device (link/tun/)',
  ],
  [
    'link-tun',
    'link/tun/',
    ['link/', 'stack/', 'tcp/', 'wire/', 'state/', 'util/'],
    'links move packets; they never reach up to net/',
  ],
  [
    'net',
    '(net|testing)/',
    ['net/', 'testing/', 'link/', 'stack/', 'tcp/', 'wire/', 'state/', 'util/'],
    'the real-clock Node API sits on links and the stack',
  ],
  [
    'host',
    'host/(?!kernel/|index\\.ts$)',
    ['host/(?!kernel/|index\\.ts$)', 'state/', 'util/', 'wire/'],
    "host's analysis is pure (it explains pasted `ss` text too): never host/kernel/",
  ],
  [
    'host-kernel',
    'host/kernel/',
    ['host/(?!index\\.ts$)', 'state/', 'util/', 'wire/'],
    "this machine's sockets come from the kernel, not from our stack",
  ],
  ['host-entry', 'host/index\\.ts$', ['host/'], 'tcpstate/host re-exports host/ and host/kernel/'],
  [
    'scenario',
    '(scenario|drill|capture)/',
    ['scenario/', 'drill/', 'capture/', 'link/sim/', 'stack/', 'tcp/', 'wire/', 'state/', 'util/'],
    'virtual time only: the simulator, never net/ (a real clock) or an I/O layer',
  ],
  [
    'render',
    'render/',
    PURE,
    'render draws what the pure layers produce; it does no I/O and knows no user interface',
  ],
  ['web', 'web/', ['(?!cli/)'], 'the web page and its server may use any layer but the CLI'],
  ['cli', 'cli/', [''], 'the command line may use every layer'],
  ['main-entry', 'index\\.ts$', PURE, "the package's main entry stays browser-safe: pure layers"],
];

const anyOf = (folders) => `^src/(${folders.join('|')})`;

const layerRules = LAYERS.map(([name, from, allowed, why]) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment: `${why} (lint/layers.cjs: ${from.replace(/\\/g, '')} may import ${allowed.map((a) => a || 'anything').join(' ')})`,
  from: { path: `^src/${from}` },
  to: {
    path: '^src/',
    pathNot: anyOf(allowed),
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer-unknown',
      severity: 'error',
      comment: 'every folder of src/ belongs to a layer: add a new one to lint/layers.cjs',
      from: { path: '^src/', pathNot: anyOf([...LAYERS.map(([, from]) => from)]) },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import circle: split out what both sides need (a type, a helper) instead',
      from: {},
      to: { circular: true },
    },
    {
      name: 'native-only-in-io',
      severity: 'error',
      comment: 'koffi (native libc calls) belongs to the I/O layers: link/tun/, host/kernel/',
      from: { path: anyOf(PURE) },
      to: { path: 'node_modules/koffi/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'] },
  },
};
