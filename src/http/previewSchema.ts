// The hunt preview's answer: POST /v1/hunts/preview gives it, and the console's preview passes it through.
const nullable = (type: string) => ({ type: [type, 'null'] });
export const previewResponse = {
  type: 'object',
  required: ['days', 'matchingAds', 'perDay', 'alreadyLeads', 'sample'],
  properties: {
    days: { type: 'integer' },
    matchingAds: { type: 'integer' },
    perDay: { type: 'number' },
    alreadyLeads: {
      ...nullable('integer'),
      description: 'how many of the matching ads the account already has as leads; null without an account',
    },
    sample: {
      type: 'array',
      description: 'up to 20 of the matching ads, newest first (by first publication, else by scrape)',
      items: {
        type: 'object',
        required: [
          'adId',
          'externalId',
          'title',
          'price',
          'city',
          'zipcode',
          'distanceKm',
          'firstPublishedAt',
          'scrapedAt',
          'url',
        ],
        properties: {
          adId: { type: 'string', format: 'uuid' },
          externalId: { type: 'string' },
          title: { type: 'string' },
          price: nullable('integer'),
          city: nullable('string'),
          zipcode: nullable('string'),
          distanceKm: {
            ...nullable('number'),
            description: "from the hunt's location; null for an ad without coordinates",
          },
          firstPublishedAt: {
            type: ['string', 'null'],
            format: 'date-time',
            description: 'null when the ad gives none: it is in the window by its scrapedAt',
          },
          scrapedAt: { type: 'string', format: 'date-time' },
          url: nullable('string'),
        },
      },
    },
  },
} as const;
