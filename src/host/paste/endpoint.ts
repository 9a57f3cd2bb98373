/**
 * Endpoint text as the different tools print it:
 *   colon style  `10.0.0.1:22`, `0.0.0.0:*`, `:::22`, `::ffff:10.0.0.1:80` (Linux netstat),
 *                `[::1]:80`, `*:80`, `127.0.0.53%lo:53`, `[fe80::1%eth0]:22` (ss; Windows `[::]:135`)
 *   dot style    `192.168.1.5.52345`, `*.80`, `*.*`, `fe80::1%lo0.631` (macOS / BSD netstat)
 * A wildcard address becomes 0.0.0.0 or ::, a wildcard port 0; a zone (`%lo`) is dropped.
 * Without -n, netstat prints names: `localhost:ssh`, `DESKTOP-7Q2K9LM:0`, `host.example.net.https`;
 * a well-known service name becomes its port, a host name is kept as the address.
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

/**
 * Service names that netstat prints for well-known ports when run without -n (from
 * /etc/services on Linux and macOS, %SystemRoot%\System32\drivers\etc\services on Windows;
 * the numbers are IANA's). A name not here cannot be turned back into its number.
 */
const SERVICES: Readonly<Record<string, number>> = {
  'ftp-data': 20,
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  www: 80,
  'www-http': 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  epmap: 135,
  'netbios-ssn': 139,
  imap: 143,
  imap2: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  shell: 514,
  printer: 515,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  'ms-sql-s': 1433,
  mysql: 3306,
  'ms-wbt-server': 3389,
  postgresql: 5432,
  x11: 6000,
  'http-alt': 8080,
  webcache: 8080,
};

function parsePort(text: string): number | undefined {
  if (text === '*') return 0;
  if (!/^\d{1,5}$/.test(text)) {
    const service = text.toLowerCase();
    return Object.hasOwn(SERVICES, service) ? SERVICES[service] : undefined;
  }
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Why a port text is not a number tcpstate can use, for the note on an unread row. */
export function unknownService(text: string): boolean {
  return /^[a-z][a-z0-9-]*$/i.test(text) && parsePort(text) === undefined;
}

/** A host name (netstat without -n): letters, digits, dots, dashes, with at least one letter. */
const HOST_NAME =
  /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

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
  // A name instead of an address: kept as printed (it cannot be resolved here), and IPv4
  // unless the row says otherwise; a dotted-number text is a broken address, not a name.
  if (HOST_NAME.test(text) && !/^[\d.]+$/.test(text)) {
    return { address: text, family: familyHint ?? 4 };
  }
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
