/** `addr:port` as the test contract writes it (`[addr]:port` for IPv6), and a socket's id. */
import type { Endpoint } from '../../state/states.js';

export function endpointText(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** A socket's id on the page (`data-active`, history): its 4-tuple, local first. */
export function socketId(local: Endpoint, remote: Endpoint): string {
  return `${endpointText(local)}-${endpointText(remote)}`;
}
