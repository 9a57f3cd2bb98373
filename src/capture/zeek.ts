/**
 * Zeek's conn_state code for a TCP connection, as Zeek's conn.log documents it
 * (https://docs.zeek.org/en/current/scripts/base/protocols/conn/main.zeek.html, Conn::Info
 * fields conn_state and history), so that users of both tools can compare. The history string
 * itself is built packet by packet in connection.ts.
 */
import type { Connection } from './connection.js';

export type ZeekConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

/** What each code means, in Zeek's sense (a = originator, b = responder). */
export const ZEEK_MEANINGS: Readonly<Record<ZeekConnState, string>> = {
  S0: 'connection attempt seen, no reply',
  S1: 'established, not terminated',
  SF: 'normal establishment and termination',
  REJ: 'connection attempt rejected',
  S2: 'established, the originator closed, no reply from the responder',
  S3: 'established, the responder closed, no reply from the originator',
  RSTO: 'established, the originator aborted (sent a RST)',
  RSTR: 'the responder sent a RST',
  RSTOS0: 'the originator sent a SYN then a RST; no SYN,ACK from the responder',
  RSTRH: 'the responder sent a SYN,ACK then a RST; no SYN from the originator seen',
  SH: 'the originator sent a SYN then a FIN; no SYN,ACK from the responder',
  SHR: 'the responder sent a SYN,ACK then a FIN; no SYN from the originator seen',
  OTH: 'no SYN seen, only midstream traffic',
};

export function zeekConnState(c: Connection): ZeekConnState {
  const a = c.sides.a.stats;
  const b = c.sides.b.stats;
  const synA = a.synTime !== undefined;
  // b's SYN is its SYN,ACK (b is the responder), unless a simultaneous open made it a bare SYN.
  const synAckB = b.synTime !== undefined;
  const rstA = a.rstTime !== undefined;
  const rstB = b.rstTime !== undefined;
  const finA = a.finTime !== undefined;
  const finB = b.finTime !== undefined;
  if (!synA && !synAckB) return 'OTH';
  if (synA && !synAckB) {
    if (rstB) return 'REJ';
    if (rstA) return 'RSTOS0';
    if (finA) return 'SH';
    return b.packets === 0 ? 'S0' : 'OTH';
  }
  if (!synA) {
    if (rstB) return 'RSTRH';
    if (finB) return 'SHR';
    return 'OTH';
  }
  if (rstA || rstB) {
    if (rstA && (!rstB || (a.rstTime ?? 0) <= (b.rstTime ?? 0))) return 'RSTO';
    return 'RSTR';
  }
  if (finA && finB) return 'SF';
  if (finA) return 'S2';
  if (finB) return 'S3';
  return 'S1';
}
