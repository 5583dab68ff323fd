// Continuous matching: every AdScraped against the in-memory index of active hunts, and the matches
// of a whole batch of ads recorded in one transaction with the batch's inbox rows.
import type { HuntIndex } from '../../domain/huntIndex.js';
import { attributeToOldest } from '../../domain/contactDecision.js';
import { localTime } from '../../domain/calendar.js';
import { causeOf } from '../../events/envelope.js';
import type { ServiceContext } from '../../service.js';
import { startConsumer } from '../pipeline/pipeline.js';
import type { HuntIndexSync } from './huntIndexSync.js';
import { recordMatches, type Match } from './recordMatches.js';

export function startContinuousMatching(ctx: ServiceContext, index: HuntIndex, sync: Pick<HuntIndexSync, 'refresh'>) {
  return startConsumer(ctx.pipeline, {
    name: 'matcher',
    topics: ['ads.scraped'],
    eventTypes: ['AdScraped'],
    batchSize: ctx.config.matching.batchSize,
    handle: async (trx, events, hc) => {
      await sync.refresh(trx);
      const matches: Match[] = [];
      let found = 0;
      for (const event of events) {
        const hunts = index.match(event.value.ad);
        found += hunts.length;
        for (const { hunt } of attributeToOldest(hunts)) matches.push({ hunt, ad: event.value.ad, cause: causeOf(event) });
      }
      ctx.metrics.matches.inc({ source: 'ads' }, found);
      const now = ctx.clock.now();
      const result = await recordMatches(trx, { outbox: ctx.outbox, now, pacingDay: localTime(now, ctx.config.tick.timeZone).day }, matches);
      ctx.metrics.leadsCreated.inc({ contacted: 'true' }, result.contacted);
      ctx.metrics.leadsCreated.inc({ contacted: 'false' }, result.leadsCreated - result.contacted);
      if (result.leadsCreated > 0) hc.log.debug({ ads: events.length, matches: found, ...result }, 'ads matched');
    },
  });
}
