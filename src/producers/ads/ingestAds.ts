// Ad ingestion, shared by POST /v1/ads and the Lobstr importer: the ads validateAds let through
// (src/producers/ads/adInput.ts), upserted by (source, externalId) and, in the same transaction, an
// AdScraped event for each ad that is new or whose matching fields changed (the ad itself: the
// event schema's Ad is the domain's, src/events/adSnapshot.ts).
import { newId } from '../../platform/ids.js';
import type { Trx } from '../../db/knex.js';
import type { Ad, NewAd } from '../../domain/types.js';
import { newEventId, type Cause, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { upsertAds } from '../../sql/ads/upsertAds.js';

export interface IngestResult {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

const keyOf = (ad: Pick<Ad, 'source' | 'externalId'>) => `${ad.source}\u0000${ad.externalId}`;

/**
 * Upserts `ads` and enqueues their AdScraped events in `trx`. The same (source, externalId) twice in
 * one batch counts once, the last one winning (PostgreSQL cannot update a row twice in one statement).
 * `cause` links the events to what triggered them (e.g. a Lobstr run).
 */
export async function ingestAds(
  trx: Trx,
  outbox: Outbox,
  ads: NewAd[],
  options: { now: Date; cause?: Cause },
): Promise<IngestResult> {
  const byKey = new Map<string, Ad>();
  for (const ad of ads) {
    byKey.delete(keyOf(ad));
    byKey.set(keyOf(ad), { adId: newId(), ...ad });
  }
  const result: IngestResult = { received: ads.length, inserted: 0, updated: 0, unchanged: 0 };
  if (byKey.size === 0) return result;
  // Lock order by key, so that two batches sharing ads cannot deadlock.
  const batch = [...byKey.values()].sort((a, b) =>
    a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
  const rows = await upsertAds(trx, batch);

  const events: OutgoingEvent[] = [];
  for (const row of rows) {
    let change: 'NEW' | 'UPDATED' | null;
    if (row.inserted) change = 'NEW';
    // previous_hash is null only when a concurrent batch inserted the ad first: count it as a change.
    else if (row.previous_hash !== row.match_hash) change = 'UPDATED';
    else change = null;
    if (change === 'NEW') result.inserted++;
    else if (change === 'UPDATED') result.updated++;
    else result.unchanged++;
    if (!change) continue;
    // The row holds what was written: the ad, under the id it has (its own, for an ad seen before).
    const ad: Ad = { ...byKey.get(`${row.source}\u0000${row.external_id}`)!, adId: row.id };
    // An ad's chain starts with its request: its event id carries that time (request_to_gateway).
    events.push({
      eventType: 'AdScraped',
      key: row.id,
      eventId: newEventId(options.now),
      occurredAt: options.now,
      value: { change, ad },
      ...(options.cause ? { cause: options.cause } : {}),
    });
  }
  // Duplicates within the batch were folded into one row; they count as unchanged re-sends.
  result.unchanged += ads.length - byKey.size;
  await outbox.enqueue(trx, events);
  return result;
}
