// Realistic event payloads for the relay and ceiling scenarios: a LeadCreated carrying its ad
// snapshot, the most common (and largest) event hunt-matcher writes.
import type { OutgoingEvent } from '../../src/events/envelope.js';
import type { Ad } from '../../src/domain/types.js';
import { seededRandom, subSeed } from '../../testkit/random.js';

export function leadCreatedEvents(seed: number, ads: Ad[], count: number, accounts = 1000): OutgoingEvent[] {
  const r = seededRandom(subSeed(seed, 'events'));
  const accountIds = Array.from({ length: accounts }, () => r.uuid());
  const events: OutgoingEvent[] = [];
  for (let i = 0; i < count; i++) {
    const ad = ads[i % ads.length]!;
    const accountId = r.pick(accountIds);
    const contacted = r.chance(0.4);
    events.push({
      eventType: 'LeadCreated',
      key: accountId,
      value: {
        leadId: r.uuid(),
        accountId,
        huntId: r.uuid(),
        adId: ad.adId,
        stage: contacted ? 'contacte' : 'nouveau',
        position: -1024 * i,
        contacted,
        reason: contacted ? null : 'no_outreach',
        messageId: contacted ? r.uuid() : null,
        channel: contacted ? 'sms' : null,
        createdAt: ad.scrapedAt,
        ad,
      },
    });
  }
  return events;
}
