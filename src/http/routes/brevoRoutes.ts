// POST /v1/providers/brevo/events: Brevo's transactional SMS events (MESSAGE_PROVIDERS names brevo):
// delivered, bounces and rejections (receipts), replies, unsubscriptions (STOP) and subscriptions
// (START), one event per post, or an array of up to 500 (Brevo's batched webhooks send up to 500
// events at a time). In a batch, an event that cannot be read is counted and skipped: the others are
// recorded, and the answer says which was which; a single event that cannot be read is a 400 naming
// its field. A failure of the database is a 5xx (Brevo posts again), never taken for a bad event.
// Brevo does not sign its posts: each carries our secret (BREVO_WEBHOOK_SECRET), as the `secret` query
// parameter of the URL the sender gives Brevo with every SMS, as `Authorization: Bearer` (Brevo's
// token option for a webhook set up in its console), or as the password of Basic credentials (a
// webhook URL written https://brevo:<secret>@host/…, as Brevo's webhook pages show). Two secrets are
// accepted at once while one is rotated ("old,new").
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { recordCallback, type CallbackDeps, type CallbackOutcome } from '../../producers/providers/recordCallback.js';
import { parseBrevoEvent } from '../../providers/brevo/brevoEvents.js';
import { BREVO_EVENTS_PATH } from '../../providers/channelProviders.js';
import type { ProviderCallback } from '../../providers/provider.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { basicPassword, bearerToken, secretsEqual } from '../auth.js';
import { UnauthorizedError } from '../errors.js';
import { describe, errors, query } from '../schemas.js';

export interface BrevoRoutesDeps extends CallbackDeps {
  webhookSecrets: string[];
}

/** The most events Brevo's batched webhooks post at once. */
export const MAX_EVENTS = 500;

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

type Outcome = { status: string; field?: string; message?: string };

/** What the routes of registerBrevoRoutes share, made once per registration. */
function brevoRoutesShared(deps: BrevoRoutesDeps) {
  const requireSecret = async (request: FastifyRequest) => {
    const given =
      (request.query as { secret?: string }).secret ??
      bearerToken(request.headers.authorization) ??
      basicPassword(request.headers.authorization);
    if (given === undefined || !deps.webhookSecrets.some((s) => secretsEqual(given, s))) throw new UnauthorizedError();
  };
  return { requireSecret };
}
type BrevoRoutesShared = ReturnType<typeof brevoRoutesShared>;

/** What a batch of events is answered: each event's outcome, in order. */
const answerSchema = {
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
            description:
              'recorded, unchanged, unknown, opted_out, opted_in, reply, ignored; unreadable: skipped (field and message say why)',
          },
          field: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const registerBrevoRoutes = (deps: BrevoRoutesDeps) => (app: HttpApp) => {
  const shared = brevoRoutesShared(deps);
  postBrevoEvents(app, deps, shared);
};

function postBrevoEvents(app: HttpApp, deps: BrevoRoutesDeps, { requireSecret }: BrevoRoutesShared) {
  app.post<{
    Body: Record<string, unknown> | unknown[];
    Querystring: { messageId?: string; secret?: string };
  }>(
    BREVO_EVENTS_PATH,
    {
      onRequest: requireSecret,
      // A batch of 500 events with replies of up to 5,000 characters each.
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        ...describe(
          'providers',
          "Brevo's SMS events (receipts, replies, unsubscriptions), one or a batch of up to 500 (an unreadable event of a batch is skipped and counted); the secret is BREVO_WEBHOOK_SECRET, in the URL's secret parameter, a bearer token or Basic credentials",
        ),
        querystring: query({ secret: { type: 'string' }, messageId: { type: 'string', format: 'uuid' } }),
        // Each event of a batch is read on its own (one bad event must not refuse the others).
        body: {
          anyOf: [eventSchema, { type: 'array', minItems: 1, maxItems: MAX_EVENTS }],
          examples: [EXAMPLES.brevoEvent],
        },
        response: {
          200: answerSchema,
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const batch = Array.isArray(request.body);
      const bodies = batch ? (request.body as unknown[]) : [request.body];
      const read = bodies.map((body, i) =>
        readEvent(body, batch ? `body/${i}` : 'body', request.query.messageId, deps.clock.now()),
      );
      const first = read[0]!;
      if (!batch && 'skipped' in first) throw new ValidationError(first.skipped.field, first.skipped.message);
      const outcomes: Outcome[] = [];
      for (const r of read) {
        if ('skipped' in r) {
          deps.metrics.providerCallbacks.inc({ provider: 'brevo', kind: 'event', outcome: 'unreadable' });
          outcomes.push(r.skipped);
          continue;
        }
        const outcome: CallbackOutcome = await recordCallback(deps, 'brevo', r.callback);
        outcomes.push({ status: outcome.status });
      }
      const unreadable = outcomes.filter((o) => o.status === 'unreadable');
      if (unreadable.length > 0)
        request.log.warn(
          { unreadable: unreadable.length, of: outcomes.length, first: unreadable[0] },
          'Brevo events skipped: they cannot be read',
        );
      request.log.info({ events: outcomes.length }, 'Brevo SMS events');
      return { events: outcomes };
    },
  );
}

/** One event of the body (at `at`), or why it is skipped. */
function readEvent(
  body: unknown,
  at: string,
  messageId: string | undefined,
  now: Date,
): { callback: ProviderCallback } | { skipped: Required<Outcome> } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { skipped: { status: 'unreadable', field: at, message: 'must be an SMS event (an object)' } };
  const parsed = parseBrevoEvent(body as Record<string, unknown>, { messageId }, now);
  return Array.isArray(parsed)
    ? { skipped: { status: 'unreadable', field: `${at}/${parsed[0]}`, message: parsed[1] } }
    : { callback: parsed };
}
