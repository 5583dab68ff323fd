// The matcher role: the hunt index first (loaded before any consumer joins its group), then
// continuous matching, backfill of changed hunts, and the daily catch-up.
import { createHuntIndex } from '../../domain/huntIndex.js';
import type { RoleHandle, ServiceContext } from '../../service.js';
import { startBackfill } from './backfill.js';
import { startContinuousMatching } from './continuousMatching.js';
import { startDailyCatchUp } from './dailyCatchUp.js';
import { startHuntIndexSync } from './huntIndexSync.js';

export async function startMatcher(ctx: ServiceContext): Promise<RoleHandle> {
  const index = createHuntIndex();
  const parts: RoleHandle[] = [];
  let sync: Awaited<ReturnType<typeof startHuntIndexSync>> | undefined;
  try {
    sync = await startHuntIndexSync(ctx, index);
    parts.push(await startContinuousMatching(ctx, index, sync));
    parts.push(await startBackfill(ctx));
    parts.push(await startDailyCatchUp(ctx));
  } catch (error) {
    await Promise.allSettled(parts.map((p) => p.stop()));
    await sync?.stop().catch(() => undefined);
    throw error;
  }
  const indexSync = sync;
  return {
    async stop() {
      // The consumers together (each finishes its batch and commits), then the index sync.
      const stopped = await Promise.allSettled(parts.map((p) => p.stop()));
      await indexSync.stop();
      const failed = stopped.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
