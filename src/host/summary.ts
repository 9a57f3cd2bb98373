/** The data of `tcpstate` with no arguments: counts per state, listening ports, findings. */
import type { Lang } from '../state/meanings.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import { diagnose } from './doctor.js';
import type { DiagnoseContext, Finding, HostSocket } from './types.js';

export interface StateCount {
  state: TcpState;
  count: number;
}

export interface ListeningPort {
  port: number;
  /** Local addresses listened on ("0.0.0.0", "::", "127.0.0.1", …). */
  addresses: string[];
  pid: number | null;
  process: string | null;
  /** Connections waiting for accept(), summed over the addresses. */
  acceptQueue: number;
  /** The listen() backlog (the largest among the addresses); null when unknown. */
  backlog: number | null;
}

export interface HostSummary {
  total: number;
  states: StateCount[];
  listening: ListeningPort[];
  findings: Finding[];
}

export function countStates(sockets: readonly HostSocket[]): StateCount[] {
  const counts = new Map<TcpState, number>();
  for (const s of sockets) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return TCP_STATES.filter((s) => counts.has(s)).map((state) => ({
    state,
    count: counts.get(state) ?? 0,
  }));
}

export function listeningPorts(sockets: readonly HostSocket[]): ListeningPort[] {
  const byKey = new Map<string, ListeningPort>();
  for (const s of sockets) {
    if (s.state !== 'LISTEN') continue;
    const key = `${s.local.port}/${s.pid ?? s.inode ?? ''}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        port: s.local.port,
        addresses: [],
        pid: s.pid ?? null,
        process: s.process ?? null,
        acceptQueue: 0,
        backlog: null,
      };
      byKey.set(key, entry);
    }
    if (!entry.addresses.includes(s.local.address)) entry.addresses.push(s.local.address);
    entry.acceptQueue += s.recvQ;
    if (!s.backlogUnknown) entry.backlog = Math.max(entry.backlog ?? 0, s.sendQ);
  }
  return [...byKey.values()].sort((a, b) => a.port - b.port || (a.pid ?? 0) - (b.pid ?? 0));
}

export function summarize(
  sockets: readonly HostSocket[],
  context: DiagnoseContext,
  lang: Lang = 'en',
): HostSummary {
  return {
    total: sockets.length,
    states: countStates(sockets),
    listening: listeningPorts(sockets),
    findings: diagnose(sockets, context, lang),
  };
}
