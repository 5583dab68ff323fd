// POST /v1/ads: up to 1,000 ads, upserted with their AdScraped events (src/producers/ads/ingestAds.ts).
import type { Db } from '../../db/knex.js';
import { adInputSchema, MAX_ADS_PER_REQUEST, validAdsOrThrow, type AdInput } from '../../producers/ads/adInput.js';
import { ingestAds } from '../../producers/ads/ingestAds.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { requireBearer } from '../auth.js';
import { describe, errors, object } from '../schemas.js';

const count = { type: 'integer', minimum: 0 } as const;

export interface AdRoutesDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'adsIngested'>;
  ingestToken: string | undefined;
}

export const registerAdRoutes = (deps: AdRoutesDeps) => (app: HttpApp) => {
  app.post<{ Body: { ads: AdInput[] } }>(
    '/v1/ads',
    {
      onRequest: requireBearer(deps.ingestToken),
      schema: {
        ...describe(
          'ads',
          'Ingest up to 1,000 ads (upserted by source and externalId, each new or changed one an AdScraped event)',
          'ingestToken',
        ),
        response: {
          202: object({ received: count, inserted: count, updated: count, unchanged: count }),
          ...errors(400, 401),
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ads'],
          properties: { ads: { type: 'array', minItems: 1, maxItems: MAX_ADS_PER_REQUEST, items: adInputSchema } },
          examples: [EXAMPLES.ads],
        },
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      // fastify applied adInputSchema to every ad of the body (below): validateAds checks the rest.
      const ads = validAdsOrThrow(request.body.ads, { now, schemaApplied: true });
      const result = await deps.db.transaction((trx) => ingestAds(trx, deps.outbox, ads, { now }));
      deps.metrics.adsIngested.inc({ outcome: 'inserted' }, result.inserted);
      deps.metrics.adsIngested.inc({ outcome: 'updated' }, result.updated);
      deps.metrics.adsIngested.inc({ outcome: 'unchanged' }, result.unchanged);
      return reply.status(202).send(result);
    },
  );
};
