// The scheduler role: at DAILY_TICK_AT (Europe/Paris) records the day's DailyTick. It checks at start
// (so a tick missed while the service was down is emitted at once) and then every `checkEveryMs`.
// Any number of instances may run it: recordTick lets only one tick per day through.
import type { Db } from '../../db/knex.js';
import { dueTickDay } from '../../domain/calendar.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import { recordTick } from './recordTick.js';

export interface SchedulerDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  tickAt: { hour: number; minute: number };
  timeZone: string;
  checkEveryMs?: number;
}

export async function startScheduler(deps: SchedulerDeps): Promise<RoleHandle> {
  const log = deps.log.child({ component: 'scheduler' });
  let lastDay: string | null = null;

  async function check() {
    const now = deps.clock.now();
    const day = dueTickDay(now, deps.tickAt, deps.timeZone);
    if (!day || day === lastDay) return;
    const result = await recordTick(deps.db, deps.outbox, {
      day,
      timeZone: deps.timeZone,
      requestedBy: 'scheduler',
      now,
    });
    lastDay = day;
    if (!result.duplicate) log.info({ tickId: result.tickId }, 'daily tick recorded');
  }

  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = check().catch((error: unknown) =>
      log.error({ err: error }, 'scheduler check failed; retrying at the next check'),
    );
  };
  tick();
  await running;
  const timer = setInterval(tick, deps.checkEveryMs ?? 30_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
