// Continuous matching: every AdScraped against the in-memory index of active hunts, and the matches
// of a whole batch of ads recorded in one transaction with the batch's inbox rows.
import type { HuntIndex } from '../../domain/huntIndex.js';
import { matchAds } from '../../domain/matchAds.js';
import type { Ad } from '../../domain/types.js';
import { causeOf, type Cause } from '../../events/envelope.js';
import type { HuntIndexSync } from './huntIndexSync.js';
import type { MatcherDeps } from './matcherDeps.js';
import { recordAndCount } from './recordAndCount.js';
import { recordDepsOf } from './recordMatches.js';

export function startContinuousMatching(
  deps: Pick<MatcherDeps, 'consume' | 'outbox' | 'clock' | 'metrics' | 'settings' | 'explainHeldBack'>,
  index: HuntIndex,
  sync: Pick<HuntIndexSync, 'refresh'>,
) {
  return deps.consume({
    name: 'matcher',
    topics: ['ads.scraped'],
    eventTypes: ['AdScraped'],
    batchSize: deps.settings.batchSize,
    coalesce: true,
    hops: { published: 'publish_to_matcher', committed: 'matcher_consume_to_commit' },
    handle: async (trx, events, hc) => {
      await sync.refresh(trx);
      // The event schema's Ad is the domain's (src/events/adSnapshot.ts): each ad leads back to its event.
      const causes = new Map<Ad, Cause>(events.map((e) => [e.value.ad, causeOf(e)]));
      const matches = matchAds(causes.keys(), index);
      const result = await recordAndCount(trx, deps, recordDepsOf(deps, deps.clock.now()), 'continuous', matches, (m) =>
        causes.get(m.ad)!,
      );
      if (result.leadsCreated > 0)
        hc.log.debug({ ads: events.length, matches: matches.length, ...result }, 'ads matched');
    },
  });
}
