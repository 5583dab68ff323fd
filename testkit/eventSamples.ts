// One valid value of every event, for codec and contract tests.
import type { EventPayloads, Ad } from '../src/events/types.generated.js';
import { validAdsOrThrow } from '../src/producers/ads/adInput.js';
import { adInput, PLACES } from './fixtures.js';

/**
 * The sample car of testkit/fixtures.ts (adInput), as POST /v1/ads takes it in (validAdsOrThrow), with
 * an id: fixed values throughout (no counter, no clock), in Lyon.
 */
export const sampleAd: Ad = {
  adId: '0193a7a4-5c1e-7c3a-8f00-000000000001',
  ...validAdsOrThrow(
    [
      adInput({
        externalId: '2712345678',
        url: 'https://www.leboncoin.fr/ad/voitures/2712345678',
        title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
        description: 'Première main, carnet d’entretien, toit ouvrant.',
        zipcode: PLACES.lyon.zipcode,
        city: PLACES.lyon.label,
        lat: PLACES.lyon.lat,
        lng: PLACES.lyon.lng,
        phone: '+33612345678',
        hasBeenReposted: true,
        priceHasDropped: true,
        pictures: ['https://img.leboncoin.fr/1.jpg', 'https://img.leboncoin.fr/2.jpg'],
        firstPublishedAt: new Date(Date.UTC(2026, 10, 20, 8, 0)).toISOString(),
        lastPublishedAt: new Date(Date.UTC(2026, 10, 27, 9, 30)).toISOString(),
        scrapedAt: new Date(Date.UTC(2026, 10, 28, 6, 0)).toISOString(),
      }),
    ],
    { now: new Date(Date.UTC(2026, 10, 28, 6, 0)) },
  )[0]!,
};

const ids = {
  account: '0193a7a4-5c1e-7c3a-8f00-0000000000a1',
  hunt: '0193a7a4-5c1e-7c3a-8f00-0000000000b1',
  lead: '0193a7a4-5c1e-7c3a-8f00-0000000000c1',
  message: '0193a7a4-5c1e-7c3a-8f00-0000000000d1',
};

export const sampleEvents: EventPayloads = {
  AdScraped: { change: 'NEW', ad: sampleAd },
  HuntChanged: {
    huntId: ids.hunt,
    accountId: ids.account,
    change: 'CREATED',
    version: 1,
    changedAt: Date.UTC(2026, 10, 28, 7),
  },
  DailyTick: {
    tickId: 'daily:2026-11-28',
    day: '2026-11-28',
    timeZone: 'Europe/Paris',
    requestedBy: 'scheduler',
    requestedAt: Date.UTC(2026, 10, 28, 5),
  },
  LobstrRunCompleted: {
    runId: 'run_8f2a',
    squid: 'squid_41',
    event: 'run.done',
    notifiedAt: Date.UTC(2026, 10, 28, 4),
  },
  LeadCreated: {
    leadId: ids.lead,
    accountId: ids.account,
    huntId: ids.hunt,
    adId: sampleAd.adId,
    stage: 'contacte',
    position: -2048,
    contacted: true,
    reason: null,
    messageId: ids.message,
    channel: 'sms',
    createdAt: Date.UTC(2026, 10, 28, 6, 1),
    ad: sampleAd,
  },
  SendMessage: {
    messageId: ids.message,
    accountId: ids.account,
    leadId: ids.lead,
    huntId: ids.hunt,
    adId: sampleAd.adId,
    channel: 'sms',
    to: '+33612345678',
    content: 'Bonjour Julie, votre Peugeot 308 à 14 500 € nous intéresse.',
    requestedAt: Date.UTC(2026, 10, 28, 6, 1),
  },
  MessageSent: {
    messageId: ids.message,
    accountId: ids.account,
    leadId: ids.lead,
    adId: sampleAd.adId,
    channel: 'sms',
    externalId: 'gw-123',
    attempts: 1,
    sentAt: Date.UTC(2026, 10, 28, 6, 2),
  },
  MessageFailed: {
    messageId: ids.message,
    accountId: ids.account,
    leadId: ids.lead,
    adId: sampleAd.adId,
    channel: 'sms',
    reason: '422 invalid recipient',
    permanent: true,
    attempts: 1,
    failedAt: Date.UTC(2026, 10, 28, 6, 2),
    errorCode: '30006',
    provider: 'twilio',
  },
  MessageDelivered: {
    messageId: ids.message,
    accountId: ids.account,
    leadId: ids.lead,
    adId: sampleAd.adId,
    status: 'DELIVERED',
    at: Date.UTC(2026, 10, 28, 6, 3),
    errorCode: null,
    provider: 'twilio',
  },
  SellerReplied: {
    replyId: '0193a1b2-0000-7000-8000-00000000aa01',
    leadId: ids.lead,
    adId: sampleAd.adId,
    accountId: ids.account,
    huntId: ids.hunt,
    messageId: ids.message,
    from: '+33612345678',
    to: '+33757000001',
    text: 'Oui, toujours disponible, appelez-moi',
    receivedAt: Date.UTC(2026, 10, 28, 6, 4),
    provider: 'twilio',
  },
};
