// The matcher role: the hunt index first (loaded before any consumer joins its group), then
// continuous matching, backfill of changed hunts, and the daily catch-up.
import { createHuntIndex } from '../../domain/huntIndex.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import { startBackfill } from './backfill.js';
import { startContinuousMatching } from './continuousMatching.js';
import { startDailyCatchUp } from './dailyCatchUp.js';
import { createHeldBackExplainer } from './explainHeldBack.js';
import { startHuntIndexSync } from './huntIndexSync.js';
import type { MatcherDeps } from './matcherDeps.js';

export type { MatcherDeps, MatcherSettings } from './matcherDeps.js';

export async function startMatcher(given: MatcherDeps): Promise<RoleHandle> {
  // One memory of what was explained for the three paths: an account and reason is said once.
  const deps = { explainHeldBack: createHeldBackExplainer(given.log.child({ component: 'matcher' })), ...given };
  const index = createHuntIndex();
  const parts: RoleHandle[] = [];
  try {
    const sync = await startHuntIndexSync(deps, index);
    parts.push(await startContinuousMatching(deps, index, sync));
    parts.push(await startBackfill(deps));
    parts.push(await startDailyCatchUp(deps));
  } catch (error) {
    await Promise.allSettled(parts.map((p) => p.stop()));
    throw error;
  }
  return {
    async stop() {
      // The consumers together (each finishes its batch and commits).
      const stopped = await Promise.allSettled(parts.map((p) => p.stop()));
      const failed = stopped.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
