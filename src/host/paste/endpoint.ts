/**
 * Endpoint text as the different tools print it:
 *   colon style  `10.0.0.1:22`, `0.0.0.0:*`, `:::22`, `::ffff:10.0.0.1:80` (Linux netstat),
 *                `[::1]:80`, `*:80`, `127.0.0.53%lo:53`, `[fe80::1%eth0]:22` (ss; Windows `[::]:135`)
 *   dot style    `192.168.1.5.52345`, `*.80`, `*.*`, `fe80::1%lo0.631` (macOS / BSD netstat)
 * A wildcard address becomes 0.0.0.0 or ::, a wildcard port 0; a zone (`%lo`) is dropped.
 */
import type { Endpoint } from '../../state/states.js';

export interface ParsedEndpoint extends Endpoint {
  family: 4 | 6;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

function isIpv6(text: string): boolean {
  if (!IPV6.test(text) || !text.includes(':')) return false;
  // At most one "::", at most 8 groups; an embedded IPv4 tail must itself be valid.
  if (text.split('::').length > 2) return false;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.') && !isIpv4(tail)) return false;
  const groups = text.split(':');
  return (
    groups.length <= 9 && groups.every((g) => g === '' || /^[0-9a-f]{1,4}$/i.test(g) || isIpv4(g))
  );
}

function parsePort(text: string): number | undefined {
  if (text === '*') return 0;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** The address part (brackets and zone removed), or undefined if it is not an address. */
export function parseAddress(
  raw: string,
  familyHint?: 4 | 6,
): { address: string; family: 4 | 6 } | undefined {
  let text = raw;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text === '*') {
    return familyHint === 6 ? { address: '::', family: 6 } : { address: '0.0.0.0', family: 4 };
  }
  if (isIpv4(text)) return { address: text, family: 4 };
  if (isIpv6(text)) return { address: text.toLowerCase(), family: 6 };
  return undefined;
}

/** `host:port` with the port after the last colon (Linux netstat, ss, Windows). */
export function parseColonEndpoint(text: string, familyHint?: 4 | 6): ParsedEndpoint | undefined {
  const cut = text.lastIndexOf(':');
  if (cut < 0) return undefined;
  const port = parsePort(text.slice(cut + 1));
  const host = text.slice(0, cut);
  if (port === undefined || host === '') return undefined;
  // `:::22` is `::` and port 22; `::*` (rare) is `:` + `*`, which is no address.
  const address = parseAddress(host, familyHint);
  return address ? { ...address, port } : undefined;
}

/** `host.port` with the port after the last dot (macOS / BSD netstat). */
export function parseDotEndpoint(text: string, familyHint?: 4 | 6): ParsedEndpoint | undefined {
  const cut = text.lastIndexOf('.');
  if (cut <= 0) return undefined;
  const port = parsePort(text.slice(cut + 1));
  const address = parseAddress(text.slice(0, cut), familyHint);
  return port !== undefined && address ? { ...address, port } : undefined;
}
