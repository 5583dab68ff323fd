// The operator's console, its messaging side (behind OPS_TOKEN):
//   GET /v1/ops/leads/:leadId/messages   a lead's conversation, outbound and inbound (the Kanban's card)
//   GET /v1/ops/replies?limit=           the replies no message of ours explains, newest first
//   GET /v1/ops/providers                per provider, what became of the last 24 hours' messages
//   GET /v1/ops/sending                  the holds on sending in force (the console's banner)
import type { Db } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../platform/clock.js';
import { listUnmatchedInbound } from '../../sql/callbacks/inboundMessages.js';
import { loadLeadConversation } from '../../sql/leads/leadConversation.js';
import { providerFigures } from '../../sql/ops/providerFigures.js';
import { selectActiveHolds } from '../../sql/holds/selectActiveHolds.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { routeModule } from '../registerEach.js';
import { opsRouteFamily } from '../routeFamily.js';
import { arrayOf, dateTime, nullable, object, uuid, query, limitParam, text, int } from '../schemas.js';

export interface OpsMessagingDeps {
  db: Db;
  opsToken: string | undefined;
  clock: Clock;
}

const orNullText = nullable(text);
const FIGURE_HOURS = 24;

const entrySchema = object({
  direction: { type: 'string', enum: ['outbound', 'inbound'] },
  id: uuid,
  channel: orNullText,
  provider: orNullText,
  text,
  status: text,
  deliveryStatus: orNullText,
  lastError: orNullText,
  from: orNullText,
  to: orNullText,
  at: dateTime,
  sentAt: nullable(dateTime),
  deliveredAt: nullable(dateTime),
});

/** What the routes of registerOpsMessagingRoutes share, made once per registration. */
function opsMessagingRoutesShared(deps: OpsMessagingDeps) {
  const ops = opsRouteFamily(deps.opsToken);
  return { ops };
}
type OpsMessagingRoutesShared = ReturnType<typeof opsMessagingRoutesShared>;

function getOpsLeadsMessages(app: HttpApp, deps: OpsMessagingDeps, { ops }: OpsMessagingRoutesShared) {
  app.get<{ Params: { leadId: string } }>(
    '/v1/ops/leads/:leadId/messages',
    ops("A lead's conversation, oldest first (GET /v1/leads/:leadId/messages for the operator)", {
      params: { type: 'object', required: ['leadId'], properties: { leadId: uuid } },
      response: { 200: object({ leadId: uuid, messages: arrayOf(entrySchema) }) },
      errors: [400, 401, 404],
    }),
    async (request) => {
      const conversation = await loadLeadConversation(deps.db, request.params.leadId);
      if (!conversation) throw new NotFoundError(`lead ${request.params.leadId}`);
      return {
        leadId: request.params.leadId,
        messages: conversation.entries.map((e) => ({
          ...e,
          at: e.at.toISOString(),
          sentAt: isoOrNull(e.sentAt),
          deliveredAt: isoOrNull(e.deliveredAt),
        })),
      };
    },
  );
}

function getOpsReplies(app: HttpApp, deps: OpsMessagingDeps, { ops }: OpsMessagingRoutesShared) {
  app.get<{ Querystring: { limit?: string } }>(
    '/v1/ops/replies',
    ops('The inbound messages no message of ours explains (kept, never dropped), newest first', {
      querystring: query({ limit: limitParam(500) }),
      response: {
        200: object({
          replies: arrayOf(
            object({ id: uuid, provider: text, kind: text, from: text, to: orNullText, text, receivedAt: dateTime }),
          ),
        }),
      },
    }),
    async (request) => ({
      replies: (await listUnmatchedInbound(deps.db, Number(request.query.limit ?? 50))).map((r) => ({
        id: r.id,
        provider: r.provider,
        kind: r.kind,
        from: r.from_phone,
        to: r.to_address,
        text: r.text,
        receivedAt: r.received_at.toISOString(),
      })),
    }),
  );
}

function getOpsProviders(app: HttpApp, deps: OpsMessagingDeps, { ops }: OpsMessagingRoutesShared) {
  app.get(
    '/v1/ops/providers',
    ops(`Per provider (http, twilio, brevo), what became of the messages decided in the last ${FIGURE_HOURS} hours`, {
      response: {
        200: object({
          hours: int,
          providers: arrayOf(
            object({ provider: text, sent: int, delivered: int, undelivered: int, failed: int, retrying: int }),
          ),
        }),
      },
      errors: [401],
    }),
    async () => ({ hours: FIGURE_HOURS, providers: await providerFigures(deps.db, FIGURE_HOURS, deps.clock.now()) }),
  );
}

function getOpsSending(app: HttpApp, deps: OpsMessagingDeps, { ops }: OpsMessagingRoutesShared) {
  app.get(
    '/v1/ops/sending',
    ops(
      "The holds on sending in force: an account's (scope account) or a provider's for every account (scope provider), why, since when, and the next probe",
      {
        response: {
          200: object({
            holds: arrayOf(
              object({
                scope: { type: 'string', enum: ['account', 'provider'] },
                target: text,
                reason: text,
                code: orNullText,
                detail: orNullText,
                since: dateTime,
                nextProbeAt: dateTime,
              }),
            ),
          }),
        },
        errors: [401],
      },
    ),
    async () => ({
      holds: (await selectActiveHolds(deps.db)).map((h) => ({
        scope: h.scope,
        target: h.target,
        reason: h.reason,
        code: h.code,
        detail: h.detail,
        since: h.since.toISOString(),
        nextProbeAt: h.nextProbeAt.toISOString(),
      })),
    }),
  );
}

export const registerOpsMessagingRoutes = routeModule(opsMessagingRoutesShared, [
  getOpsLeadsMessages,
  getOpsReplies,
  getOpsProviders,
  getOpsSending,
]);
