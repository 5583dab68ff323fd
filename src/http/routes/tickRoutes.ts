import { isCalendarDay, localTime } from '../../domain/calendar.js';
import type { HttpApp } from '../app.js';
import { requireBearer } from '../auth.js';
import { validationError } from '../errors.js';
import type { ServiceContext } from '../../service.js';
import { recordTick } from '../../producers/ticks/recordTick.js';

export const registerTickRoutes = (ctx: ServiceContext) => (app: HttpApp) => {
  app.post<{ Body: { date?: string } | undefined }>(
    '/v1/ticks',
    {
      onRequest: requireBearer(ctx.config.tokens.cron),
      schema: { body: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } }] } },
    },
    async (request, reply) => {
      const now = ctx.clock.now();
      const day = request.body?.date ?? localTime(now, ctx.config.tick.timeZone).day;
      if (!isCalendarDay(day)) throw validationError('body/date', 'must be a calendar day YYYY-MM-DD');
      const result = await recordTick(ctx.db, ctx.outbox, { day, timeZone: ctx.config.tick.timeZone, requestedBy: 'api', now });
      request.log.info({ ...result }, result.duplicate ? 'tick already recorded for this day' : 'tick recorded');
      return reply.status(202).send(result);
    },
  );
};
