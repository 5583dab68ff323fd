// One DailyTick per calendar day, whatever the number of schedulers and API calls: the ticks table's
// primary key decides, and the event is enqueued only by the transaction that inserted the row.
import { v5 as uuidv5 } from 'uuid';
import type { Db } from '../../db/knex.js';
import { tickIdOf } from '../../domain/calendar.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { insertTick } from '../../sql/ticks/insertTick.js';

// Names the event ids of ticks: daily:2026-11-28 always has the same event id, so even a tick
// that somehow reached the topic twice would be deduplicated by every consumer's inbox.
const TICK_NAMESPACE = '6d1b8c8e-3f0a-4b7e-9a51-2f4c3c1e7d20';

export const tickEventIdOf = (tickId: string) => uuidv5(tickId, TICK_NAMESPACE);

export async function recordTick(
  db: Db,
  outbox: Outbox,
  options: { day: string; timeZone: string; requestedBy: 'scheduler' | 'api'; now: Date },
): Promise<{ tickId: string; duplicate: boolean }> {
  const tickId = tickIdOf(options.day);
  const eventId = tickEventIdOf(tickId);
  return db.transaction(async (trx) => {
    const inserted = await insertTick(trx, {
      tickId,
      day: options.day,
      eventId,
      requestedBy: options.requestedBy,
      createdAt: options.now,
    });
    if (!inserted) return { tickId, duplicate: true };
    await outbox.enqueue(trx, {
      eventType: 'DailyTick',
      key: tickId,
      eventId,
      value: {
        tickId,
        day: options.day,
        timeZone: options.timeZone,
        requestedBy: options.requestedBy,
        requestedAt: options.now.getTime(),
      },
    });
    return { tickId, duplicate: false };
  });
}
