// The request bodies the OpenAPI document shows (and Swagger UI's "Try it out" sends): realistic ones, a
// dealer around Lyon after a Peugeot under 20,000 €, so that trying a route does what a user would do.
// Without them Swagger UI made its own from the schemas' bounds (latitude -90, a 2,000 km radius,
// prices of 100,000,000), and "Try it out" saved that absurd hunt. The test of the document checks that
// every body has one and that each passes its route's own schema.

/** The README's account. */
export const EXAMPLE_ACCOUNT_ID = '6f1c0b9e-2d5a-4c1e-9a57-1f0a3c2b4d11';

const LYON = { label: 'Lyon', zipcode: '69003', lat: 45.7597, lng: 4.8422 };

/** The criteria of a hunt, as POST /v1/hunts and the preview take them. */
const HUNT_CRITERIA = {
  name: 'Peugeot 308 autour de Lyon',
  adType: 'voitures',
  brands: ['Peugeot'],
  location: LYON,
  radiusKm: 30,
  priceMax: 20_000,
  modelYearMin: 2015,
  mileageMax: 150_000,
};

export const EXAMPLES = {
  createHunt: {
    accountId: EXAMPLE_ACCOUNT_ID,
    ...HUNT_CRITERIA,
    dailyPacingLimit: 20,
    contactHours: { days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '19:00' },
    outreach: {
      channel: 'sms',
      template: 'Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} à {{prix}} nous intéresse. Toujours disponible ?',
    },
  },
  patchHunt: { priceMax: 18_000, radiusKm: 50 },
  preview: { ...HUNT_CRITERIA, days: 30 },
  ads: {
    ads: [
      {
        externalId: '2700000001',
        url: 'https://www.leboncoin.fr/ad/voitures/2700000001',
        title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
        description: 'Première main, carnet d’entretien à jour, distribution faite. Pneus neufs.',
        price: 14_500,
        adType: 'voitures',
        brand: 'Peugeot',
        model: '308',
        modelYear: 2019,
        mileageKm: 68_000,
        fuel: 'Diesel',
        gearbox: 'Manuelle',
        zipcode: '69100',
        city: 'Villeurbanne',
        lat: 45.7719,
        lng: 4.8902,
        ownerName: 'Julie',
        ownerType: 'private',
        phone: '06 12 34 56 78',
        acceptSalesmen: true,
      },
    ],
  },
  createAccount: { id: EXAMPLE_ACCOUNT_ID, name: 'Garage du Rhône' },
  // A short code: French operators carry no business SMS from a mobile number (docs/providers.md).
  patchAccount: { senderName: 'Garage du Rhone', senderNumbers: ['36123'] },
  createWebhook: {
    url: 'https://crm.garage-du-rhone.fr/hooks/hunt-matcher',
    events: ['lead.created', 'message.sent', 'seller.replied'],
    description: 'Le CRM du garage',
  },
  patchWebhook: { events: ['lead.created', 'seller.replied'], enabled: true },
  tick: { date: '2026-12-07' },
  optOut: { phone: '06 12 34 56 78', reason: 'a appelé pour ne plus être contacté' },
  lobstrWebhook: {
    id: '5e1f0c3ad2b94c6f8e7a91b2c3d4e5f6',
    object: 'run',
    event: 'run.done',
    squid: { id: 'a7b3c9d1e5f24a6b8c0d2e4f6a8b0c1d', name: 'Leboncoin Listings & Phone Search Export (1)' },
    timestamp: '2026/12/07 06:00:00',
  },
  gatewayReceipt: {
    type: 'status',
    messageId: '0193a6f2-5b1c-7d3e-8f40-1a2b3c4d5e6f',
    status: 'delivered',
    at: '2026-12-07T09:00:05Z',
  },
  gatewayReply: {
    type: 'inbound',
    id: 'gw-42',
    from: '+33612345678',
    text: 'Oui, toujours disponible. Vous pouvez passer samedi.',
    at: '2026-12-07T09:04:00Z',
  },
  brevoEvent: {
    msg_status: 'delivered',
    messageId: 1_234_567_890,
    to: '33612345678',
    tag: '0193a6f2-5b1c-7d3e-8f40-1a2b3c4d5e6f',
  },
  twilioStatus: {
    MessageSid: 'SM2f2b5f0d6a0e4c8b9a7d3e1f0c2b4a6d',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    MessageStatus: 'delivered',
    From: '+33757000001',
    To: '+33612345678',
  },
  twilioInbound: {
    MessageSid: 'SM8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+33612345678',
    To: '+33757000001',
    Body: 'Oui, toujours disponible',
  },
  replay: { topic: 'ads.scraped', offset: '3' },
} as const;
