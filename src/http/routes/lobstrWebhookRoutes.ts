// POST /v1/lobstr/webhook/:secret: Lobstr's run notification. On run.done it records the run (once,
// however often the webhook fires) and a LobstrRunCompleted event; the importer does the slow part.
import type { Db } from '../../db/knex.js';
import { recordLobstrRun } from '../../producers/lobstr/recordLobstrRun.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { requirePathSecret } from '../auth.js';
import { describe, errors, object } from '../schemas.js';

export interface LobstrWebhookDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  webhookSecret: string | undefined;
}

// As Lobstr documents it (docs.lobstr.io, "Configure webhook delivery"):
//   { "id": "<run hash>", "object": "run", "event": "run.done", "squid": { "id": "...", "name": "..." },
//     "timestamp": "2025/06/18 17:32:31" }   (UTC). A plain string squid is accepted too.
interface LobstrNotification {
  id: string;
  object?: string;
  event: string;
  squid?: string | { id?: string; name?: string } | null;
  timestamp?: string | number | null;
}

export const registerLobstrWebhook = (deps: LobstrWebhookDeps) => (app: HttpApp) => {
  app.post<{ Params: { secret: string }; Body: LobstrNotification }>(
    '/v1/lobstr/webhook/:secret',
    {
      schema: {
        ...describe(
          'lobstr',
          "Lobstr's run notification; the path's secret is LOBSTR_WEBHOOK_SECRET. A run.done is recorded once and imported by the importer role",
        ),
        params: { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
        response: {
          200: {
            anyOf: [
              object({ status: { type: 'string', enum: ['accepted', 'duplicate'] }, runId: { type: 'string' } }),
              object({ status: { type: 'string', enum: ['ignored'] }, event: { type: 'string' } }),
            ],
          },
          ...errors(400, 401),
        },
        body: {
          type: 'object',
          required: ['id', 'event'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 200 },
            object: { type: 'string' },
            event: { type: 'string', minLength: 1 },
            squid: {
              anyOf: [
                { type: 'string' },
                { type: 'null' },
                { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
              ],
            },
            timestamp: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
          },
          examples: [EXAMPLES.lobstrWebhook],
        },
      },
      onRequest: requirePathSecret(deps.webhookSecret),
    },
    async (request) => {
      const n = request.body;
      if (n.event !== 'run.done') return { status: 'ignored', event: n.event };
      const notifiedAt = parseTimestamp(n.timestamp) ?? deps.clock.now().getTime();
      const squid = typeof n.squid === 'string' ? n.squid : (n.squid?.id ?? null);
      const recorded = await recordLobstrRun(deps.db, deps.outbox, {
        runId: n.id,
        squid,
        event: n.event,
        notifiedAt,
        trigger: 'webhook',
      });
      request.log.info(
        { runId: n.id, duplicate: !recorded },
        recorded ? 'lobstr run recorded' : 'lobstr run already recorded',
      );
      return { status: recorded ? 'accepted' : 'duplicate', runId: n.id };
    },
  );
};

function parseTimestamp(t: string | number | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  // Lobstr sends "YYYY/MM/DD HH:MM:SS" in UTC; ISO strings and epoch seconds or milliseconds are accepted too.
  if (typeof t === 'number') return t < 1e12 ? t * 1000 : t;
  const lobstr = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(t.trim());
  if (lobstr)
    return Date.UTC(
      Number(lobstr[1]),
      Number(lobstr[2]) - 1,
      Number(lobstr[3]),
      Number(lobstr[4]),
      Number(lobstr[5]),
      Number(lobstr[6]),
    );
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}
