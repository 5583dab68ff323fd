// The hunts API (docs/ARCHITECTURE.md section 6): validation and JSON here; the writes and their HuntChanged
// events in src/producers/hunts/huntChanges.ts.
import type { Db } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ContactHours, Hunt } from '../../domain/types.js';
import { changeHunt, createHunt, deleteHunt, type HuntChangeDeps } from '../../producers/hunts/huntChanges.js';
import {
  createHuntSchema,
  huntFields,
  patchHuntSchema,
  withDefaults,
  type CreateHuntBody,
  type HuntFields,
} from '../../producers/hunts/huntInput.js';
import { listAccountHunts } from '../../sql/hunts/listAccountHunts.js';
import { loadHunt } from '../../sql/hunts/loadHunt.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { routeModule } from '../registerEach.js';
import { EXAMPLES } from '../examples.js';
import { assertAccountVisible, requireAccountAccess, scopeOf } from '../auth.js';
import { routeFamily } from '../routeFamily.js';
import { accountParams, arrayOf, dateTime, nullable, object, uuid, noContent } from '../schemas.js';

/** A hunt as the API answers it: every field, defaults filled in. */
export const huntSchema = object({
  id: uuid,
  accountId: uuid,
  ...huntFields,
  version: { type: 'integer', description: 'Incremented by every change' },
  lastScanAt: {
    ...nullable(dateTime),
    description: 'When the hunt last looked back over recent ads (creation, reactivation, a change of criteria)',
  },
  createdAt: dateTime,
  updatedAt: dateTime,
});

export interface HuntRoutesDeps extends HuntChangeDeps {
  db: Db;
  apiToken: string | undefined;
  /** CONTACT_HOURS_DEFAULT: the window of a new hunt that gives none. */
  contactHoursDefault: ContactHours | null;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function huntJson(h: Hunt) {
  return {
    ...h,
    lastScanAt: isoOrNull(h.lastScanAt),
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
  };
}

/** What the routes of registerHuntRoutes share, made once per registration. */
function huntRoutesShared(deps: HuntRoutesDeps) {
  const hunts = routeFamily('hunts', 'apiToken', requireAccountAccess(deps), [400, 401, 404]);
  return { hunts };
}
type HuntRoutesShared = ReturnType<typeof huntRoutesShared>;

function postHunts(app: HttpApp, deps: HuntRoutesDeps, { hunts }: HuntRoutesShared) {
  app.post<{ Body: CreateHuntBody }>(
    '/v1/hunts',
    hunts('Create a hunt; it looks back BACKFILL_DAYS days at once, then matches every new ad', {
      body: { ...createHuntSchema, examples: [EXAMPLES.createHunt] },
      response: { 201: huntSchema },
    }),
    async (request, reply) => {
      assertAccountVisible(request, request.body.accountId, `account ${request.body.accountId}`);
      const hunt = await createHunt(deps, request.body.accountId, withDefaults(request.body, deps.contactHoursDefault));
      request.log.info({ huntId: hunt.id, accountId: hunt.accountId }, 'hunt created');
      return reply.status(201).header('location', `/v1/hunts/${hunt.id}`).send(huntJson(hunt));
    },
  );
}

function getHunts(app: HttpApp, deps: HuntRoutesDeps, { hunts }: HuntRoutesShared) {
  app.get<{ Params: { id: string } }>(
    '/v1/hunts/:id',
    hunts('A hunt', { params: idParams, response: { 200: huntSchema } }),
    async (request) => {
      const hunt = await loadHunt(deps.db, request.params.id);
      if (!hunt || hunt.deleted) throw new NotFoundError(`hunt ${request.params.id}`);
      assertAccountVisible(request, hunt.accountId, `hunt ${request.params.id}`);
      const { deleted: _deleted, ...live } = hunt;
      return huntJson(live);
    },
  );
}

function patchHunts(app: HttpApp, deps: HuntRoutesDeps, { hunts }: HuntRoutesShared) {
  app.patch<{ Params: { id: string }; Body: HuntFields }>(
    '/v1/hunts/:id',
    hunts("Change some of a hunt's fields (pausing, resuming, new criteria); a change of criteria looks back again", {
      params: idParams,
      body: { ...patchHuntSchema, examples: [EXAMPLES.patchHunt] },
      response: { 200: huntSchema },
    }),
    async (request) =>
      huntJson(await changeHunt(deps, request.params.id, request.body, { accountId: scopeOf(request) })),
  );
}

function deleteHunts(app: HttpApp, deps: HuntRoutesDeps, { hunts }: HuntRoutesShared) {
  app.delete<{ Params: { id: string } }>(
    '/v1/hunts/:id',
    hunts('Delete a hunt (its leads stay)', { params: idParams, response: noContent('Deleted') }),
    async (request, reply) => {
      await deleteHunt(deps, request.params.id, { accountId: scopeOf(request) });
      return reply.status(204).send();
    },
  );
}

function getAccountsHunts(app: HttpApp, deps: HuntRoutesDeps, { hunts }: HuntRoutesShared) {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/hunts',
    hunts("The account's hunts", { params: accountParams, response: { 200: object({ hunts: arrayOf(huntSchema) }) } }),
    async (request) => {
      assertAccountVisible(request, request.params.accountId, `account ${request.params.accountId}`);
      return { hunts: (await listAccountHunts(deps.db, request.params.accountId)).map(huntJson) };
    },
  );
}

export const registerHuntRoutes = routeModule(huntRoutesShared, [
  postHunts,
  getHunts,
  patchHunts,
  deleteHunts,
  getAccountsHunts,
]);
