// The scale scenario's hunt burst alone, over a window loaded once and kept: for trying a change to the
// backfill without reloading 1.5 million ads each time (bench/scenarios/scale.ts, windowPart).
//
//   node --import tsx bench/tools/burstProbe.ts [--hunts 1000] [--ads 1500000] [--env K=V,...] [--log-level info]
//
// The first run loads the window into the database burstprobe_<ads> and keeps it; each run clones it, starts
// the service (api, relay, matcher) in this process, creates the hunts through POST /v1/hunts while ads
// arrive at 10 ads/s, and prints the burst's row, the leads and messages it wrote, and the CPU of this
// process and of PostgreSQL over the burst.
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listDatabases } from '../../src/db/databases.js';
import { BenchEnv } from '../lib/benchEnv.js';
import { emptyReport } from '../lib/report.js';
import { huntBurst, loadWindow } from '../scenarios/scale.js';

const { values } = parseArgs({
  options: {
    hunts: { type: 'string', default: '1000' },
    ads: { type: 'string', default: '1500000' },
    seed: { type: 'string', default: '1' },
    env: { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const log = (m: string) => process.stderr.write(`[burst ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const adCount = Number(values.ads);
const base = `burstprobe_${adCount}`;
const overrides = Object.fromEntries(
  values.env
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

/** CPU seconds of every PostgreSQL process so far (from /proc). */
function postgresCpuS(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

const env = await BenchEnv.start({ logLevel: values['log-level'], progress: log });
try {
  const ctx = { quick: false, seed: Number(values.seed), now: new Date(), log };
  const report = emptyReport();
  if (!(await listDatabases(env.stack.postgresUrl, base)).includes(base)) {
    log(`loading the window into ${base} (once)`);
    const loading = await env.database('burst_load', { poolMax: 4 });
    await loadWindow({ ...ctx, quick: false }, report, loading, adCount);
    await loading.db.destroy();
    const admin = (await env.database('burst_admin', { poolMax: 1 })).db;
    await admin.raw(`ALTER DATABASE ${loading.name} RENAME TO ${base}`);
  }
  const database = await env.database('burst', { from: base, poolMax: 2 });
  const service = await env.startService(database.url, env.topics('burst'), {
    ROLES: 'api,relay,matcher',
    BACKFILL_DAYS: '30',
    ...overrides,
  });
  try {
    const cpu0 = process.cpuUsage();
    const pg0 = postgresCpuS();
    const t = performance.now();
    await huntBurst(ctx, report, database.db, service.url, Number(values.hunts));
    const wallS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const count = async (sql: string) =>
      Number((await database.db.raw<{ rows: Array<{ n: string }> }>(sql)).rows[0]!.n);
    const summary = {
      row: report.rows.at(-1)?.comparison,
      targets: report.targets.map((x) => `${x.name}: ${x.measured}`),
      leads: await count('SELECT count(*) AS n FROM leads'),
      messages: await count('SELECT count(*) AS n FROM messages'),
      wallS: Math.round(wallS),
      serviceAndProbeCpuS: Math.round((cpu.user + cpu.system) / 1e6),
      postgresCpuS: Math.round(postgresCpuS() - pg0),
      env: overrides,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await env.stopService(service);
  }
} finally {
  await env.stop();
}
