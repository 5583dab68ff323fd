// POST /v1/ticks: the daily catch-up now (idempotent per day).
import type { Db } from '../../db/knex.js';
import { FIRST_YEAR, isCalendarDay, LAST_YEAR, localTime } from '../../domain/calendar.js';
import { ValidationError } from '../../domain/errors.js';
import { recordTick } from '../../producers/ticks/recordTick.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { requireBearer } from '../auth.js';
import { describe, errors, object } from '../schemas.js';

export interface TickRoutesDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  timeZone: string;
  cronSecret: string | undefined;
}

export const registerTickRoutes = (deps: TickRoutesDeps) => (app: HttpApp) => {
  app.post<{ Body: { date?: string } | undefined }>(
    '/v1/ticks',
    {
      onRequest: requireBearer(deps.cronSecret),
      schema: {
        ...describe(
          'ticks',
          'Run the daily catch-up for a day (today in TICK_TIME_ZONE by default); once per day, however often it is called',
          'cronSecret',
        ),
        response: { 202: object({ tickId: { type: 'string' }, duplicate: { type: 'boolean' } }), ...errors(400, 401) },
        body: {
          anyOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
            },
          ],
          examples: [EXAMPLES.tick],
        },
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      const day = request.body?.date ?? localTime(now, deps.timeZone).day;
      if (!isCalendarDay(day))
        throw new ValidationError(
          'body/date',
          `must be a calendar day YYYY-MM-DD between ${FIRST_YEAR}-01-01 and ${LAST_YEAR}-12-31`,
        );
      const result = await recordTick(deps.db, deps.outbox, { day, timeZone: deps.timeZone, requestedBy: 'api', now });
      request.log.info({ ...result }, result.duplicate ? 'tick already recorded for this day' : 'tick recorded');
      return reply.status(202).send(result);
    },
  );
};
