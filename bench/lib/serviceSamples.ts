// What a long run watches of a running service, from outside: its process figures on /metrics
// (prom-client's default metrics, which src/platform/metrics.ts registers: resident memory, heap,
// event-loop delay since the previous scrape), the outbox's size in its database and the lag of its
// consumer groups on the broker; and whether a series stayed flat.
import type { Admin } from 'kafkajs';
import type { Db } from '../../src/db/knex.js';

export interface ServiceSample {
  /** Seconds since the load started. */
  at: number;
  rssMb: number;
  heapUsedMb: number;
  /** Event-loop delay since the previous scrape (prom-client resets its histogram at each scrape). */
  loopP99Ms: number;
  loopMaxMs: number;
  loopMeanMs: number;
  outboxRows: number;
  /** Messages not yet committed by each consumer group, summed over its topic's partitions. */
  lag: Record<string, number>;
}

/** The value of a sample without labels (a gauge) in a Prometheus text; NaN when absent. */
export function gaugeValue(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export interface Watched {
  metricsUrl: string;
  db: Db;
  admin: Admin;
  /** Consumer groups (full ids) and the topic (full name) each reads. */
  groups: Record<string, { groupId: string; topic: string }>;
}

export async function takeSample(w: Watched, at: number): Promise<ServiceSample> {
  const text = await (await fetch(w.metricsUrl)).text();
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const ms = (seconds: number) => seconds * 1000;
  const { rows } = await w.db.raw<{ rows: Array<{ n: string }> }>('SELECT count(*) AS n FROM outbox');
  const lag: Record<string, number> = {};
  for (const [name, { groupId, topic }] of Object.entries(w.groups)) {
    const [ends, [committed]] = await Promise.all([w.admin.fetchTopicOffsets(topic), w.admin.fetchOffsets({ groupId, topics: [topic] })]);
    lag[name] = ends.reduce((sum, e) => {
      const c = Number(committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1');
      return sum + Math.max(0, Number(e.high) - Math.max(0, c));
    }, 0);
  }
  return {
    at,
    rssMb: mb(gaugeValue(text, 'process_resident_memory_bytes')),
    heapUsedMb: mb(gaugeValue(text, 'nodejs_heap_size_used_bytes')),
    loopP99Ms: ms(gaugeValue(text, 'nodejs_eventloop_lag_p99_seconds')),
    loopMaxMs: ms(gaugeValue(text, 'nodejs_eventloop_lag_max_seconds')),
    loopMeanMs: ms(gaugeValue(text, 'nodejs_eventloop_lag_mean_seconds')),
    outboxRows: Number(rows[0]!.n),
    lag,
  };
}

export interface Flatness {
  first: number;
  last: number;
  flat: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Flat: the median of the last third of the series is at most `relative` (a fraction) or `absolute`
 * (whichever allows more) above the median of its first third. The first sample is left out: it holds
 * the start (code being compiled, pools filling), not the steady state.
 */
export function flatness(series: number[], allowance: { relative: number; absolute: number }): Flatness {
  const xs = series.length > 1 ? series.slice(1) : series;
  const third = Math.max(1, Math.floor(xs.length / 3));
  const first = median(xs.slice(0, third));
  const last = median(xs.slice(-third));
  return { first, last, flat: last - first <= Math.max(allowance.relative * first, allowance.absolute) };
}
