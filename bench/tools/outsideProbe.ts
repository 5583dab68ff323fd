// The hunter's number from outside, as a user meets it: a built checkout started with `npm start` (every
// role in one process) on a fresh database, 10,000 hunts created through POST /v1/hunts over 500
// accounts, the outbox left empty for 3 s, 5 s of warm-up at the rate, then ads posted at the rate for
// 30 s; each ad timed from its request to its LeadCreated (read by a consumer of this process) and to
// its call at the gateway (this process too). Compares builds: run it once per checkout, back to back.
//
//   node --import tsx bench/tools/outsideProbe.ts --checkout /path/to/built/checkout --rate 100
//
// KAFKA_BROKERS: a broker to use (else one is started, as the tests do).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pLimit from 'p-limit';
import { createDatabase, databaseUrl, dropDatabase } from '../../src/db/databases.js';
import { createDb } from '../../src/db/knex.js';
import { createTopics } from '../../src/events/topics.js';
import { HOPS } from '../../src/platform/metrics.js';
import { provideStack } from '../../src/stack/provideStack.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { startLeadReader } from '../lib/adLoad.js';
import { diffHistograms, parseHistograms, quantile } from '../lib/promHistogram.js';
import { sleep, summarize, until } from '../lib/stats.js';
import { usersWorld } from '../data/usersWorld.js';

const { values } = parseArgs({
  options: {
    checkout: { type: 'string', default: process.cwd() },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    hunts: { type: 'string', default: '10000' },
    accounts: { type: 'string', default: '500' },
    seed: { type: 'string', default: '40' },
    analyze: { type: 'boolean', default: false },
    /** Log the plan of every statement slower than this many ms (auto_explain, in PostgreSQL's log). */
    explain: { type: 'string' },
    /** KEY=VALUE,...: more of the service's environment (e.g. TABLE_UPKEEP=off). */
    env: { type: 'string', default: '' },
    /** Write the service's V8 CPU profile into this folder when it stops. */
    'cpu-prof': { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const log = (m: string) => process.stderr.write(`[probe ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const TOKEN = { ingest: 'probe-ingest', api: 'probe-api', gateway: 'probe-gateway' };

async function main() {
  const stack = await provideStack({ progress: log });
  const name = `probe_${Date.now().toString(36)}`;
  await createDatabase(stack.postgresUrl, name);
  const url = databaseUrl(stack.postgresUrl, name);
  if (values.explain) {
    const admin = createDb(stack.postgresUrl, { poolMax: 1 });
    await admin.raw(`ALTER DATABASE ${name} SET session_preload_libraries = 'auto_explain'`);
    await admin.raw(`ALTER DATABASE ${name} SET auto_explain.log_min_duration = ${Number(values.explain)}`);
    await admin.raw(`ALTER DATABASE ${name} SET auto_explain.log_analyze = on`);
    await admin.destroy();
  }
  const db = createDb(url, { poolMax: 2 });
  const prefix = `${name}.`;
  const topics = createTopics(prefix);
  const kafka = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
  const gateway = await startFakeGateway(TOKEN.gateway, () => ({ status: 200 }));
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: url,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TOPIC_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    INGEST_TOKEN: TOKEN.ingest,
    API_TOKEN: TOKEN.api,
    CRON_SECRET: 'probe-cron',
    OPS_TOKEN: 'probe-ops',
    LOBSTR_WEBHOOK_SECRET: 'probe-lobstr',
    LOBSTR_API_KEY: 'probe-lobstr-key',
    LOBSTR_API_URL: 'http://127.0.0.1:9',
    MESSAGE_GATEWAY_URL: gateway.url,
    MESSAGE_GATEWAY_TOKEN: TOKEN.gateway,
    MESSAGE_GATEWAY_WEBHOOK_SECRET: 'probe-gw-webhook',
    SEND_RATE_PER_MINUTE: '100000',
    CONTACT_HOURS_DEFAULT: 'always',
    SENDER_NAME_DEFAULT: 'Garage Probe',
    ...Object.fromEntries(
      values.env
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
  };
  let service: ReturnType<typeof spawn> | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  try {
    await run(values.checkout, 'npm', ['run', 'migrate:prod'], env);
    // npm start, or what it runs with the CPU profiler added (node refuses --cpu-prof in NODE_OPTIONS).
    const start = (
      JSON.parse(readFileSync(join(values.checkout, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start.replace(/^exec /, '');
    const [cmd, args] = values['cpu-prof']
      ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`, ...start.split(' ').slice(1)]]
      : ['npm', ['start']];
    service = spawn(cmd, args, { cwd: values.checkout, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    service.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    service.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exited = new Promise((r) => service!.once('exit', r));
    await until(
      () => output.includes('"hunt-matcher started"') || service!.exitCode !== null,
      'the service to start',
      120_000,
      100,
    ).catch((e) => {
      process.stderr.write(output.slice(-3000));
      throw e;
    });
    const startedLine = output.split('\n').find((line) => line.includes('"hunt-matcher started"'));
    if (!startedLine) throw new Error(`the service did not start:\n${output.slice(-3000)}`);
    const api = (JSON.parse(startedLine) as { url: string }).url;
    log(`service at ${api}`);

    const world = usersWorld(Number(values.seed), Number(values.hunts), Number(values.accounts));
    const limit = pLimit(16);
    const t0 = performance.now();
    await Promise.all(
      world.hunts.map((h) =>
        limit(async () => {
          const res = await fetch(`${api}/v1/hunts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN.api}`, 'content-type': 'application/json' },
            body: JSON.stringify(h),
          });
          if (res.status !== 201) throw new Error(`POST /v1/hunts: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }),
      ),
    );
    log(`${world.hunts.length} hunts created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The outbox empty for 3 s.
    let emptySince = 0;
    await until(
      async () => {
        const n = Number((await db.raw<{ rows: [{ n: string }] }>('SELECT count(*) AS n FROM outbox')).rows[0].n);
        if (n > 0) emptySince = 0;
        else emptySince ||= performance.now();
        return emptySince > 0 && performance.now() - emptySince >= 3000;
      },
      'the outbox empty for 3 s',
      20 * 60_000,
      200,
    );
    log(`outbox empty for 3 s, ${((performance.now() - t0) / 1000).toFixed(1)} s after the first hunt`);
    const consumers = async () =>
      JSON.stringify(
        (await db.raw<{ rows: unknown[] }>('SELECT consumer, count(*)::int AS n FROM inbox GROUP BY consumer')).rows,
      );
    log(`inbox: ${await consumers()}`);
    if (values.analyze) await db.raw('ANALYZE');

    const requestAt = new Map<string, number>();
    const leadAt = new Map<string, number>();
    const reader = await startLeadReader(kafka, topics, (lead, at) => {
      const k = lead.ad.externalId;
      if (!leadAt.has(k)) leadAt.set(k, performance.timeOrigin + at);
    });
    const metrics = async () =>
      parseHistograms(await (await fetch(`${api}/metrics`)).text(), 'hunt_matcher_hop_seconds', 'hop');
    /** The service's CPU time so far (user + system), from its own /metrics. */
    const cpuSeconds = async () => {
      const text = await (await fetch(`${api}/metrics`)).text();
      return Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? NaN);
    };

    const perRequest = Math.max(1, Math.round(rate / 10));
    const drive = async (count: number, base: number) => {
      const ads = world.ads(base, count);
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let k = 0; k * perRequest < ads.length; k++) {
        const wait = started + k * 100 - performance.now();
        if (wait > 1) await sleep(wait);
        const chunk = ads.slice(k * perRequest, (k + 1) * perRequest);
        const at = performance.timeOrigin + performance.now();
        for (const a of chunk) requestAt.set(a.externalId, at);
        inFlight.push(
          fetch(`${api}/v1/ads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN.ingest}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ads: chunk }),
          }).then(async (r) => {
            if (r.status !== 202) throw new Error(`POST /v1/ads: ${r.status} ${await r.text()}`);
            await r.arrayBuffer();
          }),
        );
      }
      await Promise.all(inFlight);
      return ads.map((a) => a.externalId);
    };
    await drive(rate * 5, 1_010_000_000);
    const before = await metrics();
    const cpuBefore = await cpuSeconds();
    // What the service's sessions wait on during the load (pg_stat_activity, every 50 ms).
    const waits = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await db.raw<{ rows: Array<{ w: string }> }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS w
             FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
        );
        for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + 1);
        await sleep(50);
      }
    })();
    const measured = new Set(await drive(rate * seconds, 1_020_000_000));
    const loadEnd = performance.timeOrigin + performance.now();
    sampling = false;
    await sampler;
    for (const [w, n] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 15)) log(`  ${String(n).padStart(5)} ${w}`);
    log(`load done: ${measured.size} ads; inbox: ${await consumers()}`);
    const messagesOf = async () =>
      (
        await db.raw<{ rows: Array<{ id: string; external_id: string }> }>(
          'SELECT m.id, a.external_id FROM messages m JOIN ads a ON a.id = m.ad_id WHERE a.external_id = ANY(?)',
          [[...measured]],
        )
      ).rows;
    const callAt = () => {
      const m = new Map<string, number>();
      for (const r of gateway.requests) if (!m.has(r.body.messageId)) m.set(r.body.messageId, r.at);
      return m;
    };
    await sleep(Math.max(0, loadEnd + 10_000 - (performance.timeOrigin + performance.now())));
    const at10 = callAt();
    const msgs10 = await messagesOf();
    const out10 = msgs10.filter((m) => at10.has(m.id)).length;
    await until(
      async () => {
        const calls = callAt();
        const msgs = await messagesOf();
        return msgs.length > 0 && msgs.every((m) => calls.has(m.id));
      },
      'every contact out',
      5 * 60_000,
      1000,
    ).catch(() => log('not every contact out within 5 minutes'));
    const after = await metrics();
    const cpuMsPerAd = (((await cpuSeconds()) - cpuBefore) * 1000) / measured.size;
    const calls = callAt();
    const msgs = await messagesOf();
    const toGateway = msgs.flatMap((m) => (calls.has(m.id) ? [calls.get(m.id)! - requestAt.get(m.external_id)!] : []));
    const toLead = [...measured].flatMap((k) => (leadAt.has(k) ? [leadAt.get(k)! - requestAt.get(k)!] : []));
    const g = summarize(toGateway);
    const l = summarize(toLead);
    const hop = (name: string) => {
      const h = diffHistograms(after, before).get(name);
      if (!h) return 'n/a';
      return `p50 ${(quantile(h, 0.5) * 1000).toFixed(0)} ms, p99 ${(quantile(h, 0.99) * 1000).toFixed(0)} ms, mean ${((h.sum / h.count) * 1000).toFixed(0)} ms (${h.count})`;
    };
    const result = {
      checkout: values.checkout,
      rate,
      ads: measured.size,
      gateway: { p50: g.p50, p99: g.p99, max: g.max, count: g.count },
      leadCreated: { p50: l.p50, p99: l.p99, count: l.count },
      contacts: msgs.length,
      out10s: out10,
      hops: Object.fromEntries(HOPS.map((name) => [name, hop(name)])),
      serviceCpuMsPerAd: Number(cpuMsPerAd.toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await reader.stop();
  } finally {
    if (service?.pid) {
      try {
        process.kill(-service.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await exited;
    }
    await gateway.close();
    await db.destroy();
    await dropDatabase(stack.postgresUrl, name).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    await stack.stop();
  }
}

function run(cwd: string, cmd: string, args: string[], env: Record<string, string>) {
  return new Promise<void>((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env, stdio: 'inherit' });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${code}`))));
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
    process.exit(1);
  },
);
