/**
 * Scenario files: users' own scripts in JSON or YAML (`tcpstate sim ./my.yaml`). The format is
 * documented in README.md ("tcpstate sim"); this module turns a file's text into a Script, or
 * throws a ScenarioFileError that says where and what is wrong, in one line.
 *
 *   name: reset-after-data
 *   network: { latency: 20, loss: 0 }
 *   steps:
 *     - b: listen                  # or { listen: 8080 }
 *     - a: connect                 # or { connect: 8080 }, { connect: { port: 8080, localPort: 40000 } }
 *     - wait: { a: ESTABLISHED }   # or wait: 250 (ms)
 *     - a: { send: 5000 }          # bytes, or a string to send as text
 *     - b: abort                   # shutdown, close, abort
 *     - faults: { direction: a->b, loss: 0.3 }   # names of link/sim/faults.ts (dup: duplicate)
 *     - partition: both            # heal: both
 *     - drop: { from: a, flags: FIN, count: 1 }
 *     - flood: { rate: 10000, duration: 5000 }   # spoofed SYNs to b (synCookies: off|overflow|always)
 *     - blind: { target: a, kinds: "RST,SYN", count: 1000, duration: 2000 }
 *   family: ipv6                   # a and b at fd00::1 and fd00::2 (default ipv4)
 */

import { parse as parseYaml } from 'yaml';
import type { LinkFaults as SimLinkFaults, TcpFlagName } from '../link/sim/faults.js';
import type { SynCookieMode } from '../stack/stack.js';
import { parseState } from '../state/aliases.js';
import type { EcnMode } from '../tcp/ecn.js';
import type { BlindKind } from './attack.js';
import type { Direction, IpFamily, LinkFaults, Script, Step } from './script.js';
import type { Side } from './story.js';

export class ScenarioFileError extends Error {
  constructor(
    message: string,
    /**
     * Where in the document the fault is, as keys and list indexes (`['steps', 2, 'a']` for
     * "step 3.a"); empty for the document as a whole. Editors mark the line from it.
     */
    readonly path: ReadonlyArray<string | number> = [],
  ) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

/** The document path a place in a message names: "x.yaml: step 3.wait.a" → steps, 2, wait, a. */
function pathOf(where: string): Array<string | number> {
  const colon = where.lastIndexOf(': ');
  if (colon < 0) return [];
  return where
    .slice(colon + 2)
    .split('.')
    .flatMap((part) => {
      const step = /^step (\d+)$/.exec(part);
      return step ? ['steps', Number(step[1]) - 1] : [part];
    });
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The simulator's fault names (link/sim/faults.ts) and the range each takes. */
const FAULT_RANGES: Record<keyof SimLinkFaults, { min: number; max: number; integer?: true }> = {
  latency: { min: 0, max: 600_000 },
  jitter: { min: 0, max: 600_000 },
  loss: { min: 0, max: 1 },
  duplicate: { min: 0, max: 1 },
  reorder: { min: 0, max: 1 },
  reorderDelay: { min: 0, max: 600_000 },
  corrupt: { min: 0, max: 1 },
  bandwidth: { min: 0, max: 1_000_000_000 },
  queueLimit: { min: 1, max: 1_000_000, integer: true },
  ceThreshold: { min: 0, max: 1_000_000, integer: true },
  mtu: { min: 0, max: 65_535, integer: true },
};
const FAULT_KEYS = Object.keys(FAULT_RANGES) as Array<keyof SimLinkFaults>;
/** Spellings scenario files used before the simulator had one fault type; they keep working. */
const FAULT_ALIASES: Record<string, keyof SimLinkFaults> = { dup: 'duplicate' };

function fail(where: string, what: string, path = pathOf(where)): never {
  throw new ScenarioFileError(`${where}: ${what}`, path);
}

function number(v: unknown, where: string, min: number, max: number, integer = false): number {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    fail(
      where,
      `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function port(v: unknown, where: string): number {
  return number(v, where, 1, 65535, true);
}

function faults(v: unknown, where: string, allowDirection: boolean): LinkFaults {
  if (!isObj(v)) fail(where, 'expected a mapping like { latency: 10, loss: 0.1 }');
  const out: LinkFaults = {};
  for (const [key, value] of Object.entries(v)) {
    if (allowDirection && key === 'direction') continue;
    const k = FAULT_ALIASES[key] ?? key;
    if (!(FAULT_KEYS as readonly string[]).includes(k)) {
      fail(where, `unknown network setting '${key}' (use ${FAULT_KEYS.join(', ')})`);
    }
    const range = FAULT_RANGES[k as keyof SimLinkFaults];
    out[k as keyof SimLinkFaults] = number(
      value,
      `${where}.${key}`,
      range.min,
      range.max,
      range.integer,
    );
  }
  return out;
}

function direction(v: unknown, where: string): Direction {
  if (v === 'a->b' || v === 'b->a' || v === 'both') return v;
  fail(where, `expected a->b, b->a or both, got ${JSON.stringify(v)}`);
}

function side(v: unknown, where: string): Side {
  if (v === 'a' || v === 'b') return v;
  fail(where, `expected a or b, got ${JSON.stringify(v)}`);
}

const CALLS = ['listen', 'connect', 'send', 'shutdown', 'close', 'abort'];

function call(who: Side, v: unknown, where: string): Step {
  if (typeof v === 'string') {
    if (v === 'send') fail(where, 'send needs a byte count or a text: { send: 1000 }');
    if (!CALLS.includes(v)) fail(where, `unknown call '${v}' (use ${CALLS.join(', ')})`);
    return { side: who, call: v } as Step;
  }
  if (!isObj(v) || Object.keys(v).length !== 1) {
    fail(where, `expected one call, e.g. close or { send: 1000 }`);
  }
  const [name, arg] = Object.entries(v)[0] as [string, unknown];
  switch (name) {
    case 'listen':
      if (isObj(arg)) {
        return {
          side: who,
          call: 'listen',
          port: arg.port === undefined ? undefined : port(arg.port, `${where}.listen.port`),
          fastOpen:
            arg.fastOpen === undefined
              ? undefined
              : number(arg.fastOpen, `${where}.listen.fastOpen`, 1, 65535, true),
        };
      }
      return {
        side: who,
        call: 'listen',
        port: arg == null ? undefined : port(arg, `${where}.listen`),
      };
    case 'connect': {
      if (arg == null) return { side: who, call: 'connect' };
      if (typeof arg === 'number')
        return { side: who, call: 'connect', port: port(arg, `${where}.connect`) };
      if (!isObj(arg)) fail(`${where}.connect`, 'expected a port or { port, localPort, fastOpen }');
      if (arg.fastOpen !== undefined && typeof arg.fastOpen !== 'string')
        fail(`${where}.connect.fastOpen`, 'expected the text to send with Fast Open');
      return {
        side: who,
        call: 'connect',
        port: arg.port === undefined ? undefined : port(arg.port, `${where}.connect.port`),
        localPort:
          arg.localPort === undefined
            ? undefined
            : port(arg.localPort, `${where}.connect.localPort`),
        ...(arg.fastOpen === undefined ? {} : { fastOpen: arg.fastOpen as string }),
      };
    }
    case 'send':
      if (typeof arg === 'string')
        return { side: who, call: 'send', bytes: new TextEncoder().encode(arg).length, text: arg };
      return { side: who, call: 'send', bytes: number(arg, `${where}.send`, 1, 1 << 30, true) };
    default:
      if (CALLS.includes(name)) return call(who, name, where);
      fail(where, `unknown call '${name}' (use ${CALLS.join(', ')})`);
  }
}

function step(v: unknown, where: string): Step {
  if (!isObj(v) || Object.keys(v).length !== 1) {
    fail(
      where,
      'each step is one of a:, b:, wait:, faults:, partition:, heal:, drop:, reject:, flood:, blind:',
    );
  }
  const [key, arg] = Object.entries(v)[0] as [string, unknown];
  switch (key) {
    case 'a':
    case 'b':
      return call(key, arg, `${where}.${key}`);
    case 'wait': {
      if (typeof arg === 'number') return { wait: number(arg, `${where}.wait`, 0, 3_600_000) };
      if (!isObj(arg) || Object.keys(arg).length !== 1) {
        fail(`${where}.wait`, 'expected milliseconds or { a: STATE } / { b: STATE }');
      }
      const [who, name] = Object.entries(arg)[0] as [string, unknown];
      const state = typeof name === 'string' ? parseState(name) : undefined;
      if (!state) fail(`${where}.wait.${who}`, `unknown TCP state ${JSON.stringify(name)}`);
      return { waitFor: { side: side(who, `${where}.wait`), state } };
    }
    case 'faults':
    case 'fault':
      if (!isObj(arg))
        fail(`${where}.${key}`, 'expected { direction: a->b|b->a|both, latency:…, loss:… }');
      return {
        faults: faults(arg, `${where}.${key}`, true),
        direction:
          arg.direction === undefined
            ? 'both'
            : direction(arg.direction, `${where}.${key}.direction`),
      };
    case 'partition':
      return { partition: direction(arg ?? 'both', `${where}.partition`) };
    case 'heal':
      return { heal: direction(arg ?? 'both', `${where}.heal`) };
    case 'drop':
    case 'reject': {
      const w = `${where}.${key}`;
      if (!isObj(arg)) fail(w, `expected { from: a|b, flags: FIN, count: 1 }`);
      const flags = typeof arg.flags === 'string' ? arg.flags.toUpperCase() : '';
      if (!/^(SYN|FIN|RST|PSH|ACK|URG)(,(SYN|FIN|RST|PSH|ACK|URG))*$/.test(flags)) {
        fail(`${w}.flags`, 'expected flag names like SYN or FIN,ACK');
      }
      const rule = {
        from: side(arg.from, `${w}.from`),
        flags: flags.split(',') as TcpFlagName[],
        count: arg.count === undefined ? 1 : number(arg.count, `${w}.count`, 1, 1000, true),
      };
      if (key === 'drop') return { drop: rule };
      // ICMP destination unreachable codes (RFC 792, RFC 1812): 0 to 15.
      const code = arg.code === undefined ? undefined : number(arg.code, `${w}.code`, 0, 15, true);
      return { reject: code === undefined ? rule : { ...rule, code } };
    }
    case 'flood': {
      if (!isObj(arg)) fail(`${where}.flood`, 'expected { rate: SYN/s, duration: ms, port: 80 }');
      return {
        flood: {
          rate: number(arg.rate, `${where}.flood.rate`, 1, 100_000, true),
          duration: number(arg.duration, `${where}.flood.duration`, 1, 600_000, true),
          ...(arg.port === undefined ? {} : { port: port(arg.port, `${where}.flood.port`) }),
        },
      };
    }
    case 'blind': {
      if (!isObj(arg))
        fail(
          `${where}.blind`,
          'expected { target: a|b, kinds: "RST,SYN", count: N, duration: ms }',
        );
      const kinds = typeof arg.kinds === 'string' ? arg.kinds.toUpperCase() : 'RST,SYN';
      if (!/^(RST|SYN)(,(RST|SYN))?$/.test(kinds))
        fail(`${where}.blind.kinds`, 'expected RST, SYN or RST,SYN');
      return {
        blind: {
          target: side(arg.target, `${where}.blind.target`),
          kinds: [...new Set(kinds.split(',') as BlindKind[])],
          count: number(arg.count, `${where}.blind.count`, 1, 1_000_000, true),
          duration: number(arg.duration, `${where}.blind.duration`, 1, 600_000, true),
        },
      };
    }
    default:
      fail(
        where,
        `unknown step '${key}' (use a, b, wait, faults, partition, heal, drop, reject, flood, blind)`,
      );
  }
}

function cookieMode(v: unknown, name: string): SynCookieMode {
  if (v === 'off' || v === 'overflow' || v === 'always') return v;
  return fail(`${name}: synCookies`, 'expected off, overflow or always');
}

function ipFamily(v: unknown, name: string): IpFamily {
  if (v === 'ipv4' || v === 'ipv6') return v;
  return fail(`${name}: family`, 'expected ipv4 or ipv6');
}

function ecnMode(v: unknown, name: string): EcnMode {
  if (v === 'off' || v === 'on' || v === 'accept') return v;
  return fail(`${name}: ecn`, 'expected on, accept or off');
}

/** Parses a scenario file's text; `name` (the file name) is used in messages and as default name. */
export function parseScenarioFile(text: string, name: string): Script {
  let doc: unknown;
  try {
    doc = /\.json$/i.test(name) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    fail(name, `not valid ${/\.json$/i.test(name) ? 'JSON' : 'YAML'}: ${first}`);
  }
  if (!isObj(doc)) fail(name, 'expected a mapping with steps:');
  const known = new Set([
    'name',
    'description',
    'port',
    'network',
    'mss',
    'settle',
    'steps',
    'keepalive',
    'synRetries',
    'userTimeout',
    'synCookies',
    'family',
    'ecn',
  ]);
  for (const key of Object.keys(doc))
    if (!known.has(key)) fail(name, `unknown key '${key}'`, [key]);
  if (!Array.isArray(doc.steps) || doc.steps.length === 0)
    fail(name, 'steps: must be a non-empty list', ['steps']);
  const ka = doc.keepalive;
  return {
    name:
      typeof doc.name === 'string'
        ? doc.name
        : name.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, ''),
    description: typeof doc.description === 'string' ? doc.description : '',
    port: doc.port === undefined ? 80 : port(doc.port, `${name}: port`),
    network: {
      latency: 10,
      ...(doc.network === undefined ? {} : faults(doc.network, `${name}: network`, false)),
    },
    mss: doc.mss === undefined ? undefined : number(doc.mss, `${name}: mss`, 64, 65495, true),
    settle: doc.settle === undefined ? 1000 : number(doc.settle, `${name}: settle`, 0, 3_600_000),
    userTimeout:
      doc.userTimeout === undefined
        ? undefined
        : number(doc.userTimeout, `${name}: userTimeout`, 1, 86_400_000),
    synRetries:
      doc.synRetries === undefined
        ? undefined
        : number(doc.synRetries, `${name}: synRetries`, 0, 20, true),
    keepalive:
      ka === undefined
        ? undefined
        : isObj(ka)
          ? {
              idle: number(ka.idle, `${name}: keepalive.idle`, 1, 86_400_000),
              interval: number(ka.interval, `${name}: keepalive.interval`, 1, 86_400_000),
              count: number(ka.count, `${name}: keepalive.count`, 1, 100, true),
            }
          : fail(`${name}: keepalive`, 'expected { idle, interval, count }'),
    ...(doc.synCookies === undefined ? {} : { synCookies: cookieMode(doc.synCookies, name) }),
    ...(doc.family === undefined ? {} : { family: ipFamily(doc.family, name) }),
    ...(doc.ecn === undefined ? {} : { ecn: ecnMode(doc.ecn, name) }),
    steps: doc.steps.map((s, i) => step(s, `${name}: step ${i + 1}`)),
  };
}
