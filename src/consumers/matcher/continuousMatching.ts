// Continuous matching: every AdScraped against the in-memory index of active hunts, and the matches
// of a whole batch of ads recorded in one transaction with the batch's inbox rows.
import { attributeToOldest } from '../../domain/contactDecision.js';
import type { HuntIndex } from '../../domain/huntIndex.js';
import { fromAdSnapshot } from '../../events/adSnapshot.js';
import { causeOf } from '../../events/envelope.js';
import type { HuntIndexSync } from './huntIndexSync.js';
import type { MatcherDeps } from './matcherDeps.js';
import { recordDepsOf, recordMatches, type Match } from './recordMatches.js';

export function startContinuousMatching(deps: Pick<MatcherDeps, 'consume' | 'outbox' | 'clock' | 'metrics' | 'settings'>, index: HuntIndex, sync: Pick<HuntIndexSync, 'refresh'>) {
  return deps.consume({
    name: 'matcher',
    topics: ['ads.scraped'],
    eventTypes: ['AdScraped'],
    batchSize: deps.settings.batchSize,
    coalesce: true,
    hops: { published: 'publish_to_matcher', committed: 'matcher_consume_to_commit' },
    handle: async (trx, events, hc) => {
      await sync.refresh(trx);
      const matches: Match[] = [];
      let found = 0;
      for (const event of events) {
        const ad = fromAdSnapshot(event.value.ad);
        const hunts = index.match(ad);
        found += hunts.length;
        for (const { hunt } of attributeToOldest(hunts)) matches.push({ hunt, ad, cause: causeOf(event) });
      }
      deps.metrics.matches.inc({ source: 'ads' }, found);
      const now = deps.clock.now();
      const result = await recordMatches(trx, recordDepsOf(deps, now), matches);
      deps.metrics.leadsCreated.inc({ contacted: 'true' }, result.contacted);
      deps.metrics.leadsCreated.inc({ contacted: 'false' }, result.leadsCreated - result.contacted);
      if (result.leadsCreated > 0) hc.log.debug({ ads: events.length, matches: found, ...result }, 'ads matched');
    },
  });
}
