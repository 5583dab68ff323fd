// GET /v1/accounts/:accountId/leads: the account's Kanban board, column by column (stage order),
// newest on top (position), with a summary of each ad. Cursor pagination over (stage, position, id).
import type { ServiceContext } from '../../service.js';
import { LEAD_STAGES } from '../../domain/types.js';
import type { HttpApp } from '../app.js';
import { requireBearer } from '../auth.js';
import { validationError } from '../errors.js';

interface Query {
  stage?: string;
  limit?: string;
  cursor?: string;
}

interface Cursor {
  s: number;
  p: number;
  i: string;
}

const STAGE_RANK = `array_position(ARRAY[${LEAD_STAGES.map((s) => `'${s}'`).join(',')}]::text[], l.stage)`;

export const registerLeadRoutes = (ctx: ServiceContext) => (app: HttpApp) => {
  app.get<{ Params: { accountId: string }; Querystring: Query }>(
    '/v1/accounts/:accountId/leads',
    {
      onRequest: requireBearer(ctx.config.tokens.api),
      schema: {
        params: { type: 'object', required: ['accountId'], properties: { accountId: { type: 'string', format: 'uuid' } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            stage: { type: 'string', enum: [...LEAD_STAGES] },
            // Bodies are validated without type coercion, so numbers in the query string are strings here.
            limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$' },
            cursor: { type: 'string', maxLength: 500 },
          },
        },
      },
    },
    async (request) => {
      const { stage, cursor } = request.query;
      const limit = Number(request.query.limit ?? 100);
      let after: Cursor | undefined;
      if (cursor) {
        try {
          after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
          if (typeof after.s !== 'number' || typeof after.p !== 'number' || typeof after.i !== 'string') throw new Error('shape');
        } catch {
          throw validationError('querystring/cursor', 'is not a cursor returned by this endpoint');
        }
      }
      const q = ctx.db
        .from('leads as l')
        .join('ads as a', 'a.id', 'l.ad_id')
        .where('l.account_id', request.params.accountId)
        .select(
          ctx.db.raw(`${STAGE_RANK} AS stage_rank`),
          'l.id',
          'l.account_id',
          'l.hunt_id',
          'l.ad_id',
          'l.stage',
          'l.position',
          'l.reason',
          'l.reason_detail',
          'l.contacted_at',
          'l.created_at',
          'a.title',
          'a.price',
          'a.brand',
          'a.model',
          'a.model_year',
          'a.mileage_km',
          'a.city',
          'a.zipcode',
          'a.url',
          'a.pictures',
          'a.owner_type',
        )
        .orderByRaw(`${STAGE_RANK}, l.position, l.id`)
        .limit(limit + 1);
      if (stage) q.where('l.stage', stage);
      if (after) q.whereRaw(`(${STAGE_RANK}, l.position, l.id) > (?, ?, ?)`, [after.s, after.p, after.i]);
      const rows = (await q) as Array<Record<string, unknown> & { stage_rank: number; position: number; id: string; pictures: string[] }>;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        leads: page.map((r) => ({
          id: r.id,
          accountId: r.account_id,
          huntId: r.hunt_id,
          adId: r.ad_id,
          stage: r.stage,
          position: r.position,
          reason: r.reason,
          reasonDetail: r.reason_detail,
          contactedAt: (r.contacted_at as Date | null)?.toISOString() ?? null,
          createdAt: (r.created_at as Date).toISOString(),
          ad: {
            title: r.title,
            price: r.price,
            brand: r.brand,
            model: r.model,
            modelYear: r.model_year,
            mileageKm: r.mileage_km,
            city: r.city,
            zipcode: r.zipcode,
            url: r.url,
            picture: r.pictures[0] ?? null,
            ownerType: r.owner_type,
          },
        })),
        nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ s: last.stage_rank, p: last.position, i: last.id })).toString('base64url') : null,
      };
    },
  );
};
