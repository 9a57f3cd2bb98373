/**
 * The simulator's editor text: a script written out in the scenario file format of `tcpstate
 * sim FILE` (scenario/file.ts, README "Your own scenarios"), and that text read back with the
 * line and column of the first mistake, so the editor can mark it.
 */
import { isMap, isSeq, LineCounter, type Node, parseDocument, stringify } from 'yaml';
import { parseScenarioFile, ScenarioFileError } from '../../scenario/file.js';
import type { LinkFaults, Script, Step } from '../../scenario/script.js';

/** The name the editor's text goes by in messages (the file format wants one). */
export const EDITOR_NAME = 'scenario.yaml';

/** A scalar as YAML writes it: plain where that reads back the same, quoted where not. */
function scalar(v: string | number): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function flow(entries: Array<[string, string | number | undefined]>): string {
  const kept = entries.filter((e): e is [string, string | number] => e[1] !== undefined);
  // In a flow mapping a comma or bracket ends the value, so such strings are quoted.
  const text = (v: string | number) =>
    typeof v === 'string' && /[,[\]{}]/.test(v) ? JSON.stringify(v) : scalar(v);
  return `{ ${kept.map(([k, v]) => `${k}: ${text(v)}`).join(', ')} }`;
}

function faultEntries(f: LinkFaults): Array<[string, number | undefined]> {
  return Object.entries(f) as Array<[string, number | undefined]>;
}

function stepText(s: Step): string {
  if ('side' in s) {
    switch (s.call) {
      case 'listen':
        if (s.fastOpen !== undefined)
          return `${s.side}: { listen: ${flow([
            ['port', s.port],
            ['fastOpen', s.fastOpen],
          ])} }`;
        return `${s.side}: ${s.port === undefined ? 'listen' : flow([['listen', s.port]])}`;
      case 'connect':
        if (s.localPort !== undefined || s.fastOpen !== undefined)
          return `${s.side}: { connect: ${flow([
            ['port', s.port],
            ['localPort', s.localPort],
            ['fastOpen', s.fastOpen],
          ])} }`;
        return `${s.side}: ${s.port === undefined ? 'connect' : flow([['connect', s.port]])}`;
      case 'send':
        return `${s.side}: ${flow([['send', s.text ?? s.bytes]])}`;
      default:
        return `${s.side}: ${s.call}`;
    }
  }
  if ('wait' in s) return `wait: ${s.wait}`;
  if ('waitFor' in s) return `wait: ${flow([[s.waitFor.side, s.waitFor.state]])}`;
  if ('faults' in s)
    return `faults: ${flow([['direction', s.direction], ...faultEntries(s.faults)])}`;
  if ('partition' in s) return `partition: ${s.partition}`;
  if ('heal' in s) return `heal: ${s.heal}`;
  if ('flood' in s)
    return `flood: ${flow([
      ['rate', s.flood.rate],
      ['duration', s.flood.duration],
      ['port', s.flood.port],
    ])}`;
  if ('blind' in s)
    return `blind: ${flow([
      ['target', s.blind.target],
      ['kinds', s.blind.kinds.join(',')],
      ['count', s.blind.count],
      ['duration', s.blind.duration],
    ])}`;
  if ('reject' in s)
    return `reject: ${flow([
      ['from', s.reject.from],
      ['flags', s.reject.flags.join(',')],
      ['count', s.reject.count],
      ['code', s.reject.code],
    ])}`;
  return `drop: ${flow([
    ['from', s.drop.from],
    ['flags', s.drop.flags.join(',')],
    ['count', s.drop.count],
  ])}`;
}

/** The script as a scenario file; `parseScenarioFile` reads it back to the same script. */
export function scriptToYaml(script: Script): string {
  const lines = [`name: ${scalar(script.name)}`];
  if (script.description !== '') lines.push(`description: ${scalar(script.description)}`);
  lines.push(`port: ${script.port}`);
  lines.push(`network: ${flow(faultEntries(script.network))}`);
  if (script.mss !== undefined) lines.push(`mss: ${script.mss}`);
  if (script.keepalive !== undefined)
    lines.push(`keepalive: ${flow(Object.entries(script.keepalive))}`);
  if (script.userTimeout !== undefined) lines.push(`userTimeout: ${script.userTimeout}`);
  if (script.synRetries !== undefined) lines.push(`synRetries: ${script.synRetries}`);
  if (script.synCookies !== undefined) lines.push(`synCookies: ${script.synCookies}`);
  if (script.ecn !== undefined) lines.push(`ecn: ${script.ecn}`);
  if (script.family !== undefined) lines.push(`family: ${script.family}`);
  lines.push(`settle: ${script.settle}`);
  lines.push('steps:');
  for (const s of script.steps) lines.push(`  - ${stepText(s)}`);
  return `${lines.join('\n')}\n`;
}

export type TextResult =
  | { ok: true; script: Script }
  | {
      ok: false;
      /** 1-based, as editors number lines. */
      line: number;
      column: number;
      /** The mistake, without the file name: "step 3.a: unknown call 'jump' …". */
      message: string;
    };

/** The deepest node on `path` that the document has (a missing key points at its parent). */
function nodeOn(root: unknown, path: ReadonlyArray<string | number>): Node | undefined {
  let node = root as Node | undefined;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) next = node.get(key, true);
    else if (isSeq(node) && typeof key === 'number') next = node.get(key, true);
    if (next === undefined || next === null) break;
    node = next as Node;
  }
  return node;
}

export function parseScenarioText(text: string): TextResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0]);
    const first = syntax.message.split('\n')[0] ?? '';
    return {
      ok: false,
      line: at.line,
      column: at.col,
      message: `not valid YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`,
    };
  }
  try {
    return { ok: true, script: parseScenarioFile(text, EDITOR_NAME) };
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    const node = nodeOn(doc.contents, err.path);
    const at = lines.linePos(node?.range?.[0] ?? 0);
    return {
      ok: false,
      line: at.line,
      column: at.col,
      message: err.message.startsWith(`${EDITOR_NAME}: `)
        ? err.message.slice(EDITOR_NAME.length + 2)
        : err.message,
    };
  }
}
