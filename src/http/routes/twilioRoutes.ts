// Twilio's callbacks (MESSAGE_PROVIDERS names twilio):
//   POST /v1/providers/twilio/status?messageId=…   status callbacks of the messages we sent (the
//        sender gives Twilio this URL with each message); delivered and read → delivered, undelivered
//        and failed → undelivered, the rest changes nothing; 200 whatever the status.
//   POST /v1/providers/twilio/inbound              a seller's message to our number (paste this URL
//        as the number's or Messaging Service's "A message comes in" webhook); STOP opts the phone
//        out, START lifts it; answered with an empty TwiML <Response/> (no automatic reply).
// Both are form-encoded and signed (X-Twilio-Signature): the signature is checked against
// PUBLIC_BASE_URL + path + query before the parameters are read; missing or wrong → 403, nothing
// recorded. Twilio adds parameters without notice: unknown ones are accepted and ignored.
import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import type { CallbackDeps } from '../../producers/providers/recordCallback.js';
import { recordCallback } from '../../producers/providers/recordCallback.js';
import { TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from '../../providers/channelProviders.js';
import type { ProviderCallback } from '../../providers/provider.js';
import {
  EMPTY_TWIML,
  parseTwilioInbound,
  parseTwilioStatus,
  verifyTwilioSignature,
  type ParamProblem,
  type TwilioParams,
} from '../../providers/twilio/twilioCallbacks.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { ForbiddenError } from '../errors.js';
import { describe, errors, query } from '../schemas.js';

export interface TwilioRoutesDeps extends CallbackDeps {
  authToken: string;
  /** The URL Twilio calls, without a trailing slash (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
}

const text = (maxLength: number) => ({ type: 'string', maxLength });

/** The parameters read here; every other one is accepted (Twilio adds them without notice). */
const paramsSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    MessageSid: text(64),
    SmsSid: text(64),
    AccountSid: text(64),
    MessageStatus: text(40),
    ErrorCode: text(20),
    From: text(80),
    To: text(80),
    Body: text(5000),
    OptOutType: text(20),
  },
} as const;

const statusAnswer = {
  type: 'object',
  required: ['status'],
  properties: {
    status: {
      type: 'string',
      enum: ['recorded', 'unchanged', 'unknown', 'ignored'],
      description:
        'recorded: a new receipt; unchanged: a repeat; unknown: not a message of this service; ignored: a status that changes nothing (queued, sent …)',
    },
    messageId: { type: 'string', format: 'uuid' },
  },
} as const;

const problemOr = (parsed: ProviderCallback | ParamProblem): ProviderCallback => {
  if (Array.isArray(parsed)) throw new ValidationError(`body/${parsed[0]}`, parsed[1]);
  return parsed;
};

/** Refuses (403) a request whose X-Twilio-Signature is not Twilio's for this URL and these parameters. */
const signatureCheck = (deps: TwilioRoutesDeps) => async (request: FastifyRequest) => {
  const params = (request.body ?? {}) as TwilioParams;
  const signature = request.headers['x-twilio-signature'];
  if (
    !verifyTwilioSignature(
      deps.authToken,
      typeof signature === 'string' ? signature : undefined,
      `${deps.publicBaseUrl}${request.url}`,
      params,
    )
  ) {
    deps.metrics.providerCallbacks.inc({
      provider: 'twilio',
      kind: request.routeOptions.url === TWILIO_STATUS_PATH ? 'status' : 'inbound',
      outcome: 'refused',
    });
    throw new ForbiddenError('X-Twilio-Signature does not match this request');
  }
};

export const registerTwilioRoutes = (deps: TwilioRoutesDeps) => (app: HttpApp) => {
  void app.register(async (scope) => {
    // Form-encoded bodies, for these routes only (@fastify/formbody: the body as an object of strings).
    await scope.register(formBody, { bodyLimit: 64 * 1024 });
    const verify = signatureCheck(deps);
    postTwilioStatus(scope, deps, verify);
    postTwilioInbound(scope, deps, verify);
  });
};

type SignatureCheck = ReturnType<typeof signatureCheck>;

function postTwilioStatus(scope: FastifyInstance, deps: TwilioRoutesDeps, verify: SignatureCheck) {
  scope.post<{ Body: TwilioParams; Querystring: { messageId?: string } }>(
    TWILIO_STATUS_PATH,
    {
      preValidation: verify,
      schema: {
        ...describe(
          'providers',
          "Twilio's status callbacks (form-encoded, signed with X-Twilio-Signature): delivery receipts of the messages sent through Twilio",
        ),
        consumes: ['application/x-www-form-urlencoded'],
        querystring: query({ messageId: { type: 'string', format: 'uuid' } }),
        body: { ...paramsSchema, examples: [EXAMPLES.twilioStatus] },
        response: { 200: statusAnswer, ...errors(400, 403) },
      },
    },
    async (request) => {
      const callback = problemOr(parseTwilioStatus(request.body, request.query, deps.clock.now()));
      const outcome = await recordCallback(deps, 'twilio', callback);
      if (outcome.status === 'unknown')
        request.log.warn(
          { messageSid: request.body.MessageSid },
          'Twilio status callback for a message this service does not know',
        );
      else request.log.info({ status: request.body.MessageStatus, outcome: outcome.status }, 'Twilio status callback');
      if ('messageId' in outcome) return { status: outcome.status, messageId: outcome.messageId };
      return { status: outcome.status === 'unknown' ? 'unknown' : 'ignored' };
    },
  );
}

function postTwilioInbound(scope: FastifyInstance, deps: TwilioRoutesDeps, verify: SignatureCheck) {
  scope.post<{ Body: TwilioParams }>(
    TWILIO_INBOUND_PATH,
    {
      preValidation: verify,
      schema: {
        ...describe(
          'providers',
          "Twilio's inbound messages (form-encoded, signed): a seller's reply; STOP opts out, START opts back in. Answers an empty TwiML <Response/>",
        ),
        consumes: ['application/x-www-form-urlencoded'],
        body: { ...paramsSchema, examples: [EXAMPLES.twilioInbound] },
        response: {
          200: { type: 'string', description: 'TwiML (text/xml): an empty <Response/>, no automatic reply' },
          ...errors(400, 403),
        },
      },
    },
    async (request, reply) => {
      const callback = problemOr(parseTwilioInbound(request.body, deps.clock.now()));
      const outcome = await recordCallback(deps, 'twilio', callback);
      request.log.info({ outcome: outcome.status, optOutType: request.body.OptOutType }, 'Twilio inbound message');
      return reply.type('text/xml').send(EMPTY_TWIML);
    },
  );
}
