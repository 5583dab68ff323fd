// The hunts API: every write bumps `version` and enqueues HuntChanged in the same transaction.
import { v7 as uuidv7 } from 'uuid';
import type { Trx } from '../../db/knex.js';
import type { Hunt } from '../../domain/types.js';
import type { HttpApp } from '../app.js';
import { requireBearer } from '../auth.js';
import { notFound } from '../errors.js';
import type { ServiceContext } from '../../service.js';
import { checkHunt, createHuntSchema, patchHuntSchema, withDefaults, type CreateHuntBody, type HuntFields, type HuntSettings } from '../../producers/hunts/huntInput.js';
import { ensureAccount, findHunt, huntFromRow, liveHunts, rowFromSettings, type HuntRow } from '../../sql/rows/huntRow.js';

type Change = 'CREATED' | 'UPDATED' | 'PAUSED' | 'ACTIVATED' | 'DELETED';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const accountParams = { type: 'object', required: ['accountId'], properties: { accountId: { type: 'string', format: 'uuid' } } } as const;

export function huntJson(h: Hunt) {
  return { ...h, lastScanAt: h.lastScanAt?.toISOString() ?? null, createdAt: h.createdAt.toISOString(), updatedAt: h.updatedAt.toISOString() };
}

export const registerHuntRoutes = (ctx: ServiceContext) => (app: HttpApp) => {
  const auth = requireBearer(ctx.config.tokens.api);

  async function announce(trx: Trx, hunt: Pick<Hunt, 'id' | 'accountId' | 'version'>, change: Change) {
    await ctx.outbox.enqueue(trx, {
      eventType: 'HuntChanged',
      key: hunt.id,
      value: { huntId: hunt.id, accountId: hunt.accountId, change, version: hunt.version, changedAt: ctx.clock.now().getTime() },
    });
  }

  app.post<{ Body: CreateHuntBody }>('/v1/hunts', { onRequest: auth, schema: { body: createHuntSchema } }, async (request, reply) => {
    const settings = withDefaults(request.body);
    checkHunt(settings);
    const hunt = await ctx.db.transaction(async (trx) => {
      await ensureAccount(trx, request.body.accountId);
      const now = ctx.clock.now();
      const [row] = await trx<HuntRow>('hunts')
        .insert({ id: uuidv7(), account_id: request.body.accountId, ...rowFromSettings(settings), version: 1, created_at: now, updated_at: now })
        .returning('*');
      const created = huntFromRow(row!);
      await announce(trx, created, 'CREATED');
      return created;
    });
    request.log.info({ huntId: hunt.id, accountId: hunt.accountId }, 'hunt created');
    return reply.status(201).header('location', `/v1/hunts/${hunt.id}`).send(huntJson(hunt));
  });

  app.get<{ Params: { id: string } }>('/v1/hunts/:id', { onRequest: auth, schema: { params: idParams } }, async (request) => {
    const hunt = await findHunt(ctx.db, request.params.id);
    if (!hunt) throw notFound(`hunt ${request.params.id}`);
    return huntJson(hunt);
  });

  app.patch<{ Params: { id: string }; Body: HuntFields }>('/v1/hunts/:id', { onRequest: auth, schema: { params: idParams, body: patchHuntSchema } }, async (request) => {
    const updated = await ctx.db.transaction(async (trx) => {
      // The row lock serialises writers of one hunt, so versions and events follow commit order.
      const current = await findHunt(trx, request.params.id, { forUpdate: true });
      if (!current) throw notFound(`hunt ${request.params.id}`);
      const merged: HuntSettings = { ...pickSettings(current), ...request.body };
      checkHunt(merged);
      const [row] = await trx<HuntRow>('hunts')
        .where({ id: current.id })
        .update({ ...rowFromSettings(merged), version: current.version + 1, updated_at: ctx.clock.now() })
        .returning('*');
      const hunt = huntFromRow(row!);
      const change: Change = current.status !== hunt.status ? (hunt.status === 'paused' ? 'PAUSED' : 'ACTIVATED') : 'UPDATED';
      await announce(trx, hunt, change);
      return hunt;
    });
    return huntJson(updated);
  });

  app.delete<{ Params: { id: string } }>('/v1/hunts/:id', { onRequest: auth, schema: { params: idParams } }, async (request, reply) => {
    await ctx.db.transaction(async (trx) => {
      const current = await findHunt(trx, request.params.id, { forUpdate: true });
      if (!current) throw notFound(`hunt ${request.params.id}`);
      const version = current.version + 1;
      await trx('hunts').where({ id: current.id }).update({ deleted_at: ctx.clock.now(), updated_at: ctx.clock.now(), version });
      await announce(trx, { ...current, version }, 'DELETED');
    });
    return reply.status(204).send();
  });

  app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/hunts', { onRequest: auth, schema: { params: accountParams } }, async (request) => {
    const rows = (await liveHunts(ctx.db).where({ account_id: request.params.accountId }).orderBy([{ column: 'created_at' }, { column: 'id' }]));
    return { hunts: rows.map((r) => huntJson(huntFromRow(r))) };
  });

  app.post<{ Body: { id?: string; name?: string } }>(
    '/v1/accounts',
    {
      onRequest: auth,
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const id = request.body.id ?? uuidv7();
      const [row] = await ctx.db('accounts')
        .insert({ id, name: request.body.name ?? '' })
        .onConflict('id')
        .merge(request.body.name === undefined ? ['id'] : ['name'])
        .returning<Array<{ id: string; name: string; created_at: Date }>>(['id', 'name', 'created_at']);
      return reply.status(201).send({ id: row!.id, name: row!.name, createdAt: row!.created_at.toISOString() });
    },
  );
};

function pickSettings(h: Hunt): HuntSettings {
  const { id: _id, accountId: _a, version: _v, createdAt: _c, updatedAt: _u, lastScanAt: _l, ...settings } = h;
  return settings;
}
