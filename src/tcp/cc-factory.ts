/**
 * Makes a connection's congestion controller from ConnectionConfig.congestionControl. The
 * registry maps each kind to its constructor; a kind with no entry falls back to NewReno, so
 * a config naming a controller this build does not have still makes a working connection.
 */
import type { CongestionControlKind, CongestionController } from './cc.js';
import { Cubic } from './cubic.js';
import { NewRenoController } from './newreno.js';

export type ControllerMaker = (mss: number, initialCwndSegments: number) => CongestionController;

export const CONTROLLERS: Partial<Record<CongestionControlKind, ControllerMaker>> = {
  newreno: (mss, iw) => new NewRenoController(mss, iw),
  // CUBIC (RFC 9438) with HyStart++ (RFC 9406), Linux's default.
  cubic: (mss, iw) => new Cubic(mss, iw),
};

export function makeController(
  kind: CongestionControlKind,
  mss: number,
  initialCwndSegments: number,
  registry: Partial<Record<CongestionControlKind, ControllerMaker>> = CONTROLLERS,
): CongestionController {
  const make = registry[kind] ?? (CONTROLLERS.newreno as ControllerMaker);
  return make(mss, initialCwndSegments);
}
