// GET /v1/accounts/:accountId/leads: the account's Kanban board (src/sql/leads/listLeads.ts), a page at a
// time with an opaque cursor.
// GET /v1/leads/:leadId/messages: the lead's conversation, outbound and inbound, oldest first.
import type { Db } from '../../db/knex.js';
import { ValidationError } from '../../domain/errors.js';
import { LEAD_STAGES } from '../../domain/types.js';
import { NotFoundError } from '../../domain/errors.js';
import { loadLeadConversation } from '../../sql/leads/leadConversation.js';
import { listLeads, type LeadCursor } from '../../sql/leads/listLeads.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { assertAccountVisible, requireAccountAccess } from '../auth.js';
import { arrayOf, dateTime, describe, errors, nullable, object, uuid, query, limitParam, text } from '../schemas.js';

const orNull = (type: 'string' | 'integer') => nullable({ type });
const leadCard = object({
  id: uuid,
  accountId: uuid,
  huntId: uuid,
  adId: uuid,
  stage: { type: 'string', enum: [...LEAD_STAGES] },
  position: { type: 'number', description: 'Order within the stage column' },
  reason: {
    ...orNull('string'),
    description: 'Why the seller was or was not contacted (LeadCreated.reason in docs/events.md)',
  },
  reasonDetail: orNull('string'),
  contactedAt: nullable(dateTime),
  repliedAt: {
    ...nullable(dateTime),
    description: "When the seller first replied (the stage does not change: it is the dealer's)",
  },
  lastReplyAt: { ...nullable(dateTime), description: 'When the seller last replied' },
  createdAt: dateTime,
  ad: object({
    title: text,
    price: orNull('integer'),
    brand: orNull('string'),
    model: orNull('string'),
    modelYear: orNull('integer'),
    mileageKm: orNull('integer'),
    city: orNull('string'),
    zipcode: orNull('string'),
    url: orNull('string'),
    picture: orNull('string'),
    ownerType: orNull('string'),
  }),
});

const entrySchema = object({
  direction: { type: 'string', enum: ['outbound', 'inbound'] },
  id: uuid,
  channel: {
    ...orNull('string'),
    description: 'sms, whatsapp or leboncoin (inbound: whatsapp when it came on WhatsApp)',
  },
  provider: { ...orNull('string'), description: 'http, twilio or brevo' },
  text: text,
  status: {
    type: 'string',
    description: 'Outbound: pending, sent or failed. Inbound: reply, opt_out (STOP) or opt_in (START)',
  },
  deliveryStatus: { ...orNull('string'), description: "Outbound: the provider's receipt, delivered or undelivered" },
  lastError: orNull('string'),
  from: { ...orNull('string'), description: 'Outbound: our sender; inbound: the seller (E.164)' },
  to: { ...orNull('string'), description: 'Outbound: the seller; inbound: our number it reached' },
  at: { ...dateTime, description: 'Outbound: when it was decided; inbound: when it was received' },
  sentAt: nullable(dateTime),
  deliveredAt: nullable(dateTime),
});

export interface LeadRoutesDeps {
  db: Db;
  apiToken: string | undefined;
}

interface Query {
  stage?: string;
  limit?: string;
  cursor?: string;
}

function parseCursor(cursor: string): LeadCursor {
  try {
    const after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as LeadCursor;
    if (typeof after.s !== 'number' || typeof after.p !== 'number' || typeof after.i !== 'string')
      throw new Error('shape');
    return after;
  } catch {
    throw new ValidationError('querystring/cursor', 'is not a cursor returned by this endpoint');
  }
}

export const registerLeadRoutes = (deps: LeadRoutesDeps) => (app: HttpApp) => {
  getAccountsLeads(app, deps);
  getLeadsMessages(app, deps);
};

function getAccountsLeads(app: HttpApp, deps: LeadRoutesDeps) {
  app.get<{ Params: { accountId: string }; Querystring: Query }>(
    '/v1/accounts/:accountId/leads',
    {
      onRequest: requireAccountAccess(deps),
      schema: {
        ...describe(
          'leads',
          "The account's Kanban board: its leads by stage and position, a page at a time",
          'apiToken',
        ),
        response: {
          200: object({
            leads: arrayOf(leadCard),
            nextCursor: { ...orNull('string'), description: 'Pass as ?cursor= for the next page; null on the last' },
          }),
          ...errors(400, 401, 404),
        },
        params: {
          type: 'object',
          required: ['accountId'],
          properties: { accountId: { type: 'string', format: 'uuid' } },
        },
        querystring: query({
          stage: { type: 'string', enum: [...LEAD_STAGES] },
          limit: limitParam(500),
          cursor: { type: 'string', maxLength: 500 },
        }),
      },
    },
    async (request) => {
      assertAccountVisible(request, request.params.accountId, `account ${request.params.accountId}`);
      const { stage, cursor } = request.query;
      const limit = Number(request.query.limit ?? 100);
      const after = cursor ? parseCursor(cursor) : undefined;
      const cards = await listLeads(deps.db, request.params.accountId, { stage, after, limit: limit + 1 });
      const page = cards.slice(0, limit);
      const last = page[page.length - 1];
      return {
        leads: page.map(({ stageRank: _rank, contactedAt, repliedAt, lastReplyAt, createdAt, ...card }) => ({
          ...card,
          contactedAt: isoOrNull(contactedAt),
          repliedAt: isoOrNull(repliedAt),
          lastReplyAt: isoOrNull(lastReplyAt),
          createdAt: createdAt.toISOString(),
        })),
        nextCursor:
          cards.length > limit && last
            ? Buffer.from(
                JSON.stringify({ s: last.stageRank, p: last.position, i: last.id } satisfies LeadCursor),
              ).toString('base64url')
            : null,
      };
    },
  );
}

function getLeadsMessages(app: HttpApp, deps: LeadRoutesDeps) {
  app.get<{ Params: { leadId: string } }>(
    '/v1/leads/:leadId/messages',
    {
      onRequest: requireAccountAccess(deps),
      schema: {
        ...describe(
          'leads',
          "The lead's conversation: every message to the seller and every reply, oldest first, with status, delivery status and times",
          'apiToken',
        ),
        params: { type: 'object', required: ['leadId'], properties: { leadId: { type: 'string', format: 'uuid' } } },
        response: { 200: object({ leadId: uuid, messages: arrayOf(entrySchema) }), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { leadId } = request.params;
      const conversation = await loadLeadConversation(deps.db, leadId);
      if (!conversation) throw new NotFoundError(`lead ${leadId}`);
      assertAccountVisible(request, conversation.accountId, `lead ${leadId}`);
      return {
        leadId,
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
