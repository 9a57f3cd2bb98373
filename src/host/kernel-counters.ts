/**
 * The text of the kernel's counter files, parsed: /proc/net/netstat and /proc/net/snmp (name
 * and value lines per section), /proc/net/sockstat. Pure: kernel/kernel-info.ts reads the files.
 */
import type { SockstatTcp } from './types.js';

/**
 * Parses the two-line-per-section format of /proc/net/netstat and /proc/net/snmp:
 * `Prefix: Name1 Name2 …` followed by `Prefix: v1 v2 …`.
 */
export function parseCounterSections(text: string): Map<string, Record<string, number>> {
  const sections = new Map<string, Record<string, number>>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].split(/\s+/).filter(Boolean);
    const values = lines[i + 1].split(/\s+/).filter(Boolean);
    const prefix = names[0];
    if (!prefix?.endsWith(':') || values[0] !== prefix) continue;
    const record: Record<string, number> = {};
    for (let k = 1; k < names.length && k < values.length; k++)
      record[names[k]] = Number(values[k]);
    sections.set(prefix.slice(0, -1), record);
  }
  return sections;
}

/** The `TCP:` line of /proc/net/sockstat: `TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1`. */
export function parseSockstat(text: string): SockstatTcp | undefined {
  const line = text.split('\n').find((l) => l.startsWith('TCP:'));
  if (!line) return undefined;
  const words = line.split(/\s+/);
  const field = (name: string): number => {
    const i = words.indexOf(name);
    return i >= 0 ? Number(words[i + 1]) : 0;
  };
  return {
    inuse: field('inuse'),
    orphan: field('orphan'),
    tw: field('tw'),
    alloc: field('alloc'),
    mem: field('mem'),
  };
}
