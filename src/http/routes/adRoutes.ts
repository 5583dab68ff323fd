import type { HttpApp } from '../app.js';
import { requireBearer } from '../auth.js';
import { validationError } from '../errors.js';
import type { ServiceContext } from '../../service.js';
import { adInputSchema, type AdInput } from '../../producers/ads/adInput.js';
import { ingestAds } from '../../producers/ads/ingestAds.js';

export const MAX_ADS_PER_REQUEST = 1000;

/** Checks JSON schema cannot express; names the ad by its index. */
function checkAd(ad: AdInput, index: number) {
  const field = (name: string) => `body/ads/${index}/${name}`;
  if ((ad.lat === null || ad.lat === undefined) !== (ad.lng === null || ad.lng === undefined)) {
    throw validationError(field(ad.lat === null || ad.lat === undefined ? 'lat' : 'lng'), 'must be given together with lat/lng');
  }
  if (ad.firstPublishedAt && ad.lastPublishedAt && Date.parse(ad.firstPublishedAt) > Date.parse(ad.lastPublishedAt)) {
    throw validationError(field('lastPublishedAt'), 'must not be before firstPublishedAt');
  }
}

export const registerAdRoutes = (ctx: ServiceContext) => (app: HttpApp) => {
  app.post<{ Body: { ads: AdInput[] } }>(
    '/v1/ads',
    {
      onRequest: requireBearer(ctx.config.tokens.ingest),
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ads'],
          properties: { ads: { type: 'array', minItems: 1, maxItems: MAX_ADS_PER_REQUEST, items: adInputSchema } },
        },
      },
    },
    async (request, reply) => {
      request.body.ads.forEach(checkAd);
      const result = await ctx.db.transaction((trx) => ingestAds(trx, ctx.outbox, request.body.ads, { now: ctx.clock.now() }));
      ctx.metrics.adsIngested.inc({ outcome: 'inserted' }, result.inserted);
      ctx.metrics.adsIngested.inc({ outcome: 'updated' }, result.updated);
      ctx.metrics.adsIngested.inc({ outcome: 'unchanged' }, result.unchanged);
      return reply.status(202).send(result);
    },
  );
};
