// POST /v1/providers/brevo/events: Brevo's transactional SMS events (MESSAGE_PROVIDERS names brevo):
// delivered, bounces and rejections (receipts), replies, unsubscriptions (STOP) and subscriptions
// (START), one event per post, or an array of them (Brevo's batched webhooks). Brevo does not sign
// its posts: each carries our secret (BREVO_WEBHOOK_SECRET), as the `secret` query parameter of the
// URL the sender gives Brevo with every SMS (or as `Authorization: Bearer`, Brevo's token option for a
// webhook set up in its console). Two secrets are accepted at once while one is rotated ("old,new").
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { recordCallback, type CallbackDeps, type CallbackOutcome } from '../../producers/providers/recordCallback.js';
import { parseBrevoEvent } from '../../providers/brevo/brevoEvents.js';
import { BREVO_EVENTS_PATH } from '../../providers/channelProviders.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { bearerToken, secretsEqual } from '../auth.js';
import { UnauthorizedError } from '../errors.js';
import { describe, errors } from '../schemas.js';

export interface BrevoRoutesDeps extends CallbackDeps {
  webhookSecrets: string[];
}

const MAX_EVENTS = 100;

const eventSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['msg_status'],
  properties: {
    msg_status: { type: 'string', maxLength: 40 },
    messageId: { type: ['integer', 'string'] },
    to: { type: 'string', maxLength: 40 },
    reply: { type: 'string', maxLength: 5000 },
    description: { type: 'string', maxLength: 500 },
    tag: { type: 'string', maxLength: 200 },
  },
} as const;

export const registerBrevoRoutes = (deps: BrevoRoutesDeps) => (app: HttpApp) => {
  const requireSecret = async (request: FastifyRequest) => {
    const given = (request.query as { secret?: string }).secret ?? bearerToken(request.headers.authorization);
    if (given === undefined || !deps.webhookSecrets.some((s) => secretsEqual(given, s))) throw new UnauthorizedError();
  };

  app.post<{
    Body: Record<string, unknown> | Array<Record<string, unknown>>;
    Querystring: { messageId?: string; secret?: string };
  }>(
    BREVO_EVENTS_PATH,
    {
      onRequest: requireSecret,
      schema: {
        ...describe(
          'providers',
          "Brevo's SMS events (receipts, replies, unsubscriptions), one or a batch; the secret is BREVO_WEBHOOK_SECRET, in the URL's secret parameter",
        ),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { secret: { type: 'string' }, messageId: { type: 'string', format: 'uuid' } },
        },
        body: {
          anyOf: [eventSchema, { type: 'array', minItems: 1, maxItems: MAX_EVENTS, items: eventSchema }],
          examples: [EXAMPLES.brevoEvent],
        },
        response: {
          200: {
            type: 'object',
            required: ['events'],
            properties: {
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['status'],
                  properties: {
                    status: {
                      type: 'string',
                      description: 'recorded, unchanged, unknown, opted_out, opted_in, ignored',
                    },
                  },
                },
              },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const bodies = Array.isArray(request.body) ? request.body : [request.body];
      // Every event read first: a batch with one bad event records nothing.
      const callbacks = bodies.map((body, i) => {
        const parsed = parseBrevoEvent(body, { messageId: request.query.messageId }, deps.clock.now());
        if (Array.isArray(parsed))
          throw new ValidationError(
            Array.isArray(request.body) ? `body/${i}/${parsed[0]}` : `body/${parsed[0]}`,
            parsed[1],
          );
        return parsed;
      });
      const outcomes: CallbackOutcome[] = [];
      for (const callback of callbacks) outcomes.push(await recordCallback(deps, 'brevo', callback));
      request.log.info({ events: outcomes.map((o) => o.status) }, 'Brevo SMS events');
      return { events: outcomes.map((o) => ({ status: o.status })) };
    },
  );
};
