import { describe, expect, it } from 'vitest';
import { bodyLimitOf, formatBytes, sharedErrors } from '../../src/http/routeDefaults.js';

const sid = (prefix: string) => `${prefix}${'0123456789abcdef'.repeat(2)}`;

/**
 * Twilio's request to an incoming-message webhook at its largest: form-encoded (as Twilio sends it,
 * application/x-www-form-urlencoded) with a body of 1,600 characters, 10 media and the WhatsApp and
 * geographic parameters Twilio documents for its messaging webhook.
 */
function largestTwilioInbound(text: string): string {
  const params = new URLSearchParams({
    MessageSid: sid('SM'),
    SmsSid: sid('SM'),
    SmsMessageSid: sid('SM'),
    AccountSid: sid('AC'),
    MessagingServiceSid: sid('MG'),
    From: 'whatsapp:+33612345678',
    To: 'whatsapp:+33987654321',
    Body: text,
    NumMedia: '10',
    NumSegments: '24',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
    FromCity: 'VILLEURBANNE',
    FromState: 'AUVERGNE-RHONE-ALPES',
    FromZip: '69100',
    FromCountry: 'FR',
    ToCity: 'PARIS',
    ToState: 'ILE-DE-FRANCE',
    ToZip: '75011',
    ToCountry: 'FR',
    ProfileName: 'Jean-Étienne Dupont-Laforêt',
    WaId: '33612345678',
    Forwarded: 'true',
    FrequentlyForwarded: 'true',
    ButtonText: 'Je ne suis pas intéressé',
    Latitude: '45.7719',
    Longitude: '4.8902',
    Address: '12 rue de la République, 69100 Villeurbanne',
    Label: 'Domicile',
    ReferralBody: 'Votre véhicule nous intéresse',
    ReferralHeadline: 'Reprise de véhicules',
    ReferralSourceId: '1234567890',
    ReferralSourceType: 'ad',
    ReferralSourceUrl: 'https://fb.me/abcdefghij',
    ReferralMediaId: '1234567890',
    ReferralMediaContentType: 'image/jpeg',
    ReferralMediaUrl: `https://api.twilio.com/2010-04-01/Accounts/${sid('AC')}/Messages/${sid('MM')}/Media/${sid('ME')}`,
    ReferralNumMedia: '1',
    ReferralCtwaClid: 'x'.repeat(120),
  });
  for (let i = 0; i < 10; i++) {
    params.set(`MediaContentType${i}`, 'image/jpeg');
    params.set(
      `MediaUrl${i}`,
      `https://api.twilio.com/2010-04-01/Accounts/${sid('AC')}/Messages/${sid('MM')}/Media/${sid('ME')}`,
    );
  }
  return params.toString();
}

describe('route defaults', () => {
  it('gives ingestion 16 MiB, the webhooks and provider callbacks 32 KiB, every other route 1 MiB', () => {
    expect(bodyLimitOf('/v1/ads')).toBe(16 * 1024 * 1024);
    for (const url of [
      '/v1/lobstr/webhook/:secret',
      '/v1/gateway/webhook/:secret',
      '/v1/providers/twilio/inbound',
      '/v1/providers/brevo/events',
    ])
      expect(bodyLimitOf(url), url).toBe(32 * 1024);
    for (const url of ['/v1/hunts', '/v1/ads-export', '/v1/optouts', '/v1/ops/dead-letters/replay'])
      expect(bodyLimitOf(url), url).toBe(1024 * 1024);
  });

  it("fits Twilio's largest inbound message, 1,600 characters form-encoded at their widest, under the provider limit with room to spare", () => {
    const limit = bodyLimitOf('/v1/providers/twilio/inbound');
    // Three UTF-8 bytes a character (percent-encoded: nine), and emoji (two UTF-16 units, four bytes).
    for (const text of ['中'.repeat(1600), '😀'.repeat(800), 'é'.repeat(1600)]) {
      const bytes = Buffer.byteLength(largestTwilioInbound(text));
      expect(bytes, `${[...text][0]}: ${bytes} bytes`).toBeLessThan(limit * 0.75);
    }
  });

  it('names a limit in the largest unit it is a whole number of', () => {
    expect([formatBytes(16 * 1024 * 1024), formatBytes(32 * 1024), formatBytes(1500)]).toEqual([
      '16 MiB',
      '32 KiB',
      '1500 bytes',
    ]);
  });

  it('documents 413 where a method takes a body and 503 on the API routes, not on health', () => {
    expect(Object.keys(sharedErrors({ method: 'POST', url: '/v1/ads' }))).toEqual(
      expect.arrayContaining(['413', '503']),
    );
    expect(Object.keys(sharedErrors({ method: 'GET', url: '/v1/hunts/:id' }))).not.toContain('413');
    expect(Object.keys(sharedErrors({ method: 'GET', url: '/readyz' }))).not.toContain('503');
  });
});
