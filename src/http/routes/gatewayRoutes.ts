// POST /v1/gateway/webhook/:secret: the message gateway's callbacks (docs/ARCHITECTURE.md section 6).
//   {"type": "status", "messageId": "<uuid>" | "externalId": "...", "status": "delivered" | "undelivered", "at": "<ISO 8601>"}
//     a delivery receipt, recorded as every provider's is (src/producers/providers/recordCallback.ts);
//     unknown message: 404;
//   {"type": "inbound", "id"?: "<the gateway's id>", "from": "<phone>", "to"?: "<our number>", "text": "...", "at": "<ISO 8601>"}
//     a seller's message: STOP and its variants (src/domain/optOutText.ts) opt the number out, START
//     lifts it, anything else is a reply joined to its lead (src/producers/providers/recordInbound.ts).
//     Without an id, the message is known by its sender, text and time (the same post twice is one).
// The secret (MESSAGE_GATEWAY_WEBHOOK_SECRET) is compared in constant time before the body is read.
// The same callback twice changes nothing the second time (the answer says "unchanged").
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { NotFoundError } from '../../domain/errors.js';
import { isOptInText, isOptOutText } from '../../domain/optOutText.js';
import { recordCallback, type CallbackDeps } from '../../producers/providers/recordCallback.js';
import { GATEWAY } from '../../providers/provider.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { requirePathSecret } from '../auth.js';
import { phoneOf } from '../phone.js';
import { describe, errors } from '../schemas.js';

export interface GatewayRoutesDeps extends CallbackDeps {
  webhookSecret: string | undefined;
}

type Callback =
  | { type: 'status'; messageId?: string; externalId?: string; status: 'delivered' | 'undelivered'; at: string }
  | { type: 'inbound'; id?: string; from: string; to?: string; text: string; at: string };

const at = { type: 'string', format: 'date-time' } as const;

const bodySchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: ['status', 'inbound'] } },
  if: { properties: { type: { const: 'status' } } },
  then: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'status', 'at'],
    properties: {
      type: { const: 'status' },
      messageId: { type: 'string', format: 'uuid' },
      externalId: { type: 'string', minLength: 1, maxLength: 200 },
      status: { type: 'string', enum: ['delivered', 'undelivered'] },
      at,
    },
    anyOf: [{ required: ['messageId'] }, { required: ['externalId'] }],
  },
  else: {
    if: { properties: { type: { const: 'inbound' } } },
    then: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'from', 'text', 'at'],
      properties: {
        type: { const: 'inbound' },
        id: { type: 'string', minLength: 1, maxLength: 200 },
        from: { type: 'string', minLength: 1, maxLength: 40 },
        to: { type: 'string', minLength: 1, maxLength: 60 },
        text: { type: 'string', maxLength: 2000 },
        at,
      },
    },
    // Neither: the type is what is wrong.
    else: { properties: { type: { type: 'string', enum: ['status', 'inbound'] } } },
  },
} as const;

const responseSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: {
      type: 'string',
      enum: ['recorded', 'unchanged', 'opted_out', 'opted_in', 'reply'],
      description:
        'recorded: a new receipt; unchanged: a repeat; opted_out: a STOP; opted_in: a START; reply: any other message, joined to its lead',
    },
    matched: {
      type: 'boolean',
      description: 'With reply: whether a message of ours explains it (false: kept, unmatched, for operators)',
    },
    leadId: { type: 'string', format: 'uuid', description: 'With a matched reply: its lead' },
    messageId: { type: 'string', format: 'uuid', description: 'the message a status callback named' },
    phone: { type: 'string', description: 'the sender of an inbound message, in E.164' },
    cancelled: { type: 'integer', description: 'pending messages cancelled by a STOP' },
  },
} as const;

export const registerGatewayRoutes = (deps: GatewayRoutesDeps) => (app: HttpApp) => {
  app.post<{ Params: { secret: string }; Body: Callback }>(
    '/v1/gateway/webhook/:secret',
    {
      onRequest: requirePathSecret(deps.webhookSecret),
      schema: {
        ...describe(
          'gateway',
          "The message gateway's callbacks: delivery receipts and sellers' replies (STOP opts out); the path's secret is MESSAGE_GATEWAY_WEBHOOK_SECRET",
        ),
        params: { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
        body: { ...bodySchema, examples: [EXAMPLES.gatewayReceipt, EXAMPLES.gatewayReply] },
        response: { 200: responseSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) =>
      request.body.type === 'status'
        ? recordReceipt(deps, request.body, request.log)
        : recordInbound(deps, request.body, request.log),
  );
};

/** A delivery receipt: our message id finds the message; without it, the gateway's own id does. */
async function recordReceipt(
  deps: GatewayRoutesDeps,
  body: Extract<Callback, { type: 'status' }>,
  log: FastifyBaseLogger,
) {
  const outcome = await recordCallback(deps, GATEWAY, {
    kind: 'receipt',
    messageId: body.messageId ?? null,
    externalId: body.messageId ? null : (body.externalId ?? null),
    status: body.status,
    errorCode: null,
    at: new Date(body.at),
  });
  if (!('messageId' in outcome))
    throw new NotFoundError(
      body.messageId ? `message ${body.messageId}` : `message with externalId ${body.externalId}`,
    );
  log.info(
    { messageId: outcome.messageId, delivery: body.status, changed: outcome.status === 'recorded' },
    'delivery receipt',
  );
  return { status: outcome.status, messageId: outcome.messageId };
}

/** A seller's message: a STOP, a START or a reply. */
async function recordInbound(
  deps: GatewayRoutesDeps,
  body: Extract<Callback, { type: 'inbound' }>,
  log: FastifyBaseLogger,
) {
  const phone = phoneOf(body.from, 'body/from');
  const providerMessageId =
    body.id ?? createHash('sha256').update(`${phone}\u0000${body.at}\u0000${body.text}`).digest('hex');
  const optOut = isOptOutText(body.text) ? 'stop' : isOptInText(body.text) ? 'start' : null;
  const result = await recordCallback(deps, GATEWAY, {
    kind: 'inbound',
    providerMessageId,
    from: phone,
    to: body.to ?? null,
    text: body.text,
    optOut,
    at: new Date(body.at),
  });
  log.info({ outcome: result.status }, 'inbound message from the gateway');
  switch (result.status) {
    case 'opted_out':
      // A phone that had opted out already, with nothing left to cancel: nothing changed.
      return {
        status: result.created || result.cancelled > 0 ? 'opted_out' : 'unchanged',
        phone,
        cancelled: result.cancelled,
      };
    case 'opted_in':
      return { status: 'opted_in', phone };
    case 'reply':
      return {
        status: 'reply',
        phone,
        matched: result.matched,
        ...(result.leadId ? { leadId: result.leadId } : {}),
      };
    default:
      return { status: 'unchanged', phone };
  }
}
