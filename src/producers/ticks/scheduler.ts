// The scheduler role: at DAILY_TICK_AT (Europe/Paris) records the day's DailyTick. It checks at start
// (so a tick missed while the service was down is emitted at once) and then every `checkEveryMs`.
// Any number of instances may run it: recordTick lets only one tick per day through.
import { dueTickDay } from '../../domain/calendar.js';
import type { RoleHandle, ServiceContext } from '../../service.js';
import { recordTick } from './recordTick.js';

export async function startScheduler(ctx: ServiceContext, options: { checkEveryMs?: number } = {}): Promise<RoleHandle> {
  const log = ctx.log.child({ component: 'scheduler' });
  let lastDay: string | null = null;

  async function check() {
    const now = ctx.clock.now();
    const day = dueTickDay(now, ctx.config.tick.at, ctx.config.tick.timeZone);
    if (!day || day === lastDay) return;
    const result = await recordTick(ctx.db, ctx.outbox, { day, timeZone: ctx.config.tick.timeZone, requestedBy: 'scheduler', now });
    lastDay = day;
    if (!result.duplicate) log.info({ tickId: result.tickId }, 'daily tick recorded');
  }

  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = check().catch((error: unknown) => log.error({ err: error }, 'scheduler check failed; retrying at the next check'));
  };
  tick();
  await running;
  const timer = setInterval(tick, options.checkEveryMs ?? 30_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
