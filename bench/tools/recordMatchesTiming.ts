// Times each statement of recordMatches (src/consumers/matcher/recordMatches.ts) for batches of ads
// like the continuous matcher's (MATCHER_BATCH_SIZE ads per transaction), alone and with 3 batches
// in parallel (CONSUMER_CONCURRENCY), to see where a matcher transaction spends its time:
//   npx tsx bench/tools/recordMatchesTiming.ts [--hunts 10000] [--batch 200] [--batches 6]
import { HARNESS_OUTREACH } from '../../testkit/serviceEnv.js';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { recordDepsOf, recordMatches, type MatchToRecord } from '../../src/consumers/matcher/recordMatches.js';
import { WriteConflict } from '../../src/consumers/pipeline/failures.js';
import { huntIndexOf } from '../../src/domain/huntIndex.js';
import { matchAds } from '../../src/domain/matchAds.js';
import { createCodec } from '../../src/events/codec.js';
import { createOutbox } from '../../src/outbox/enqueue.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { insertAccounts, insertAds, insertHunts } from '../data/load.js';
import { BenchEnv } from '../lib/benchEnv.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    hunts: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '200' },
    batches: { type: 'string', default: '6' },
  },
});
const env = await BenchEnv.start({ logLevel: 'error', progress: () => undefined });
try {
  const now = new Date();
  const database = await env.database('rm', { poolMax: 6 });
  const { hunts, accountIds } = generateHunts(7, Number(values.hunts), { now });
  const batch = Number(values.batch);
  const batches = Number(values.batches);
  const ads = generateAds(7, batch * batches * 2, { now, windowDays: 0.01, externalIdBase: 3_500_000_000 });
  await insertAccounts(database.db, accountIds);
  await insertHunts(database.db, hunts);
  await insertAds(database.db, ads);
  await database.db.raw('VACUUM ANALYZE');
  const index = huntIndexOf(hunts);
  const outbox = createOutbox({ codec: createCodec(), topics: env.topics('rm'), shards: 16 });
  const cause = { eventId: uuidv7(), correlationId: uuidv7() };
  const matchesOf = (slice: typeof ads): MatchToRecord[] => matchAds(slice, index).map((m) => ({ ...m, cause }));

  // Statement timings through knex's query events.
  const started = new Map<string, number>();
  const times = new Map<string, number[]>();
  database.db.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  database.db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const t = started.get(q.__knexQueryUid);
    if (t === undefined) return;
    const key = q.sql
      .replace(/\s+/g, ' ')
      .replace(/\(\$\d+(, \$\d+)*\)(, \(\$\d+(, \$\d+)*\))*/g, '(...)')
      .slice(0, 70);
    const list = times.get(key) ?? [];
    list.push(performance.now() - t);
    times.set(key, list);
  });
  const run = async (slice: typeof ads) => {
    const matches = matchesOf(slice);
    const t = performance.now();
    // A conflict (pacing room or a seller taken by a parallel batch) is applied again, as the pipeline does.
    for (let conflicts = 0; ; conflicts++) {
      try {
        const r = await database.db.transaction((trx) =>
          recordMatches(
            trx,
            recordDepsOf(
              { outbox, settings: { timeZone: 'Europe/Paris', contactCooldownDays: 90, outreach: HARNESS_OUTREACH } },
              now,
            ),
            matches,
          ),
        );
        return { ms: performance.now() - t, leads: r.leadsCreated, contacted: r.contacted, conflicts };
      } catch (error) {
        if (!(error instanceof WriteConflict) || conflicts >= 10) throw error;
      }
    }
  };
  const report = (
    title: string,
    results: Array<{ ms: number; leads: number; contacted: number; conflicts: number }>,
  ) => {
    const leads = results.reduce((n, r) => n + r.leads, 0);
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    process.stdout.write(
      `\n${title}: ${results.length} transactions (${conflicts} applied again after a conflict), ${leads} leads, transaction ms ${JSON.stringify(summarize(results.map((r) => r.ms)), (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}\n`,
    );
    for (const [sql, list] of [...times].sort(
      (a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0),
    )) {
      process.stdout.write(
        `  ${list
          .reduce((x, y) => x + y, 0)
          .toFixed(0)
          .padStart(7)} ms total, ${String(list.length).padStart(3)} calls  ${sql}\n`,
      );
    }
    times.clear();
  };
  const sequential = [];
  for (let i = 0; i < batches; i++) sequential.push(await run(ads.slice(i * batch, (i + 1) * batch)));
  report(`one at a time, ${batch} ads per transaction`, sequential);
  const base = batches * batch;
  const parallel = await Promise.all(
    [0, 1, 2].map(async (k) => {
      const out = [];
      for (let i = k; i < batches; i += 3) out.push(await run(ads.slice(base + i * batch, base + (i + 1) * batch)));
      return out;
    }),
  );
  report(`3 in parallel, ${batch} ads per transaction`, parallel.flat());
} finally {
  await env.stop();
}
