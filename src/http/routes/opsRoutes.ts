// The operator's console: the page at /ops (static files, src/http/console/, and the uPlot chart
// library served from its npm package), and the JSON it reads under /v1/ops/, behind OPS_TOKEN.
//   GET  /v1/ops/pipeline                      topics, outbox, consumer lag, sender queue, per-hop histograms
//   GET  /v1/ops/dead-letters?topic=&limit=    counts per topic and the latest dead letters
//   POST /v1/ops/dead-letters/replay           {topic, offset} or {topic, all: true}: src/ops/deadLetters.ts, like the CLI
//   GET  /v1/ops/accounts                      the newest accounts (the account picker)
//   GET  /v1/ops/accounts/:accountId/leads     an account's leads as Kanban columns: a page each, the true counts
//   POST /v1/ops/hunts/preview                 POST /v1/hunts/preview on the operator's behalf
// and, in opsMessagingRoutes.ts, the conversations, the unmatched replies and the providers' figures.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Db } from '../../db/knex.js';
import { ValidationError } from '../../domain/errors.js';
import { LEAD_STAGES } from '../../domain/types.js';
import { CONSUMED_TOPICS, BASE_TOPICS } from '../../events/topics.js';
import { DeadLetterRequestError, type DeadLetters } from '../../ops/deadLetters.js';
import type { PipelineFigures } from '../../ops/pipelineFigures.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import { projectRoot } from '../../platform/projectRoot.js';
import { countLeadsByStage } from '../../sql/leads/countLeadsByStage.js';
import { listLeads, type LeadCard } from '../../sql/leads/listLeads.js';
import { listRecentAccounts } from '../../sql/accounts/listRecentAccounts.js';
import { outboxBacklog } from '../../sql/outbox/outboxBacklog.js';
import { senderQueue } from '../../sql/messages/senderQueue.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { routeModule } from '../registerEach.js';
import { opsRouteFamily } from '../routeFamily.js';
import { EXAMPLES } from '../examples.js';
import { arrayOf, dateTime, describe, nullable, object, uuid, query, limitParam, text, int } from '../schemas.js';
import { previewResponse } from '../previewSchema.js';

export interface OpsRoutesDeps {
  db: Db;
  opsToken: string | undefined;
  /** The console's hunt preview calls POST /v1/hunts/preview with it, for the operator. */
  apiToken: string | undefined;
  deadLetters: DeadLetters;
  figures: PipelineFigures;
  metrics: Pick<Metrics, 'hopSeconds'>;
  clock: Clock;
}

/** A column's page when the console asks for none; it asks for more as the operator clicks "show more". */
const LEADS_PER_COLUMN = 20;
const baseTopic = { type: 'string', enum: [...BASE_TOPICS] } as const;
const consumedTopic = { type: 'string', enum: [...CONSUMED_TOPICS] } as const;
const orNull = (schema: Record<string, unknown>) => nullable(schema);

const pipelineSchema = object({
  at: dateTime,
  topics: arrayOf(
    object({ topic: baseTopic, messages: { ...int, description: 'Messages in the topic (all partitions)' } }),
  ),
  outbox: object({ backlog: int, oldestAgeSeconds: orNull({ type: 'number' }) }),
  lag: arrayOf(
    object({
      consumer: text,
      topic: baseTopic,
      lag: { ...orNull(int), description: 'null: the group has committed nothing yet' },
    }),
  ),
  sender: object({ pending: int, dueNow: int, retrying: int, failedLastHour: int }),
  hops: object(
    {
      series: arrayOf(
        object({ hop: text, count: int, sum: { type: 'number' }, buckets: arrayOf(object({ le: text, count: int })) }),
      ),
    },
    {
      description:
        "This process's hunt_matcher_hop_seconds histograms (cumulative); with roles in several processes, the dashboard has every process's",
    },
  ),
});

const deadLetterSchema = object({
  topic: consumedTopic,
  partition: int,
  offset: text,
  reason: text,
  sourcePartition: orNull(int),
  sourceOffset: orNull(text),
  consumer: orNull(text),
  deadLetteredAt: text,
  key: orNull(text),
  eventType: orNull(text),
  eventId: orNull(text),
  bytes: int,
  failedAfterReplayAt: orNull(text),
  replayedAt: orNull(text),
});

const deadLettersSchema = object({
  counts: arrayOf(object({ topic: consumedTopic, total: int, waiting: int })),
  latest: arrayOf(deadLetterSchema),
});

const replaySchema = object({
  topic: consumedTopic,
  dryRun: { type: 'boolean' },
  replayed: arrayOf(
    object({
      offset: text,
      eventId: orNull(text),
      to: object({ topic: text, partition: orNull(int), offset: orNull(text) }),
    }),
  ),
  skipped: arrayOf(object({ offset: text, replayedAt: text })),
});

const leadCardSchema = object({
  id: uuid,
  huntId: uuid,
  title: text,
  price: orNull(int),
  city: orNull(text),
  zipcode: orNull(text),
  url: orNull(text),
  stage: { type: 'string', enum: [...LEAD_STAGES] },
  contacted: { type: 'boolean' },
  reason: orNull(text),
  reasonDetail: orNull(text),
  repliedAt: { ...orNull(dateTime), description: 'The seller replied (first reply): the card shows a badge' },
  lastReplyAt: orNull(dateTime),
  createdAt: dateTime,
});

/** What the routes of registerOpsRoutes share, made once per registration. */
function opsRoutesShared(deps: OpsRoutesDeps) {
  // The page: no build step, plain files; uPlot straight from its npm package (a dependency).
  const consoleDir = join(projectRoot(), 'src', 'http', 'console');

  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));

  const ops = opsRouteFamily(deps.opsToken);
  return { consoleDir, uplotDir, ops };
}
type OpsRoutesShared = ReturnType<typeof opsRoutesShared>;

/**
 * The console's own files under /ops/ and uPlot's two under /ops/vendor/uplot/: plain files, out of the
 * OpenAPI document.
 */
function serveStaticFiles(app: HttpApp, _deps: OpsRoutesDeps, { consoleDir, uplotDir }: OpsRoutesShared) {
  const serve = (options: {
    root: string;
    prefix: string;
    index?: false;
    cacheControl?: false;
    decorateReply?: false;
    allowedPath?: (path: string) => boolean;
  }) => void app.register(fastifyStatic, { ...options, schemaHide: true });
  serve({ root: consoleDir, prefix: '/ops/', index: false, cacheControl: false });
  serve({
    root: uplotDir,
    prefix: '/ops/vendor/uplot/',
    decorateReply: false,
    allowedPath: (path) => /^\/uPlot\.(iife\.min\.js|min\.css)$/.test(path),
  });
}

function getOps(app: HttpApp, _deps: OpsRoutesDeps, { consoleDir }: OpsRoutesShared) {
  app.get(
    '/ops',
    {
      schema: {
        ...describe('ops', "The operator's console (an HTML page; it asks for OPS_TOKEN)"),
        response: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html', consoleDir),
  );
}

function getOpsPipeline(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.get(
    '/v1/ops/pipeline',
    ops(
      "The pipeline now: messages per topic, outbox backlog, consumer lag, the sender's queue, per-hop latency histograms",
      { response: { 200: pipelineSchema }, errors: [401] },
    ),
    async () => {
      const now = deps.clock.now();
      const [topics, lag, backlog, sender, hop] = await Promise.all([
        deps.figures.topics(),
        deps.figures.lag(),
        outboxBacklog(deps.db),
        senderQueue(deps.db, now),
        deps.metrics.hopSeconds.get(),
      ]);
      const series = new Map<
        string,
        { hop: string; count: number; sum: number; buckets: Array<{ le: string; count: number }> }
      >();
      for (const v of hop.values) {
        const name = String(v.labels.hop);
        const s = series.get(name) ?? { hop: name, count: 0, sum: 0, buckets: [] };
        series.set(name, s);
        if (v.metricName?.endsWith('_bucket'))
          s.buckets.push({ le: String((v.labels as Record<string, string | number>).le), count: v.value });
        else if (v.metricName?.endsWith('_sum')) s.sum = v.value;
        else if (v.metricName?.endsWith('_count')) s.count = v.value;
      }
      return {
        at: now.toISOString(),
        topics,
        outbox: {
          backlog: backlog.rows,
          oldestAgeSeconds: backlog.oldest ? Math.max(0, (now.getTime() - backlog.oldest.getTime()) / 1000) : null,
        },
        lag,
        sender,
        hops: { series: [...series.values()] },
      };
    },
  );
}

function getOpsDeadLetters(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.get<{ Querystring: { topic?: (typeof CONSUMED_TOPICS)[number]; limit?: string } }>(
    '/v1/ops/dead-letters',
    ops('Dead letters: the count per topic and the latest ones with their reason and source', {
      querystring: query({ topic: consumedTopic, limit: limitParam(100) }),
      response: { 200: deadLettersSchema },
    }),
    async (request) => {
      const [counts, latest] = await Promise.all([
        deps.deadLetters.counts(),
        deps.deadLetters.list({ topic: request.query.topic, limit: Number(request.query.limit ?? 20) }),
      ]);
      return { counts, latest };
    },
  );
}

function postOpsDeadLettersReplay(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.post<{ Body: { topic: (typeof CONSUMED_TOPICS)[number]; offset?: string; all?: boolean } }>(
    '/v1/ops/dead-letters/replay',
    ops(
      'Replay one dead letter ({topic, offset}) or all of a topic ({topic, all: true}) to its source topic, as npm run dlq -- replay does',
      {
        body: {
          type: 'object',
          required: ['topic'],
          additionalProperties: false,
          properties: {
            topic: consumedTopic,
            offset: { type: 'string', pattern: '^[0-9]+$' },
            all: { type: 'boolean' },
          },
          examples: [EXAMPLES.replay],
        },
        response: { 200: replaySchema },
      },
    ),
    async (request) => {
      try {
        return await deps.deadLetters.replay({
          topic: request.body.topic,
          offset: request.body.offset,
          all: request.body.all,
        });
      } catch (e) {
        if (e instanceof DeadLetterRequestError) throw new ValidationError(`body/${e.field}`, e.message);
        throw e;
      }
    },
  );
}

function getOpsAccounts(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.get(
    '/v1/ops/accounts',
    ops("The newest accounts (the console's account picker)", {
      response: { 200: object({ accounts: arrayOf(object({ id: uuid, name: text, createdAt: dateTime })) }) },
      errors: [401],
    }),
    async () => ({
      accounts: (await listRecentAccounts(deps.db, 50)).map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
    }),
  );
}

function getOpsAccountsLeads(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.get<{ Params: { accountId: string }; Querystring: { limit?: string; replied?: 'true' | 'false' } }>(
    '/v1/ops/accounts/:accountId/leads',
    ops(
      "An account's leads as Kanban columns by stage: the first `limit` of each column (Kanban order), and each column's true counts",
      {
        params: { type: 'object', required: ['accountId'], properties: { accountId: uuid } },
        querystring: query({
          limit: { ...limitParam(500), description: `Leads per column, 1 to 500 (default ${LEADS_PER_COLUMN})` },
          replied: {
            type: 'string',
            enum: ['true', 'false'],
            description: 'true: only the leads whose seller replied',
          },
        }),
        response: {
          200: object({
            accountId: uuid,
            columns: arrayOf(
              object({
                stage: { type: 'string', enum: [...LEAD_STAGES] },
                total: { ...int, description: 'Leads in this column (with replied=true: those with a reply)' },
                replied: { ...int, description: 'Leads of this column whose seller replied' },
                leads: arrayOf(leadCardSchema),
              }),
            ),
          }),
        },
      },
    ),
    async (request) => {
      const { accountId } = request.params;
      const limit = Number(request.query.limit ?? LEADS_PER_COLUMN);
      const repliedOnly = request.query.replied === 'true';
      const counts = await countLeadsByStage(deps.db, accountId);
      const columns = await Promise.all(
        LEAD_STAGES.map(async (stage) => ({
          stage,
          total: repliedOnly ? (counts.get(stage)?.replied ?? 0) : (counts.get(stage)?.total ?? 0),
          replied: counts.get(stage)?.replied ?? 0,
          leads: (await listLeads(deps.db, accountId, { stage, limit, repliedOnly })).map(leadCardJson),
        })),
      );
      return { accountId, columns };
    },
  );
}

/** A lead of a Kanban column, as the console shows it. */
function leadCardJson(c: LeadCard) {
  return {
    id: c.id,
    huntId: c.huntId,
    title: c.ad.title,
    price: c.ad.price,
    city: c.ad.city,
    zipcode: c.ad.zipcode,
    url: c.ad.url,
    stage: c.stage,
    contacted: c.contactedAt !== null,
    reason: c.reason,
    reasonDetail: c.reasonDetail,
    repliedAt: isoOrNull(c.repliedAt),
    lastReplyAt: isoOrNull(c.lastReplyAt),
    createdAt: c.createdAt.toISOString(),
  };
}

function postOpsHuntsPreview(app: HttpApp, deps: OpsRoutesDeps, { ops }: OpsRoutesShared) {
  app.post<{ Body: Record<string, unknown> }>(
    '/v1/ops/hunts/preview',
    ops("POST /v1/hunts/preview on the operator's behalf", {
      body: { type: 'object', examples: [EXAMPLES.preview] },
      response: { 200: previewResponse },
      errors: [400, 401, 404, 502],
    }),
    async (request, reply) => {
      // The preview route validates the body (the same 400 naming the field); this one only carries it.
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/hunts/preview',
        headers: { authorization: `Bearer ${deps.apiToken ?? ''}`, 'content-type': 'application/json' },
        payload: JSON.stringify(request.body),
      });
      // A 401 from it is about this service's API_TOKEN, not the operator's: not theirs to fix.
      if (answer.statusCode === 401)
        return reply
          .status(502)
          .send({ error: 'bad_gateway', message: 'the preview refused the API_TOKEN of this service' });
      // A 503 keeps its Retry-After: the database is as unavailable to the operator as to the preview.
      const retryAfter = answer.headers['retry-after'];
      if (retryAfter !== undefined) void reply.header('retry-after', retryAfter);
      return reply.status(answer.statusCode).send(answer.json());
    },
  );
}

export const registerOpsRoutes = routeModule(opsRoutesShared, [
  serveStaticFiles,
  getOps,
  getOpsPipeline,
  getOpsDeadLetters,
  postOpsDeadLettersReplay,
  getOpsAccounts,
  getOpsAccountsLeads,
  postOpsHuntsPreview,
]);
