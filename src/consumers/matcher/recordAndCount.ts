// What every matching path does with its matches (src/domain/matchAds.ts): record them in the caller's
// transaction (recordMatches.ts) and count them, one way for all three paths:
//   hunt_matcher_matcher_matches_total{source}      leads created, by the path that found them
//                                                   (continuous, backfill, catch_up);
//   hunt_matcher_matcher_leads_created_total{contacted}  the same leads, contacted or not.
// Counted once the transaction commits: a batch rolled back (a conflict) and applied again counts once.
import type { Trx } from '../../db/knex.js';
import type { Match } from '../../domain/matchAds.js';
import type { Cause } from '../../events/envelope.js';
import type { Metrics } from '../../platform/metrics.js';
import type { ExplainHeldBack } from './explainHeldBack.js';
import { recordMatches, type RecordDeps, type RecordResult } from './recordMatches.js';

export type MatchSource = 'continuous' | 'backfill' | 'catch_up';

export interface CountingDeps {
  metrics: Pick<Metrics, 'matches' | 'leadsCreated'>;
  /** Says why leads were not contacted, once committed (src/consumers/matcher/explainHeldBack.ts). */
  explainHeldBack?: ExplainHeldBack;
}

/** `causeOf`: the event each match follows from. */
export async function recordAndCount(
  trx: Trx,
  deps: CountingDeps,
  recordDeps: RecordDeps,
  source: MatchSource,
  matches: Match[],
  causeOf: (m: Match) => Cause,
): Promise<RecordResult> {
  const result = await recordMatches(
    trx,
    recordDeps,
    matches.map((m) => ({ ...m, cause: causeOf(m) })),
  );
  if (result.leadsCreated > 0) {
    void trx.executionPromise.then(
      () => {
        deps.metrics.matches.inc({ source }, result.leadsCreated);
        deps.metrics.leadsCreated.inc({ contacted: 'true' }, result.contacted);
        deps.metrics.leadsCreated.inc({ contacted: 'false' }, result.leadsCreated - result.contacted);
        if (result.heldBack.length > 0) deps.explainHeldBack?.(result.heldBack);
      },
      () => undefined, // rolled back: nothing was created
    );
  }
  return result;
}
