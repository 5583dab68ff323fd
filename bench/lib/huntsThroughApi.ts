// Hunts as users write them: POST /v1/hunts (many in flight, as an account's import would send them),
// then a burst of PATCH /v1/hunts/:id, and the wait for the matcher's backfill of each change, so that
// a scenario measures a world set up the way the service meets it rather than rows inserted by SQL.
import pLimit from 'p-limit';
import type { Db } from '../../src/db/knex.js';
import type { Hunt } from '../../src/domain/types.js';
import type { CreateHuntBody } from '../../src/producers/hunts/huntInput.js';
import { TOKENS } from '../../testkit/serviceEnv.js';
import { until } from './stats.js';

/** Requests in flight while creating or editing (the API's own pool and the machine's two cores decide the rest). */
const IN_FLIGHT = 24;

export interface CreatedHunt<H = Hunt> {
  /** The id the service gave it. */
  id: string;
  hunt: H;
}

/** The generated hunt as the API takes it (what a client would send: every criterion it sets). */
export function huntBodyOf(h: Hunt): CreateHuntBody {
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, lastScanAt: _l, ...body } = h;
  return body;
}

async function call(method: string, url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TOKENS.API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/**
 * Creates every hunt through the API, `inFlight` requests at once (an account's import), each as
 * `bodyOf` writes it; throws on the first refusal (the world would not be what it says).
 */
export async function createHuntsThroughApi<H>(
  apiUrl: string,
  hunts: readonly H[],
  log: (m: string) => void,
  bodyOf: (h: H) => unknown,
  inFlight = IN_FLIGHT,
): Promise<{ created: CreatedHunt<H>[]; seconds: number }> {
  const limit = pLimit(inFlight);
  const started = performance.now();
  let done = 0;
  const created = await Promise.all(
    hunts.map((hunt) =>
      limit(async () => {
        const r = await call('POST', `${apiUrl}/v1/hunts`, bodyOf(hunt));
        if (r.status !== 201) throw new Error(`POST /v1/hunts answered ${r.status}: ${JSON.stringify(r.json)}`);
        if (++done % 2000 === 0) log(`${done}/${hunts.length} hunts created through the API`);
        return { id: (r.json as { id: string }).id, hunt };
      }),
    ),
  );
  return { created, seconds: (performance.now() - started) / 1000 };
}

/** Waits until the outbox has been empty for `quietMs` (checked every 100 ms); returns the seconds it took. */
export async function waitForEmptyOutbox(db: Db, quietMs: number, timeoutMs = 10 * 60_000): Promise<number> {
  const started = performance.now();
  let emptySince = 0;
  await until(
    async () => {
      const { rows } = await db.raw<{ rows: Array<{ n: string }> }>('SELECT count(*) AS n FROM outbox');
      if (Number(rows[0]!.n) > 0) emptySince = 0;
      else emptySince ||= performance.now();
      return emptySince > 0 && performance.now() - emptySince >= quietMs;
    },
    `the outbox empty for ${quietMs} ms`,
    timeoutMs,
    100,
  );
  return (performance.now() - started) / 1000;
}

/** Edits `count` hunts (every n-th) at once, as a bulk change would: a price ceiling raised 5%, or a new name. */
export async function editHuntsThroughApi<H extends { priceMax: number | null; name: string }>(
  apiUrl: string,
  hunts: readonly CreatedHunt<H>[],
  count: number,
  inFlight = IN_FLIGHT,
): Promise<{ edited: number; seconds: number }> {
  const limit = pLimit(inFlight);
  const step = Math.max(1, Math.floor(hunts.length / count));
  const chosen = hunts.filter((_, i) => i % step === 0).slice(0, count);
  const started = performance.now();
  await Promise.all(
    chosen.map(({ id, hunt }) =>
      limit(async () => {
        const patch =
          hunt.priceMax !== null
            ? { priceMax: Math.round((hunt.priceMax * 1.05) / 100) * 100 }
            : { name: `${hunt.name} (modifiée)` };
        const r = await call('PATCH', `${apiUrl}/v1/hunts/${id}`, patch);
        if (r.status !== 200) throw new Error(`PATCH /v1/hunts/${id} answered ${r.status}: ${JSON.stringify(r.json)}`);
      }),
    ),
  );
  return { edited: chosen.length, seconds: (performance.now() - started) / 1000 };
}

/** Waits until the matcher's backfill has taken `count` hunt changes (its inbox), logging progress. */
export async function waitForBackfills(
  db: Db,
  topicPrefix: string,
  count: number,
  log: (m: string) => void,
  timeoutMs = 10 * 60_000,
): Promise<number> {
  const started = performance.now();
  let logged = 0;
  await until(
    async () => {
      const { rows } = await db.raw<{ rows: Array<{ n: string }> }>(
        'SELECT count(*) AS n FROM inbox WHERE consumer = ?',
        [`${topicPrefix}matcher-backfill`],
      );
      const n = Number(rows[0]!.n);
      if (Math.floor(n / 2000) > logged) {
        logged = Math.floor(n / 2000);
        log(`${n}/${count} hunt changes backfilled`);
      }
      return n >= count;
    },
    `the backfill of ${count} hunt changes`,
    timeoutMs,
    500,
  );
  return (performance.now() - started) / 1000;
}

/**
 * An account's import and a bulk edit, as D' meets them: every hunt created, every backfill waited for,
 * ANALYZE (what autovacuum would have done by then; this server has it off), then `edits` hunts edited at
 * once. Returns what it did, for the report.
 */
export async function importThenEdit(
  apiUrl: string,
  db: Db,
  topicPrefix: string,
  hunts: readonly Hunt[],
  edits: number,
  log: (m: string) => void,
): Promise<string> {
  const { created, seconds } = await createHuntsThroughApi(apiUrl, hunts, log, huntBodyOf);
  const backfillSeconds = await waitForBackfills(db, topicPrefix, hunts.length, log);
  await db.raw('ANALYZE');
  const edit = await editHuntsThroughApi(apiUrl, created, edits);
  const done = `${created.length} hunts created through the API in ${seconds.toFixed(1)} s (${Math.round(created.length / seconds)}/s), their backfills done ${backfillSeconds.toFixed(1)} s later; ${edit.edited} edited by PATCH in ${edit.seconds.toFixed(1)} s`;
  log(done);
  return done;
}

/** Leads and contacts (messages) the service created for these ads, per ad: the world's measured density. */
export async function densityOf(
  db: Db,
  externalIds: readonly string[],
): Promise<{ ads: number; leadsPerAd: number; contactsPerAd: number }> {
  if (externalIds.length === 0) return { ads: 0, leadsPerAd: NaN, contactsPerAd: NaN };
  const { rows } = await db.raw<{ rows: Array<{ ads: string; leads: string; contacts: string }> }>(
    `SELECT count(DISTINCT a.id) AS ads,
            (SELECT count(*) FROM leads l WHERE l.ad_id IN (SELECT id FROM ads WHERE external_id = ANY(?))) AS leads,
            (SELECT count(*) FROM messages m WHERE m.ad_id IN (SELECT id FROM ads WHERE external_id = ANY(?))) AS contacts
       FROM ads a WHERE a.external_id = ANY(?)`,
    [externalIds, externalIds, externalIds] as never[],
  );
  const ads = Number(rows[0]!.ads);
  return { ads, leadsPerAd: Number(rows[0]!.leads) / ads, contactsPerAd: Number(rows[0]!.contacts) / ads };
}
