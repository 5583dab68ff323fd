// What a long run watches of a running service, from outside: its process figures on /metrics
// (prom-client's default metrics, which src/platform/metrics.ts registers: resident memory, heap,
// event-loop delay since the previous scrape), the outbox's size in its database and the lag of its
// consumer groups on the broker; and whether a series stayed flat.
import type { Admin } from 'kafkajs';
import type { Db } from '../../src/db/knex.js';
import { parseHistograms } from './promHistogram.js';

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
  /** V8's old space in use, and memory held outside the heap (Buffers): where a leak shows first. */
  oldSpaceMb: number;
  externalMb: number;
  /** CPU seconds of the process so far (process_cpu_seconds_total). */
  cpuSeconds: number;
  /** hunt_matcher_hop_seconds so far, by hop: count and sum (the difference of two samples is a window's mean). */
  hops: Record<string, { count: number; sum: number }>;
  /** Dead row versions of the busiest tables (pg_stat_user_tables): what a server without autovacuum piles up. */
  deadRows: Record<string, number>;
}

/** The busiest tables of the service, whose dead row versions a long run watches. */
const WATCHED_TABLES = ['outbox', 'inbox', 'messages', 'leads', 'contacted_ads', 'seller_contacts', 'ads'];

/** Every series of a gauge with one label in a Prometheus text: label value -> sample value. */
function labelledValues(text: string, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} ([0-9.eE+-]+|NaN)$`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  return out;
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
  const dead = await w.db.raw<{ rows: Array<{ relname: string; n: string }> }>(
    'SELECT relname, n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = ANY(?) AND schemaname = current_schema()',
    [WATCHED_TABLES],
  );
  const lag: Record<string, number> = {};
  for (const [name, { groupId, topic }] of Object.entries(w.groups)) {
    const [ends, [committed]] = await Promise.all([
      w.admin.fetchTopicOffsets(topic),
      w.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
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
    oldSpaceMb: mb(labelledValues(text, 'nodejs_heap_space_size_used_bytes', 'space').get('old') ?? NaN),
    externalMb: mb(gaugeValue(text, 'nodejs_external_memory_bytes')),
    cpuSeconds: gaugeValue(text, 'process_cpu_seconds_total'),
    hops: Object.fromEntries(
      [...parseHistograms(text, 'hunt_matcher_hop_seconds', 'hop')].map(([hop, { count, sum }]) => [
        hop,
        { count, sum },
      ]),
    ),
    deadRows: Object.fromEntries(dead.rows.map((r) => [r.relname, Number(r.n)])),
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
