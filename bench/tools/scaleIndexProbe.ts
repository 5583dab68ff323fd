// The matcher's hunt index at scale, in a process of its own so that its memory is the index's alone
// (bench/scenarios/scale.ts runs it): node --expose-gc --import tsx bench/tools/scaleIndexProbe.ts <databaseUrl> <seed>
// Loads the index as a matcher does at start (src/consumers/matcher/huntIndexSync.ts: every active hunt
// read from PostgreSQL, compiled, placed), then matches generated ads against it one at a time, and
// prints one JSON line: load time, RSS and heap after a full GC, per-ad matching CPU time.
import { createDb } from '../../src/db/knex.js';
import { createHuntIndex } from '../../src/domain/huntIndex.js';
import { startHuntIndexSync } from '../../src/consumers/matcher/huntIndexSync.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { generateAds } from '../data/generate.js';
import { summarize } from '../lib/stats.js';

const [databaseUrl, seedText] = process.argv.slice(2);
if (!databaseUrl) throw new Error('usage: scaleIndexProbe.ts <databaseUrl> <seed>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const seed = Number(seedText ?? 1);
const mb = (bytes: number) => Math.round(bytes / 1048576);

const db = createDb(databaseUrl, { poolMax: 2, applicationName: 'bench:index-probe' });
const ads = generateAds(seed, 3000, { now: new Date(), windowDays: 1, externalIdBase: 4_000_000_000 });
gc();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const loadCpu = process.cpuUsage();
const index = createHuntIndex();
await startHuntIndexSync(
  { db, log: createLogger({ level: 'warn', pretty: 'false' }), metrics: createMetrics({ defaultMetrics: false }) },
  index,
);
const loadMs = performance.now() - started;
const loadCpuUs = process.cpuUsage(loadCpu);
const peakRss = process.memoryUsage().rss;
gc();
const memory = process.memoryUsage();

for (const ad of ads.slice(0, 300)) index.match(ad); // warm-up: the JIT, the caches
// Each ad's CPU time (user and system, microseconds), not its wall time: the machine may be shared.
const times: number[] = [];
let matches = 0;
const cpu = process.cpuUsage();
for (const ad of ads) {
  const before = process.cpuUsage();
  matches += index.match(ad).length;
  const spent = process.cpuUsage(before);
  times.push((spent.user + spent.system) / 1000);
}
const used = process.cpuUsage(cpu);
const latency = summarize(times);
process.stdout.write(
  `${JSON.stringify({
    hunts: index.size,
    loadMs: Math.round(loadMs),
    // This process's CPU during the load (the database's aside): what a busy machine does not inflate.
    loadCpuMs: Math.round((loadCpuUs.user + loadCpuUs.system) / 1000),
    rssBeforeMb: mb(rssBefore),
    rssMb: mb(memory.rss),
    peakRssMb: mb(peakRss),
    heapMb: mb(memory.heapUsed),
    ads: ads.length,
    matchMs: { p50: latency.p50, p95: latency.p95, p99: latency.p99, max: latency.max },
    cpuUsPerAd: (used.user + used.system) / ads.length,
    matchesPerAd: matches / ads.length,
  })}\n`,
);
await db.destroy();
