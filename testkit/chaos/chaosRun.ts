// The load of a fault test and the invariants it checks, independently of the code under test:
//   - every account hunts the brand of the run with one active hunt (all of France, no other criterion,
//     SMS outreach), so every accepted ad must give exactly one lead per account: expected leads are
//     counted by the test, not by the matcher;
//   - at most one contacted ad per (account, ad); every message delivered to the gateway once (its
//     Idempotency-Key); every LeadCreated and SendMessage event id on its topic once after dedupe; the
//     outbox empty; nothing in any dead-letter topic.
// The load posts ads through the HTTP API at a steady rate and, like a real client, retries a request
// that failed (a process down, a 503) until it is accepted: ingestion is idempotent by externalId.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createCodec } from '../../src/events/codec.js';
import { readHeaders } from '../../src/events/envelope.js';
import { TOKENS } from '../serviceEnv.js';
import { adInput } from '../fixtures.js';
import { waitFor } from '../waitFor.js';
import { FULL, type ChaosEnv } from './chaosEnv.js';

export interface Figures {
  scenario: string;
  ads: number;
  accounts: number;
  leadsExpected: number;
  leadsFound: number;
  lost: number;
  duplicatedLeads: number;
  contactsPerAdOverOne: number;
  messages: number;
  delivered: number;
  duplicateDeliveries: number;
  repeatedGatewayCalls: number;
  leadEventsDistinct: number;
  leadEventsDuplicates: number;
  sendEventsDistinct: number;
  deadLetters: number;
  /** Messages to a phone opted out during the run, given up ('opted_out') without reaching the gateway. */
  givenUpOptedOut: number;
  /** Outbox rows still unpublished when the run had settled. */
  outboxLeft: number;
  refusedRequests: number;
  /** Extra figures of the scenario (recovery times...). */
  notes: Record<string, number | string>;
}

/** Sellers' phones, one per ad, unique in the process: two runs of one file never share a phone. */
let phone = 0;

/** One attempt of an ingestion request: when it started (epoch ms), how long it took, whether it got its 202. */
export interface IngestAttempt {
  startedAt: number;
  ms: number;
  accepted: boolean;
}

export class ChaosRun {
  readonly brand = `Chaos${randomUUID().slice(0, 6)}`;
  readonly accounts: string[];
  readonly accepted = new Set<string>();
  /** When each request was accepted (epoch ms). */
  readonly acceptedAt: number[] = [];
  /** When the request that carried each ad (by externalId) was first sent (epoch ms). */
  readonly sentAt = new Map<string, number>();
  /** Every ingestion attempt, refused or not. */
  readonly attempts: IngestAttempt[] = [];
  refused = 0;

  constructor(
    private readonly env: ChaosEnv,
    options: { accounts: number },
  ) {
    this.accounts = Array.from({ length: options.accounts }, () => randomUUID());
  }

  /** Accounts and their hunts, straight into the database (before the services start). */
  async seed(options: { dailyPacingLimit?: number } = {}) {
    await this.env.db('accounts').insert(this.accounts.map((id) => ({ id, name: 'chaos' })));
    const now = Date.now() - 60_000;
    await this.env.db('hunts').insert(
      this.accounts.map((accountId, i) => ({
        id: randomUUID(),
        account_id: accountId,
        name: 'chaos',
        ad_type: 'voitures',
        brands: [this.brand],
        location_label: 'Lyon',
        zipcode: '69003',
        lat: 45.76,
        lng: 4.84,
        radius_km: 2000,
        outreach_channel: 'sms',
        outreach_template: 'Bonjour {{vendeur_nom}}, votre {{marque}} nous intéresse.',
        daily_pacing_limit: options.dailyPacingLimit ?? null,
        last_scan_at: new Date(now),
        created_at: new Date(now + i),
        updated_at: new Date(now),
      })),
    );
  }

  /**
   * Posts `rate` ads a second for `seconds` (a request every 200 ms), each request retried until it is
   * accepted, against whichever of `urls()` answers. `during(elapsedMs)` runs faults on the way. With
   * `untilFaultsEnd`, the load goes on (past `seconds` if need be) until every fault has run its course,
   * plus `tailSeconds`: faults whose length the test cannot know (a broker's restart) stay under load.
   */
  async load(options: {
    rate: number;
    seconds: number;
    urls: () => string[];
    during?: Array<{ atMs: number; run: () => Promise<void> }>;
    untilFaultsEnd?: boolean;
    tailSeconds?: number;
  }) {
    const perRequest = Math.max(1, Math.round(options.rate / 5));
    const requests = Math.round((options.seconds * 1000) / 200);
    const started = Date.now();
    const faults = [...(options.during ?? [])].sort((a, b) => a.atMs - b.atMs);
    const inFlight: Array<Promise<void>> = [];
    const faultRuns: Array<Promise<void>> = [];
    let faultsEndedAt = options.untilFaultsEnd && faults.length > 0 ? Number.POSITIVE_INFINITY : 0;
    if (faultsEndedAt > 0) {
      void (async () => {
        while (faults.length > 0 || faultRuns.length === 0) await new Promise((r) => setTimeout(r, 50));
        await Promise.allSettled(faultRuns);
        faultsEndedAt = Date.now();
      })();
    }
    const more = (k: number) => k < requests || Date.now() < faultsEndedAt + (options.tailSeconds ?? 0) * 1000;
    for (let k = 0; more(k); k++) {
      while (faults.length && Date.now() - started >= faults[0]!.atMs) faultRuns.push(faults.shift()!.run());
      const wait = started + k * 200 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const ads = Array.from({ length: perRequest }, () =>
        adInput({ brand: this.brand, phone: `+3367${String(++phone).padStart(7, '0')}` }),
      );
      inFlight.push(this.postUntilAccepted(ads, options.urls));
    }
    for (const f of faults) faultRuns.push(f.run());
    await Promise.all(inFlight);
    await Promise.all(faultRuns);
  }

  private async postUntilAccepted(ads: ReturnType<typeof adInput>[], urls: () => string[]) {
    const first = Date.now();
    for (const ad of ads) this.sentAt.set(ad.externalId, first);
    for (let attempt = 0; ; attempt++) {
      const startedAt = Date.now();
      const candidates = urls();
      const url = candidates[attempt % Math.max(1, candidates.length)];
      try {
        if (!url) throw new Error('no service');
        const res = await fetch(`${url}/v1/ads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKENS.INGEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ads }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        this.attempts.push({ startedAt, ms: Date.now() - startedAt, accepted: res.status === 202 });
        if (res.status === 202) {
          for (const ad of ads) this.accepted.add(ad.externalId);
          this.acceptedAt.push(Date.now());
          return;
        }
      } catch {
        // a process down, a connection reset, no answer within 10 s: try again
        this.attempts.push({ startedAt, ms: Date.now() - startedAt, accepted: false });
      }
      this.refused++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Waits until every accepted ad gave its leads and every message reached the gateway (was answered
   * 2xx), then returns the figures. A message to one of `optedOut` (phones opted out during the run)
   * may instead be given up ('opted_out') without reaching it.
   */
  async settle(
    scenario: string,
    options: { timeoutMs?: number; expectAllContacted?: boolean; optedOut?: ReadonlySet<string> } = {},
  ): Promise<Figures> {
    const env = this.env;
    const expected = this.accepted.size * this.accounts.length;
    const count = async (sql: string, bindings: unknown[] = []) =>
      Number((await env.db.raw<{ rows: Array<{ n: string }> }>(sql, bindings as never[])).rows[0]!.n);
    const leadsFound = () =>
      count(`SELECT count(*) AS n FROM leads l JOIN ads a ON a.id = l.ad_id WHERE a.brand = ?`, [this.brand]);
    await waitFor(async () => (await leadsFound()) >= expected, {
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 500,
      message: `${scenario}: ${expected} leads`,
    }).catch(() => undefined);
    await waitFor(async () => (await count('SELECT count(*) AS n FROM outbox')) === 0, {
      timeoutMs: 60_000,
      intervalMs: 500,
      message: `${scenario}: outbox drained`,
    }).catch(() => undefined);
    const messageIds = async () =>
      (await env
        .db('messages as m')
        .join('ads as a', 'a.id', 'm.ad_id')
        .where('a.brand', this.brand)
        .pluck('m.id')) as string[];
    const accepted = () =>
      new Set(
        env.gateway.requests
          .filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300)
          .map((r) => r.body.messageId),
      );
    const optedOut = [...(options.optedOut ?? [])];
    const givenUp = async () =>
      new Set(
        optedOut.length === 0
          ? []
          : ((await env
              .db('messages as m')
              .join('ads as a', 'a.id', 'm.ad_id')
              .where({ 'a.brand': this.brand, 'm.status': 'failed', 'm.last_error': 'opted_out' })
              .whereIn('m.recipient', optedOut)
              .pluck('m.id')) as string[]),
      );
    if (options.expectAllContacted !== false) {
      await waitFor(
        async () => {
          const ids = await messageIds();
          const delivered = accepted();
          const stopped = await givenUp();
          return ids.length > 0 && ids.every((id) => delivered.has(id) || stopped.has(id));
        },
        { timeoutMs: 120_000, intervalMs: 500, message: `${scenario}: every message delivered` },
      ).catch(() => undefined);
    }

    const ids = await messageIds();
    const mine = new Set(ids);
    const delivered = accepted();
    const calls = new Map<string, number>();
    for (const r of env.gateway.requests)
      if (mine.has(r.body.messageId)) calls.set(r.body.messageId, (calls.get(r.body.messageId) ?? 0) + 1);
    const keys = new Map<string, Set<string>>();
    for (const r of env.gateway.requests)
      if (mine.has(r.body.messageId))
        keys.set(r.body.messageId, (keys.get(r.body.messageId) ?? new Set()).add(r.idempotencyKey));
    const leadEvents = await this.eventIds('leads.created');
    const sendEvents = await this.eventIds('messages.send', mine);
    const figures: Figures = {
      scenario,
      ads: this.accepted.size,
      accounts: this.accounts.length,
      leadsExpected: expected,
      leadsFound: await leadsFound(),
      lost: 0,
      duplicatedLeads: await count(
        `SELECT count(*) - count(DISTINCT (l.account_id, l.ad_id)) AS n FROM leads l JOIN ads a ON a.id = l.ad_id WHERE a.brand = ?`,
        [this.brand],
      ),
      contactsPerAdOverOne: await count(
        `SELECT count(*) AS n FROM (SELECT 1 FROM contacted_ads c JOIN ads a ON a.id = c.ad_id WHERE a.brand = ? GROUP BY c.account_id, c.ad_id HAVING count(*) > 1) x`,
        [this.brand],
      ),
      messages: ids.length,
      delivered: ids.filter((id) => delivered.has(id)).length,
      // A second delivery would need a second Idempotency-Key for the same message.
      duplicateDeliveries: [...keys.values()].filter((k) => k.size > 1).length,
      repeatedGatewayCalls: [...calls.values()].reduce((n, c) => n + c - 1, 0),
      leadEventsDistinct: leadEvents.distinct,
      leadEventsDuplicates: leadEvents.total - leadEvents.distinct,
      sendEventsDistinct: sendEvents.distinct,
      deadLetters: await this.deadLetters(),
      givenUpOptedOut: [...(await givenUp())].filter((id) => !delivered.has(id)).length,
      outboxLeft: await count('SELECT count(*) AS n FROM outbox'),
      refusedRequests: this.refused,
      notes: {},
    };
    figures.lost = Math.max(0, figures.leadsExpected - figures.leadsFound);
    return figures;
  }

  /** The invariants every fault test holds. */
  static expectIntact(f: Figures, options: { allContacted?: boolean } = {}) {
    expect(f.ads, 'ads accepted').toBeGreaterThan(0);
    expect(f.leadsFound, 'leads: none lost').toBe(f.leadsExpected);
    expect(f.duplicatedLeads, 'leads: none twice').toBe(0);
    expect(f.contactsPerAdOverOne, 'at most one contact per (account, ad)').toBe(0);
    expect(f.leadEventsDistinct, 'every LeadCreated on its topic').toBe(f.leadsFound);
    if (options.allContacted !== false) {
      expect(f.messages, 'a message per lead').toBe(f.leadsFound);
      expect(f.delivered + f.givenUpOptedOut, 'every message delivered (or given up: its phone opted out)').toBe(
        f.messages,
      );
      expect(f.sendEventsDistinct, 'every SendMessage on its topic').toBe(f.messages);
    }
    expect(f.duplicateDeliveries, 'no message delivered twice').toBe(0);
    expect(f.deadLetters, 'nothing dead-lettered').toBe(0);
    expect(f.outboxLeft, 'the outbox empty').toBe(0);
  }

  /**
   * Where the run's events are, when some are missing: the outbox rows left per topic, the distinct
   * AdScraped of the run's ads on their topic against the ads accepted, and each consumer group's lag.
   */
  async diagnose(): Promise<Record<string, unknown>> {
    const env = this.env;
    const outbox = await env
      .db('outbox')
      .select('topic')
      .count<Array<{ topic: string; count: string }>>('* as count')
      .groupBy('topic');
    const admin = env.client.admin();
    await admin.connect();
    try {
      const lag: Record<string, number> = {};
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(env.topics.prefix));
      for (const groupId of groups) {
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
          const ends = await admin.fetchTopicOffsets(topic);
          lag[`${groupId} ${topic}`] = partitions.reduce(
            (n, p) =>
              n + Number(ends.find((e) => e.partition === p.partition)?.high ?? 0) - Math.max(0, Number(p.offset)),
            0,
          );
        }
      }
      const adEvents = await this.eventIds('ads.scraped');
      return {
        outboxLeft: Object.fromEntries(outbox.map((r) => [r.topic, Number(r.count)])),
        adsAccepted: this.accepted.size,
        adScrapedDistinct: adEvents.distinct,
        lag,
      };
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The event ids on a topic of the run's own events (several runs may share the topics): of its ads'
   * AdScraped and LeadCreated (by the run's brand), of `messages`' SendMessage.
   */
  private async eventIds(
    topic: 'ads.scraped' | 'leads.created' | 'messages.send',
    messages: ReadonlySet<string> = new Set(),
  ): Promise<{ total: number; distinct: number }> {
    const env = this.env;
    const full = env.topics.name(topic);
    const codec = createCodec();
    const mine = (value: Buffer | null) => {
      try {
        const { value: v } = codec.decode(value!) as { value: { ad?: { brand: string | null }; messageId?: string } };
        return topic === 'messages.send' ? messages.has(v.messageId ?? '') : v.ad?.brand === this.brand;
      } catch {
        return false; // not an event of this service: not the run's
      }
    };
    const admin = env.client.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(full);
    await admin.disconnect();
    const target = ends.reduce((n, p) => n + Number(p.high), 0);
    const ids: string[] = [];
    const consumer = env.client.consumer({ groupId: `chaos-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: full, fromBeginning: true });
    let read = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        read++;
        const id = readHeaders(message.headers)['event-id'];
        if (id && mine(message.value)) ids.push(id);
      },
    });
    await waitFor(() => read >= target, { timeoutMs: 60_000, message: `reading ${topic}` });
    await consumer.disconnect();
    return { total: ids.length, distinct: new Set(ids).size };
  }

  private async deadLetters(): Promise<number> {
    const admin = this.env.client.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter(
        (t) => t.startsWith(this.env.topics.prefix) && t.endsWith('.dlq'),
      );
      let n = 0;
      for (const t of topics) for (const p of await admin.fetchTopicOffsets(t)) n += Number(p.high) - Number(p.low);
      return n;
    } finally {
      await admin.disconnect();
    }
  }
}

/** Milliseconds from `since` to the first request accepted after it. */
export const firstAcceptedAfter = (run: ChaosRun, since: number) =>
  Math.min(...run.acceptedAt.filter((t) => t >= since)) - since;

/** Milliseconds from `since` to the first lead written after it (matching resumed). */
export async function firstLeadAfter(env: ChaosEnv, since: number): Promise<number> {
  const row = await env
    .db('leads')
    .where('created_at', '>=', new Date(since))
    .min<{ min: Date | null }>('created_at as min')
    .first();
  return row?.min ? row.min.getTime() - since : NaN;
}

/** Prints the figures as a JSON line the chaos report reads (and people can). */
export function report(f: Figures) {
  process.stderr.write(`[chaos-figures] ${JSON.stringify(f)}\n`);
}

/** The load of a fault test: ads per second for this many seconds (npm run chaos: full; CI: short). */
export const LOAD = { rate: FULL ? 50 : 20, seconds: FULL ? 60 : 24 } as const;

/** The start most fault tests share: the run's accounts and hunts seeded, one service, its URL once started. */
export async function seededService(env: ChaosEnv, overrides: Record<string, string> = {}) {
  const run = new ChaosRun(env, { accounts: FULL ? 10 : 4 });
  await run.seed();
  const service = env.start(overrides);
  const url = ((await service.waitForLog('hunt-matcher started', 60_000)) as { url: string }).url;
  return { run, service, url };
}

/** Samples the outbox's row count every `everyMs` until stopped; `peak()` is the largest seen. */
export function watchOutbox(env: ChaosEnv, everyMs = 250) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const n = Number((await env.db('outbox').count<Array<{ count: string }>>('* as count'))[0]!.count);
      peak = Math.max(peak, n);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** The longest time between two consecutive leads of the run (ms): how long matching stood still at worst. */
export async function longestLeadPause(env: ChaosEnv, run: ChaosRun): Promise<number> {
  const { rows } = await env.db.raw<{ rows: Array<{ ms: string | null }> }>(
    `SELECT max(extract(epoch FROM gap) * 1000) AS ms FROM (
       SELECT l.created_at - lag(l.created_at) OVER (ORDER BY l.created_at) AS gap FROM leads l JOIN ads a ON a.id = l.ad_id WHERE a.brand = ?
     ) g`,
    [run.brand],
  );
  return Math.round(Number(rows[0]?.ms ?? 0));
}

/** `times` runs of `fault`, evenly spaced over a load of `seconds` (none at its very start or end). */
export const evenlySpaced = (times: number, seconds: number, fault: () => Promise<void>) =>
  Array.from({ length: times }, (_, i) => ({ atMs: ((i + 1) * seconds * 1000) / (times + 1), run: fault }));
