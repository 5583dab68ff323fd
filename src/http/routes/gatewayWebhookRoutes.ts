// POST /v1/gateway/webhook/:secret: the message gateway's callbacks (DESIGN.md section 6).
//   {"type": "status", "messageId": "<uuid>" | "externalId": "...", "status": "delivered" | "undelivered", "at": "<ISO 8601>"}
//     a delivery receipt (src/producers/gateway/recordReceipt.ts); unknown message: 404;
//   {"type": "inbound", "from": "<phone>", "text": "...", "at": "<ISO 8601>"}
//     a seller's reply; STOP and its variants (src/domain/optOutText.ts) opt the number out.
// The secret (MESSAGE_GATEWAY_WEBHOOK_SECRET) is compared in constant time before the body is read.
// The same callback twice changes nothing the second time (the answer says "unchanged").
import type { Db } from '../../db/knex.js';
import { isOptOutText } from '../../domain/optOutText.js';
import { recordReceipt } from '../../producers/gateway/recordReceipt.js';
import { recordOptOut } from '../../producers/optouts/recordOptOut.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { HttpApp } from '../app.js';
import { requirePathSecret } from '../auth.js';
import type { Metrics } from '../../platform/metrics.js';
import { describe, errors } from '../schemas.js';
import { phoneOf } from './optoutRoutes.js';

export interface GatewayWebhookDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'optOuts' | 'optOutCancelled' | 'receipts'>;
  webhookSecret: string | undefined;
}

type Callback =
  | { type: 'status'; messageId?: string; externalId?: string; status: 'delivered' | 'undelivered'; at: string }
  | { type: 'inbound'; from: string; text: string; at: string };

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
      properties: { type: { const: 'inbound' }, from: { type: 'string', minLength: 1, maxLength: 40 }, text: { type: 'string', maxLength: 2000 }, at },
    },
    // Neither: the type is what is wrong.
    else: { properties: { type: { type: 'string', enum: ['status', 'inbound'] } } },
  },
} as const;

const responseSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['recorded', 'unchanged', 'opted_out', 'ignored'], description: 'recorded: a new receipt; unchanged: a repeat; opted_out: a STOP; ignored: another reply' },
    messageId: { type: 'string', format: 'uuid', description: 'the message a status callback named' },
    phone: { type: 'string', description: 'the sender of an inbound message, in E.164' },
    cancelled: { type: 'integer', description: 'pending messages cancelled by a STOP' },
  },
} as const;

export const registerGatewayWebhook = (deps: GatewayWebhookDeps) => (app: HttpApp) => {
  app.post<{ Params: { secret: string }; Body: Callback }>(
    '/v1/gateway/webhook/:secret',
    {
      schema: {
        ...describe('gateway', "The message gateway's callbacks: delivery receipts and sellers' replies (STOP opts out); the path's secret is MESSAGE_GATEWAY_WEBHOOK_SECRET"),
        params: { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
        body: bodySchema,
        response: { 200: responseSchema, ...errors(400, 401, 404) },
      },
      onRequest: requirePathSecret(deps.webhookSecret),
    },
    async (request) => {
      const body = request.body;
      if (body.type === 'status') {
        const result = await recordReceipt(deps, {
          ...(body.messageId ? { messageId: body.messageId } : { externalId: body.externalId! }),
          status: body.status,
          at: new Date(body.at),
        });
        request.log.info({ messageId: result.messageId, delivery: body.status, changed: result.changed }, 'delivery receipt');
        deps.metrics.receipts.inc({ status: body.status, outcome: result.changed ? 'recorded' : 'unchanged' });
        return { status: result.changed ? 'recorded' : 'unchanged', messageId: result.messageId };
      }
      const phone = phoneOf(body.from, 'body/from');
      if (!isOptOutText(body.text)) {
        request.log.info('inbound message that is not an opt-out; ignored');
        return { status: 'ignored', phone };
      }
      const result = await recordOptOut(deps, { phone, source: 'inbound', reason: body.text.trim() });
      request.log.info({ created: result.created, cancelled: result.cancelled }, 'phone opted out by STOP');
      return { status: result.created || result.cancelled > 0 ? 'opted_out' : 'unchanged', phone, cancelled: result.cancelled };
    },
  );
};
