// POST /v1/lobstr/webhook/:secret: Lobstr's run notification. On run.done it records the run (once,
// however often the webhook fires) and a LobstrRunCompleted event; the importer does the slow part.
import type { HttpApp } from '../../http/app.js';
import { secretsEqual } from '../../http/auth.js';
import { unauthorized } from '../../http/errors.js';
import type { ServiceContext } from '../../service.js';

interface LobstrNotification {
  id: string;
  object?: string;
  event: string;
  squid?: string | null;
  timestamp?: string | number | null;
}

export const registerLobstrWebhook = (ctx: ServiceContext) => (app: HttpApp) => {
  app.post<{ Params: { secret: string }; Body: LobstrNotification }>(
    '/v1/lobstr/webhook/:secret',
    {
      schema: {
        body: {
          type: 'object',
          required: ['id', 'event'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 200 },
            object: { type: 'string' },
            event: { type: 'string', minLength: 1 },
            squid: { type: ['string', 'null'] },
            timestamp: { type: ['string', 'number', 'null'] },
          },
        },
      },
      // The secret is checked before the body is even parsed, so a stranger learns nothing.
      onRequest: async (request) => {
        const { secret } = request.params;
        if (!ctx.config.tokens.lobstrWebhook || !secretsEqual(secret, ctx.config.tokens.lobstrWebhook)) throw unauthorized();
      },
    },
    async (request) => {
      const n = request.body;
      if (n.event !== 'run.done') return { status: 'ignored', event: n.event };
      const notifiedAt = parseTimestamp(n.timestamp) ?? ctx.clock.now().getTime();
      const recorded = await ctx.db.transaction(async (trx) => {
        const inserted = await trx('lobstr_runs').insert({ run_id: n.id, squid: n.squid ?? null }).onConflict('run_id').ignore().returning('run_id');
        if (inserted.length === 0) return false;
        await ctx.outbox.enqueue(trx, {
          eventType: 'LobstrRunCompleted',
          key: n.id,
          value: { runId: n.id, squid: n.squid ?? null, event: n.event, notifiedAt },
        });
        return true;
      });
      request.log.info({ runId: n.id, duplicate: !recorded }, recorded ? 'lobstr run recorded' : 'lobstr run already recorded');
      return { status: recorded ? 'accepted' : 'duplicate', runId: n.id };
    },
  );
};

function parseTimestamp(t: string | number | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  // Lobstr sends ISO strings; accept epoch seconds or milliseconds too.
  if (typeof t === 'number') return t < 1e12 ? t * 1000 : t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}
