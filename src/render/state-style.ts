/** The colour each state has in every table, so a state looks the same in ls, summary and doctor. */
import type { TcpState } from '../state/states.js';
import type { Colors } from './table-style.js';

const STATE_COLOR: Partial<Record<TcpState, keyof Colors>> = {
  LISTEN: 'cyan',
  ESTABLISHED: 'green',
  CLOSE_WAIT: 'red',
  FIN_WAIT2: 'yellow',
  SYN_SENT: 'yellow',
  SYN_RECV: 'yellow',
  TIME_WAIT: 'dim',
};

export function stateStyle(c: Colors, state: TcpState): (text: string) => string {
  const name = STATE_COLOR[state];
  const fn = name ? c[name] : undefined;
  return typeof fn === 'function' ? (fn as (t: string) => string) : (t: string) => t;
}
