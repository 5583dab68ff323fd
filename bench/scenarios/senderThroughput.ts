// Scenario S, the sender alone: 20,000 pending messages across 500 accounts, their SendMessage events
// published at once to messages.send, and a sender process (src/main.ts with ROLES=sender,relay, as
// deployed) delivering them to a local gateway that answers at once, then after 50 ms. Measured from
// outside: messages delivered per second, and the time from each SendMessage's publication to the
// gateway call. Then the per-account quota with two sender processes: 20 accounts x 30 messages with
// SEND_RATE_PER_MINUTE=10 must give exactly 10 gateway calls per account in the minute.
import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { Db } from '../../src/db/knex.js';
import { createCodec } from '../../src/events/codec.js';
import { buildHeaders, newEventId } from '../../src/events/envelope.js';
import { createProducer } from '../../src/platform/kafka.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { startFakeTwilio } from '../../testkit/fakeTwilio.js';
import { TOKENS } from '../../testkit/serviceEnv.js';
import { generateAds } from '../data/generate.js';
import { insertAccounts, insertAds } from '../data/load.js';
import { emptyReport } from '../lib/report.js';
import { Samples, sleep, summarize, until } from '../lib/stats.js';
import type { Scenario, ScenarioContext } from './context.js';

interface Pending {
  id: string;
  accountId: string;
  leadId: string;
  huntId: string;
  adId: string;
  to: string;
  commandEventId: string;
}

export const senderThroughput: Scenario = {
  id: 'S',
  title:
    'Sender: 20,000 pending messages across 500 accounts, instant and 50 ms gateway, and Twilio; quota with two senders',
  async run(ctx) {
    const messages = ctx.quick ? 1000 : 20_000;
    const accounts = ctx.quick ? 50 : 500;
    const timeoutMs = ctx.quick ? 60_000 : 180_000;
    const { rows, checks, targets, notes } = emptyReport();

    const cases: Array<{ delayMs: number; provider: 'http' | 'twilio' }> = [
      { delayMs: 0, provider: 'http' },
      { delayMs: 50, provider: 'http' },
      { delayMs: 0, provider: 'twilio' },
    ];
    for (const { delayMs, provider } of cases) {
      const r = await deliverAll(ctx, { messages, accounts, delayMs, timeoutMs, provider });
      const label =
        provider === 'twilio'
          ? 'Twilio stand-in answering at once (MESSAGE_PROVIDERS=sms:twilio)'
          : delayMs === 0
            ? 'gateway answering at once'
            : `gateway answering after ${delayMs} ms`;
      rows.push({
        case: `${messages} messages, ${accounts} accounts, ${label}`,
        throughput: { value: r.rate, unit: 'msg/s' },
        latencyMs: r.latency,
        comparison: `SendMessage published -> gateway call; ${r.delivered}/${messages} delivered in ${r.seconds.toFixed(1)} s${r.drained ? '' : ' (NOT drained)'}`,
        details: { delivered: r.delivered, seconds: r.seconds, drained: r.drained, duplicates: r.duplicates },
      });
      checks.push({
        name: `S ${label}: every message delivered once`,
        ok: r.drained && r.duplicates === 0,
        detail: `${r.delivered}/${messages} delivered, ${r.duplicates} delivered twice`,
      });
      if (!ctx.quick) {
        const goal = delayMs === 0 ? 1000 : 150;
        targets.push({
          name: `sender throughput, ${label}`,
          goal: `>= ${goal.toLocaleString('en')} msg/s`,
          measured: `${Math.round(r.rate)} msg/s`,
          met: r.rate >= goal,
        });
      }
    }

    const quota = await quotaWithTwoSenders(ctx);
    checks.push({
      name: 'S: per-account quota exact with two sender processes',
      ok: quota.exact,
      detail: `${quota.accounts} accounts x ${quota.perAccount} messages at ${quota.rate}/min: calls per account ${quota.calls.join(', ')}`,
    });
    rows.push({
      case: `quota: ${quota.accounts} accounts x ${quota.perAccount} messages, ${quota.rate}/min, 2 senders`,
      comparison: quota.exact
        ? `exactly ${quota.rate} calls per account in the minute`
        : `calls per account: ${quota.calls.join(', ')}`,
    });
    notes.push(
      'S: messages, leads and contacted ads are written straight into the database and their SendMessage events produced at once; the sender runs as a child process (node --import tsx src/main.ts, ROLES=sender,relay, LOG_LEVEL=info).',
    );
    return { sizes: { messages, accounts }, rows, checks, targets, notes };
  },
};

async function seed(
  db: Db,
  ctx: ScenarioContext,
  options: { messages: number; accounts: number; externalIdBase: number },
): Promise<Pending[]> {
  const accountIds = Array.from({ length: options.accounts }, () => randomUUID());
  await insertAccounts(db, accountIds);
  const huntIds = accountIds.map(() => randomUUID());
  await db.raw(
    `INSERT INTO hunts (id, account_id, name, ad_type, location_label, zipcode, lat, lng, radius_km, outreach_channel, outreach_template, version, created_at, updated_at)
     SELECT h, a, 'bench', 'voitures', 'Lyon', '69003', 45.76, 4.84, 50, 'sms', 'Bonjour', 1, now(), now() FROM unnest(?::uuid[], ?::uuid[]) AS x(h, a)`,
    [huntIds, accountIds],
  );
  const ads = generateAds(ctx.seed + 77, options.messages, {
    now: ctx.now,
    windowDays: 1,
    externalIdBase: options.externalIdBase,
  });
  await insertAds(db, ads);
  const pending: Pending[] = ads.map((ad, i) => ({
    id: randomUUID(),
    accountId: accountIds[i % accountIds.length]!,
    huntId: huntIds[i % huntIds.length]!,
    leadId: randomUUID(),
    adId: ad.adId,
    to: `+3361${String(i).padStart(7, '0')}`,
    commandEventId: newEventId(),
  }));
  for (let i = 0; i < pending.length; i += 5000) {
    const chunk = pending.slice(i, i + 5000);
    const col = <K extends keyof Pending>(k: K) => chunk.map((p) => p[k]);
    await db.raw(
      `INSERT INTO leads (id, account_id, ad_id, hunt_id, stage, contacted_at) SELECT l, a, d, h, 'contacte', now() FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[]) AS x(l, a, d, h)`,
      [col('leadId'), col('accountId'), col('adId'), col('huntId')],
    );
    await db.raw(
      `INSERT INTO messages (id, account_id, lead_id, hunt_id, ad_id, channel, recipient, content, status, command_event_id, correlation_id, next_attempt_at)
       SELECT m, a, l, h, d, 'sms', r, 'Bonjour, votre voiture nous intéresse.', 'pending', c, c, now() FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[]) AS x(m, a, l, h, d, r, c)`,
      [col('id'), col('accountId'), col('leadId'), col('huntId'), col('adId'), col('to'), col('commandEventId')],
    );
    await db.raw(
      `INSERT INTO contacted_ads (id, account_id, ad_id, hunt_id, lead_id, message_id, channel) SELECT gen_random_uuid(), a, d, h, l, m, 'sms' FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[]) AS x(a, d, h, l, m)`,
      [col('accountId'), col('adId'), col('huntId'), col('leadId'), col('id')],
    );
  }
  await db.raw('VACUUM ANALYZE');
  return pending;
}

/** Produces the SendMessage of every pending message; returns when each batch was sent (epoch ms by message id). */
async function publish(ctx: ScenarioContext, topic: string, pending: Pending[]): Promise<Map<string, number>> {
  const codec = createCodec();
  const producer = createProducer(ctx.env.kafka);
  await producer.connect();
  const publishedAt = new Map<string, number>();
  try {
    for (let i = 0; i < pending.length; i += 500) {
      const chunk = pending.slice(i, i + 500);
      const now = new Date();
      const batch: Message[] = chunk.map((p) => {
        const event = {
          eventType: 'SendMessage' as const,
          key: p.accountId,
          eventId: p.commandEventId,
          value: {
            messageId: p.id,
            accountId: p.accountId,
            leadId: p.leadId,
            huntId: p.huntId,
            adId: p.adId,
            channel: 'sms',
            to: p.to,
            content: 'Bonjour',
            requestedAt: now.getTime(),
          },
        };
        return {
          key: p.accountId,
          value: codec.encode('SendMessage', event.value),
          headers: { ...buildHeaders(event, now) },
        };
      });
      const at = performance.timeOrigin + performance.now();
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
      for (const p of chunk) publishedAt.set(p.id, at);
    }
  } finally {
    await producer.disconnect();
  }
  return publishedAt;
}

async function startSenders(
  ctx: ScenarioContext,
  url: string,
  topicsPrefix: string,
  gatewayUrl: string,
  count: number,
  overrides: Record<string, string> = {},
): Promise<ChildService[]> {
  const topics = ctx.env.topics(topicsPrefix);
  await ctx.env.ensureTopics(topics);
  const children: ChildService[] = [];
  for (let i = 0; i < count; i++) {
    const child = startChildService(
      ctx.env.serviceEnv(url, topics, {
        ROLES: 'sender,relay',
        INSTANCE_ID: `bench-s-${topicsPrefix}-${i}`,
        LOG_LEVEL: 'info',
        MESSAGE_GATEWAY_URL: gatewayUrl,
        SEND_RATE_PER_MINUTE: '100000',
        ...overrides,
      }),
      { keepOutput: 200_000 },
    );
    children.push(child);
    await child.waitForLog('hunt-matcher started', 120_000);
  }
  return children;
}

/** The provider the sender calls: the generic gateway, or the Twilio stand-in (what reaches a phone, counted per recipient). */
async function startProvider(o: { delayMs: number; provider: 'http' | 'twilio' }): Promise<{
  env: Record<string, string>;
  delivered(): number;
  calls(): Array<{ key: string; at: number }>;
  close(): Promise<void>;
}> {
  if (o.provider === 'http') {
    const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({
      status: 200,
      before: o.delayMs > 0 ? () => sleep(o.delayMs) : undefined,
    }));
    return {
      env: { MESSAGE_GATEWAY_URL: gateway.url },
      delivered: () => gateway.delivered(),
      calls: () => gateway.requests.map((r) => ({ key: r.body.messageId, at: r.at })),
      close: () => gateway.close(),
    };
  }
  const accountSid = `AC${'5e'.repeat(16)}`;
  const authToken = 'bench-twilio-auth-token';
  const twilio = await startFakeTwilio({
    accountSid,
    authToken,
    publicBaseUrl: 'https://hunt-matcher.bench.test',
    ingress: () => 'http://127.0.0.1:9',
    script: () => ({ kind: 'accept', receipt: null }),
  });
  return {
    env: {
      MESSAGE_PROVIDERS: 'sms:twilio',
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: '+33757000001',
      TWILIO_API_URL: twilio.url,
      PUBLIC_BASE_URL: 'https://hunt-matcher.bench.test',
    },
    delivered: () => twilio.messages.length,
    calls: () => twilio.requests.filter((r) => r.status === 201).map((r) => ({ key: r.to, at: r.at })),
    close: () => twilio.close(),
  };
}

async function deliverAll(
  ctx: ScenarioContext,
  o: { messages: number; accounts: number; delayMs: number; timeoutMs: number; provider: 'http' | 'twilio' },
) {
  const tag = `s${o.delayMs}${o.provider === 'twilio' ? 't' : ''}`;
  const database = await ctx.env.database(tag, { poolMax: 4 });
  const pending = await seed(database.db, ctx, {
    messages: o.messages,
    accounts: o.accounts,
    externalIdBase: 3_600_000_000 + o.delayMs * 100_000 + (o.provider === 'twilio' ? 50_000 : 0),
  });
  const provider = await startProvider(o);
  const children = await startSenders(ctx, database.url, tag, 'http://127.0.0.1:9', 1, provider.env);
  // The generic gateway's calls are known by message id, Twilio's by recipient (one per message here).
  const idOf = new Map(pending.map((p) => [o.provider === 'twilio' ? p.to : p.id, p.id]));
  try {
    ctx.log(`S: ${o.messages} SendMessage, ${o.provider} ${o.delayMs} ms`);
    const started = performance.timeOrigin + performance.now();
    const publishedAt = await publish(ctx, ctx.env.topics(tag).name('messages.send'), pending);
    let drained = true;
    await until(
      () => provider.delivered() >= o.messages,
      `S: ${o.messages} messages delivered`,
      o.timeoutMs,
      100,
    ).catch(() => (drained = false));
    const first = new Map<string, number>();
    let duplicates = 0;
    for (const c of provider.calls()) {
      const id = idOf.get(c.key) ?? c.key;
      if (first.has(id)) duplicates++;
      else first.set(id, c.at);
    }
    const samples = new Samples();
    let last = started;
    for (const [id, at] of first) {
      const p = publishedAt.get(id);
      if (p !== undefined) samples.push(at - p);
      last = Math.max(last, at);
    }
    const seconds = (last - started) / 1000;
    return {
      rate: first.size / seconds,
      latency: summarize(samples.values()),
      delivered: first.size,
      seconds,
      drained,
      duplicates,
    };
  } finally {
    for (const c of children) await c.kill('SIGTERM');
    await provider.close();
  }
}

async function quotaWithTwoSenders(ctx: ScenarioContext) {
  const accounts = 20;
  const perAccount = 30;
  const rate = 10;
  const database = await ctx.env.database('squota', { poolMax: 4 });
  const pending = await seed(database.db, ctx, {
    messages: accounts * perAccount,
    accounts,
    externalIdBase: 3_700_000_000,
  });
  const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 200 }));
  const children = await startSenders(ctx, database.url, 'squota', gateway.url, 2, {
    SEND_RATE_PER_MINUTE: String(rate),
  });
  try {
    await publish(ctx, ctx.env.topics('squota').name('messages.send'), pending);
    // Every account's first `rate` messages go at once; the others wait for the minute to pass.
    await until(() => gateway.delivered() >= accounts * rate, 'S quota: the first minute delivered', 60_000, 100).catch(
      () => undefined,
    );
    await sleep(3000);
    const accountOf = new Map(pending.map((p) => [p.id, p.accountId]));
    const calls = new Map<string, Set<string>>();
    for (const r of gateway.requests) {
      const a = accountOf.get(r.body.messageId)!;
      if (!calls.has(a)) calls.set(a, new Set());
      calls.get(a)!.add(r.body.messageId);
    }
    const counts = [...new Set(pending.map((p) => p.accountId))].map((a) => calls.get(a)?.size ?? 0);
    return {
      accounts,
      perAccount,
      rate,
      calls: [...new Set(counts)].sort((a, b) => a - b),
      exact: counts.every((n) => n === rate),
    };
  } finally {
    for (const c of children) await c.kill('SIGTERM');
    await gateway.close();
  }
}
