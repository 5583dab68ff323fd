import type { BenchEnv } from '../lib/benchEnv.js';
import type { ScenarioResult } from '../lib/report.js';

/** Ceilings measured by scenario E, used by the others to give their results as a fraction. */
export interface Ceilings {
  postgresCommitsPerS?: number;
  kafkaMessagesPerS?: number;
  payloadBytes?: number;
  /** One commit of a 1-row insert transaction, one client, median (ms): the floor of a database hop. */
  commitMs?: number;
  /** One message produced with acks=-1 and acknowledged, median (ms): the floor of a Kafka hop. */
  produceMs?: number;
}

export interface ScenarioContext {
  env: BenchEnv;
  quick: boolean;
  seed: number;
  now: Date;
  ceilings: Ceilings;
  log(message: string): void;
}

export interface Scenario {
  id: string;
  title: string;
  /** Run by a full `npm run bench` only when named with --scenario (it takes long); --quick runs it anyway. */
  optIn?: boolean;
  run(
    ctx: ScenarioContext,
  ): Promise<Omit<ScenarioResult, 'id' | 'title' | 'durationS' | 'peakRssMb'> & { peakRssMb?: number }>;
}

export const pct = (value: number, ceiling: number | undefined) =>
  ceiling ? `${((100 * value) / ceiling).toFixed(0)}% of ceiling` : '';
export const times = (a: number, b: number) =>
  b > 0 ? `${a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(1)}x` : 'n/a';
