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
  try {
    const sync = await startHuntIndexSync(ctx, index);
    parts.push(sync);
    parts.push(await startContinuousMatching(ctx, index, sync));
    parts.push(await startBackfill(ctx));
    parts.push(await startDailyCatchUp(ctx));
  } catch (error) {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    throw error;
  }
  return {
    async stop() {
      // Consumers first (they finish their batch and commit), the index sync last.
      for (const p of [...parts].reverse()) await p.stop();
    },
  };
}
