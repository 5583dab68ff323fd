// Ad ingestion, shared by POST /v1/ads and the Lobstr importer: upsert by (source, externalId) and,
// in the same transaction, an AdScraped event for each ad that is new or whose matching fields changed.
import { createHash } from 'node:crypto';
import { newId } from '../../platform/ids.js';
import type { Trx } from '../../db/knex.js';
import { departmentOf } from '../../domain/department.js';
import { toAdSnapshot } from '../../events/adSnapshot.js';
import { newEventId, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { adFromRow, type AdRecord } from '../../sql/rows/adRow.js';
import { upsertAds } from '../../sql/upsertAds.js';
import type { AdInput } from './adInput.js';

export interface IngestResult {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The fields matching (docs/ARCHITECTURE.md section 2) depends on: a re-scrape that changes none of them is no event. */
function matchHash(ad: AdInput): string {
  const relevant = [
    ad.title,
    ad.description ?? '',
    ad.price ?? null,
    ad.adType,
    ad.subType ?? null,
    ad.brand ?? null,
    ad.model ?? null,
    ad.modelYear ?? null,
    ad.mileageKm ?? null,
    ad.zipcode ?? null,
    ad.lat ?? null,
    ad.lng ?? null,
    ad.ownerType ?? null,
    ad.isUrgent ?? false,
    ad.hasBeenReposted ?? false,
    ad.priceHasDropped ?? false,
    ad.hasBeenBoosted ?? false,
    ad.isLowPrice ?? false,
  ];
  return createHash('sha1').update(JSON.stringify(relevant)).digest('base64url');
}

function toRecord(ad: AdInput, now: Date): AdRecord {
  return {
    id: newId(),
    source: ad.source ?? 'leboncoin',
    external_id: ad.externalId,
    url: ad.url ?? null,
    title: ad.title,
    description: ad.description ?? '',
    price: ad.price ?? null,
    ad_type: ad.adType,
    sub_type: ad.subType ?? null,
    brand: ad.brand ?? null,
    model: ad.model ?? null,
    model_year: ad.modelYear ?? null,
    mileage_km: ad.mileageKm ?? null,
    fuel: ad.fuel ?? null,
    gearbox: ad.gearbox ?? null,
    zipcode: ad.zipcode ?? null,
    city: ad.city ?? null,
    department: ad.department ?? departmentOf(ad.zipcode ?? null),
    lat: ad.lat ?? null,
    lng: ad.lng ?? null,
    owner_name: ad.ownerName ?? null,
    owner_type: ad.ownerType ?? null,
    phone: ad.phone ?? null,
    accept_salesmen: ad.acceptSalesmen ?? true,
    is_urgent: ad.isUrgent ?? false,
    has_been_reposted: ad.hasBeenReposted ?? false,
    price_has_dropped: ad.priceHasDropped ?? false,
    has_been_boosted: ad.hasBeenBoosted ?? false,
    is_low_price: ad.isLowPrice ?? false,
    pictures: ad.pictures ?? [],
    first_published_at: ad.firstPublishedAt ?? null,
    last_published_at: ad.lastPublishedAt ?? null,
    scraped_at: ad.scrapedAt ?? now.toISOString(),
    match_hash: matchHash(ad),
  };
}

/**
 * Upserts `ads` and enqueues their AdScraped events in `trx`. The same (source, externalId) twice in
 * one batch counts once, the last one winning (PostgreSQL cannot update a row twice in one statement).
 * `cause` links the events to what triggered them (e.g. a Lobstr run).
 */
export async function ingestAds(
  trx: Trx,
  outbox: Outbox,
  ads: AdInput[],
  options: { now: Date; cause?: { eventId: string; correlationId: string } },
): Promise<IngestResult> {
  const byKey = new Map<string, AdRecord>();
  for (const ad of ads) {
    const record = toRecord(ad, options.now);
    byKey.delete(`${record.source}\u0000${record.external_id}`);
    byKey.set(`${record.source}\u0000${record.external_id}`, record);
  }
  const result: IngestResult = { received: ads.length, inserted: 0, updated: 0, unchanged: 0 };
  if (byKey.size === 0) return result;
  // Lock order by key, so that two batches sharing ads cannot deadlock.
  const records = [...byKey.values()].sort((a, b) => (a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0));
  const rows = await upsertAds(trx, records);

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
    // An ad's chain starts with its request: its event id carries that time (request_to_gateway).
    events.push({ eventType: 'AdScraped', key: row.id, eventId: newEventId(options.now), occurredAt: options.now, value: { change, ad: toAdSnapshot(adFromRow(row)) }, ...(options.cause ? { cause: options.cause } : {}) });
  }
  // Duplicates within the batch were folded into one row; they count as unchanged re-sends.
  result.unchanged += ads.length - byKey.size;
  await outbox.enqueue(trx, events);
  return result;
}
