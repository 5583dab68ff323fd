// Opt-outs by hand (docs/ARCHITECTURE.md section 6): POST /v1/optouts (a seller who phoned), GET and DELETE
// /v1/optouts/:phone. Token: API_TOKEN. Phones are read in any usual form and stored in E.164.
import type { Db } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import { phoneOf } from '../phone.js';
import { recordOptOut, type OptOutDeps } from '../../producers/optouts/recordOptOut.js';
import { deleteOptOut, loadOptOut, type OptOut } from '../../sql/sellers/optouts.js';
import type { HttpApp } from '../app.js';
import { routeModule } from '../registerEach.js';
import { routeFamily } from '../routeFamily.js';
import { noContent } from '../schemas.js';
import { EXAMPLES } from '../examples.js';
import { requireBearer } from '../auth.js';

export interface OptOutRoutesDeps extends OptOutDeps {
  db: Db;
  apiToken: string | undefined;
}

const optOutJson = (o: OptOut) => ({
  phone: o.phone,
  source: o.source,
  reason: o.reason,
  createdAt: o.createdAt.toISOString(),
});

const optOutSchema = {
  type: 'object',
  required: ['phone', 'source', 'reason', 'createdAt'],
  properties: {
    phone: { type: 'string', description: 'E.164' },
    source: {
      type: 'string',
      enum: ['inbound', 'api'],
      description: 'inbound: a STOP received by the gateway; api: by hand',
    },
    reason: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The answer to an opt-out by hand, new (201) or in force already (200). */
const optOutAnswer = {
  ...optOutSchema,
  required: [...optOutSchema.required, 'cancelled'],
  properties: {
    ...optOutSchema.properties,
    cancelled: { type: 'integer', description: 'pending messages cancelled' },
  },
};

const phoneParams = {
  type: 'object',
  required: ['phone'],
  properties: { phone: { type: 'string', minLength: 1, maxLength: 40 } },
} as const;

/** What the routes of registerOptOutRoutes share, made once per registration. */
function optOutRoutesShared(deps: OptOutRoutesDeps) {
  const optOuts = routeFamily('opt-outs', 'apiToken', requireBearer(deps.apiToken), [400, 401, 404]);
  return { optOuts };
}
type OptOutRoutesShared = ReturnType<typeof optOutRoutesShared>;

function postOptouts(app: HttpApp, deps: OptOutRoutesDeps, { optOuts }: OptOutRoutesShared) {
  app.post<{ Body: { phone: string; reason?: string | null } }>(
    '/v1/optouts',
    optOuts('Opt a phone out by hand: no account messages it again; its pending messages are cancelled', {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['phone'],
        properties: {
          phone: { type: 'string', minLength: 1, maxLength: 40 },
          reason: { type: ['string', 'null'], maxLength: 500 },
        },
        examples: [EXAMPLES.optOut],
      },
      response: {
        201: optOutAnswer,
        200: optOutAnswer,
      },
      errors: [400, 401],
    }),
    async (request, reply) => {
      const phone = phoneOf(request.body.phone, 'body/phone');
      const result = await recordOptOut(deps, { phone, source: 'api', reason: request.body.reason ?? null });
      request.log.info({ created: result.created, cancelled: result.cancelled }, 'phone opted out by hand');
      // 201 for a new opt-out, 200 when the phone had opted out already (the opt-out in force is returned).
      return reply
        .status(result.created ? 201 : 200)
        .send({ ...optOutJson(result.optOut), cancelled: result.cancelled });
    },
  );
}

function getOptouts(app: HttpApp, deps: OptOutRoutesDeps, { optOuts }: OptOutRoutesShared) {
  app.get<{ Params: { phone: string } }>(
    '/v1/optouts/:phone',
    optOuts('The opt-out of a phone (any usual form: +33612345678, 0612345678)', {
      params: phoneParams,
      response: { 200: optOutSchema },
    }),
    async (request) => {
      const phone = phoneOf(request.params.phone, 'params/phone');
      const optOut = await loadOptOut(deps.db, phone);
      if (!optOut) throw new NotFoundError(`opt-out of ${phone}`);
      return optOutJson(optOut);
    },
  );
}

function deleteOptouts(app: HttpApp, deps: OptOutRoutesDeps, { optOuts }: OptOutRoutesShared) {
  app.delete<{ Params: { phone: string } }>(
    '/v1/optouts/:phone',
    optOuts('Lift the opt-out of a phone: it may be contacted again', {
      params: phoneParams,
      response: noContent('Lifted'),
    }),
    async (request, reply) => {
      const phone = phoneOf(request.params.phone, 'params/phone');
      if (!(await deleteOptOut(deps.db, phone))) throw new NotFoundError(`opt-out of ${phone}`);
      request.log.info('opt-out lifted');
      return reply.status(204).send();
    },
  );
}

export const registerOptOutRoutes = routeModule(optOutRoutesShared, [postOptouts, getOptouts, deleteOptouts]);
