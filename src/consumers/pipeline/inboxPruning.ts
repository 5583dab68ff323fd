// Inbox rows older than the retention are pruned hourly: redelivery never reaches that far back.
import type { Db } from '../../db/knex.js';
import type { Logger } from '../../platform/logger.js';
import { pruneInbox } from '../../sql/outbox/pruneInbox.js';

export function startInboxPruning(
  db: Db,
  groupId: string,
  days: number,
  log: Logger,
  everyMs = 3_600_000,
): { stop(): void } {
  const prune = async () => {
    const removed = await pruneInbox(db, groupId, days);
    if (removed > 0) log.info({ removed, days }, 'old inbox rows pruned');
  };
  const timer = setInterval(
    () => void prune().catch((error: unknown) => log.warn({ err: error }, 'inbox pruning failed')),
    everyMs,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
