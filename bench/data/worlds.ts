// The worlds the generator can make (BENCH_DENSITY): how many dealers share the hunts, how broad the
// hunts are, how many of them contact sellers. Only thresholds differ between worlds, never the order of
// the random draws, so the light world is the data set scenarios A to D' have always been measured with.
import type { Channel } from '../../src/domain/types.js';

export interface HuntWorld {
  name: string;
  /** Dealers the hunts are spread over; undefined: accounts of 1 to 60 hunts (median 8), as many as it takes. */
  accounts?: number;
  /** Single-brand hunts that also name a model (a keyword). */
  modelShare: number;
  /** Hunts limited to private sellers (another 5% take pros only). */
  privateOnlyShare: number;
  /** Radii are the usual ones (20-150 km) times this. */
  radiusScale: number;
  /** Price ceilings are the usual ones times this. */
  priceScale: number;
  activeShare: number;
  /** Hunts that contact sellers, and on which channel (from a uniform draw). */
  outreachShare: number;
  channel: (x: number) => Channel;
  /** Contacting hunts with a daily pacing limit (5 to 40 a day). */
  pacingShare: number;
}

export const WORLDS: Record<'light' | 'dense', HuntWorld> = {
  /** About 3.9 leads and 1.7 contactable leads per ad against 10,000 hunts (bench/tools/worldDensity.ts). */
  light: {
    name: 'light',
    modelShare: 0.85,
    privateOnlyShare: 0.45,
    radiusScale: 1,
    priceScale: 1,
    activeShare: 0.93,
    outreachShare: 0.7,
    channel: (x) => (x < 0.75 ? 'sms' : x < 0.9 ? 'whatsapp' : 'leboncoin'),
    pacingShare: 0.4,
  },
  /**
   * The load seen from outside: 500 dealers with 20 hunts each on average, broader hunts
   * (fewer name a model), nearly all contacting (two in five through leboncoin's messaging, which needs no
   * phone), no pacing limit (a limit reached would measure the policy, not the pipeline, as the lifted
   * SEND_RATE_PER_MINUTE does). About 6 leads and 3.9 contactable leads per ad against 10,000 hunts.
   */
  dense: {
    name: 'dense',
    accounts: 500,
    modelShare: 0.5,
    privateOnlyShare: 0.3,
    radiusScale: 1.3,
    priceScale: 1.15,
    activeShare: 0.95,
    outreachShare: 0.97,
    channel: (x) => (x < 0.5 ? 'sms' : x < 0.6 ? 'whatsapp' : 'leboncoin'),
    pacingShare: 0,
  },
};

export type WorldName = keyof typeof WORLDS;

/** BENCH_DENSITY: unset or `light` (today's world), `dense`. */
export function worldOf(value: string | undefined): HuntWorld {
  if (value === undefined || value === '' || value === 'light') return WORLDS.light;
  if (value === 'dense') return WORLDS.dense;
  throw new Error(`BENCH_DENSITY must be light or dense, not ${value}`);
}
