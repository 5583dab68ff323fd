// What the hunts API takes: JSON schemas for fastify's validator, and the checks a schema cannot
// express (min <= max, known template variables), each naming the field.
import { filledIn } from '../../domain/filledIn.js';
import {
  AD_TYPES,
  CHANNELS,
  NO_FLAGS,
  OWNER_TYPES,
  type Hunt,
  type HuntCriteria,
  type HuntSettings,
  type Outreach,
} from '../../domain/types.js';
import { unknownTemplateVariables } from '../../domain/template.js';
import { ValidationError } from '../../domain/errors.js';
import { contactHoursProblem, type ContactHours } from '../../domain/contactHours.js';
import { longestSegments } from '../../domain/smsText.js';
import { checkBrand } from '../../domain/knownBrands.js';

/** The French rules a hunt's SMS template is held to (SMS_MAX_SEGMENTS, SMS_OPT_OUT_MENTION). */
export interface SmsRules {
  maxSegments: number;
  optOutMention: string;
}

const nullableInt = (min: number, max: number) => ({
  anyOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'null' }],
});
const strings = (maxItems: number, maxLength = 100) => ({
  type: 'array',
  maxItems,
  items: { type: 'string', minLength: 1, maxLength },
});

export const huntFields = {
  name: { type: 'string', maxLength: 200 },
  adType: { type: 'string', enum: [...AD_TYPES] },
  subTypes: strings(50),
  brands: strings(100),
  location: {
    type: 'object',
    additionalProperties: false,
    required: ['label', 'zipcode', 'lat', 'lng'],
    properties: {
      label: { type: 'string', minLength: 1, maxLength: 200 },
      zipcode: { type: 'string', pattern: '^[0-9][0-9AB][0-9]{3}$' },
      lat: { type: 'number', minimum: -90, maximum: 90 },
      lng: { type: 'number', minimum: -180, maximum: 180 },
    },
  },
  radiusKm: { type: 'integer', minimum: 0, maximum: 2000 },
  priceMin: nullableInt(0, 100_000_000),
  priceMax: nullableInt(0, 100_000_000),
  modelYearMin: nullableInt(1900, 2100),
  modelYearMax: nullableInt(1900, 2100),
  mileageMin: nullableInt(0, 10_000_000),
  mileageMax: nullableInt(0, 10_000_000),
  ownerTypes: { type: 'array', uniqueItems: true, items: { type: 'string', enum: [...OWNER_TYPES] } },
  keywords: strings(50),
  excludedKeywords: strings(50),
  isUrgent: { type: 'boolean' },
  hasBeenReposted: { type: 'boolean' },
  priceHasDropped: { type: 'boolean' },
  hasBeenBoosted: { type: 'boolean' },
  isLowPrice: { type: 'boolean' },
  status: { type: 'string', enum: ['active', 'paused'] },
  autoRefresh: { type: 'boolean' },
  // sms and leboncoin: a template (text); whatsapp: an approved template (contentSid and its
  // numbered variables, written with the template variables), and optionally free text (template) for
  // a seller who wrote within 24 hours, which is also the text of an SMS fallback. checkHunt checks which.
  outreach: {
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['channel'],
        properties: {
          channel: { type: 'string', enum: [...CHANNELS] },
          template: { type: 'string', minLength: 1, maxLength: 2000 },
          contentSid: {
            type: 'string',
            pattern: '^HX[0-9a-fA-F]{32}$',
            description: "WhatsApp: the approved template's Content SID at Twilio (HX followed by 32 hex digits)",
          },
          contentVariables: {
            type: 'object',
            maxProperties: 20,
            propertyNames: { pattern: '^[1-9][0-9]?$' },
            additionalProperties: { type: 'string', minLength: 1, maxLength: 1000 },
            description:
              'WhatsApp: the template\'s numbered variables ("1", "2" …), each written with the template variables ({{vendeur_nom}}, {{marque}} …)',
          },
          fallback: {
            type: 'string',
            enum: ['sms'],
            description:
              'WhatsApp: a seller not on WhatsApp, or a template WhatsApp refuses, gets the template (text) as an SMS instead, once',
          },
        },
      },
      { type: 'null' },
    ],
  },
  dailyPacingLimit: nullableInt(0, 100_000),
  // ISO weekdays (1 = Monday) and local times in TICK_TIME_ZONE; null: any time. checkHunt checks the rest (to after from).
  contactHours: {
    anyOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'from', 'to'],
        properties: {
          days: {
            type: 'array',
            minItems: 1,
            maxItems: 7,
            uniqueItems: true,
            items: { type: 'integer', minimum: 1, maximum: 7 },
          },
          from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
          to: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
          holidays: { type: 'boolean', description: 'Open on French public holidays too (closed on them by default)' },
        },
      },
      { type: 'null' },
    ],
  },
} as const;

export const createHuntSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accountId', 'adType', 'location', 'radiusKm'],
  properties: { accountId: { type: 'string', format: 'uuid' }, ...huntFields },
} as const;

export const patchHuntSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: huntFields,
} as const;

export type HuntFields = Partial<Omit<HuntCriteria, 'location'>> & {
  location?: HuntCriteria['location'];
  name?: string;
  status?: Hunt['status'];
  autoRefresh?: boolean;
  outreach?: Outreach | null;
  dailyPacingLimit?: number | null;
  contactHours?: ContactHours | null;
};

export type CreateHuntBody = HuntFields &
  Pick<HuntCriteria, 'adType' | 'location' | 'radiusKm'> & { accountId: string };

/** The hunt's settings with every default filled in (the account is the caller's business).
 * `contactHoursDefault`: CONTACT_HOURS_DEFAULT, for a body that gives no contactHours (an explicit null stays null). */
export function withDefaults(
  body: Omit<CreateHuntBody, 'accountId'>,
  contactHoursDefault: ContactHours | null,
): HuntSettings {
  return {
    ...filledIn(HUNT_DEFAULTS, body),
    adType: body.adType,
    location: body.location,
    radiusKm: body.radiusKm,
    // Fresh lists: a hunt's lists are its own.
    subTypes: body.subTypes ?? [],
    brands: body.brands ?? [],
    ownerTypes: body.ownerTypes ?? [],
    keywords: body.keywords ?? [],
    excludedKeywords: body.excludedKeywords ?? [],
    contactHours: body.contactHours === undefined ? contactHoursDefault : body.contactHours,
  };
}

/** What a new hunt gets for a field it does not give (or gives as null). */
const HUNT_DEFAULTS: Omit<
  HuntSettings,
  | 'adType'
  | 'location'
  | 'radiusKm'
  | 'subTypes'
  | 'brands'
  | 'ownerTypes'
  | 'keywords'
  | 'excludedKeywords'
  | 'contactHours'
> = {
  ...NO_FLAGS,
  name: '',
  status: 'active',
  autoRefresh: true,
  outreach: null,
  dailyPacingLimit: null,
  priceMin: null,
  priceMax: null,
  modelYearMin: null,
  modelYearMax: null,
  mileageMin: null,
  mileageMax: null,
};

/** Cross-field rules, on the hunt as it will be stored (after a PATCH is merged). */
export function checkHunt(h: HuntSettings, sms?: SmsRules) {
  const ranges: Array<[keyof HuntSettings, keyof HuntSettings]> = [
    ['priceMin', 'priceMax'],
    ['modelYearMin', 'modelYearMax'],
    ['mileageMin', 'mileageMax'],
  ];
  for (const [min, max] of ranges) {
    const lo = h[min] as number | null;
    const hi = h[max] as number | null;
    if (lo !== null && hi !== null && lo > hi)
      throw new ValidationError(`body/${String(min)}`, `must be less than or equal to ${String(max)} (${lo} > ${hi})`);
  }
  if (h.outreach) checkOutreach(h.outreach, sms);
  if (h.contactHours) {
    const problem = contactHoursProblem(h.contactHours);
    if (problem) throw new ValidationError(`body/contactHours/${problem[0]}`, problem[1]);
  }
  const blank = (list: string[], field: string) => {
    const i = list.findIndex((s) => s.trim() === '');
    if (i >= 0) throw new ValidationError(`body/${field}/${i}`, 'must not be blank');
  };
  blank(h.brands, 'brands');
  blank(h.subTypes, 'subTypes');
  blank(h.keywords, 'keywords');
  blank(h.excludedKeywords, 'excludedKeywords');
}

/**
 * Every brand of the hunt is one LeBonCoin knows for its ad type (src/domain/leboncoinBrands.json): a
 * typo is refused naming the brand's field and the closest known brand, instead of matching nothing.
 */
export function checkBrands(h: Pick<HuntSettings, 'adType' | 'brands'>) {
  for (const [i, brand] of h.brands.entries()) {
    const verdict = checkBrand(h.adType, brand);
    if (verdict.known) continue;
    throw new ValidationError(
      `body/brands/${i}`,
      `"${brand}" is not a brand LeBonCoin knows for ${h.adType}; ${
        verdict.suggestion ? `did you mean ${verdict.suggestion}?` : 'see src/domain/leboncoinBrands.json for the list'
      }`,
    );
  }
}

/** An outreach as its channel needs it: a text template (sms, leboncoin), an approved template (whatsapp). */
function checkOutreach(o: Outreach, sms: SmsRules | undefined) {
  const whatsapp = o.channel === 'whatsapp';
  if (!whatsapp && o.template === undefined)
    throw new ValidationError('body/outreach/template', `is required for the ${o.channel} channel`);
  if (whatsapp && o.contentSid === undefined)
    throw new ValidationError(
      'body/outreach/contentSid',
      "is required for the whatsapp channel: WhatsApp takes only an approved template (its Content SID at Twilio, HX…) from a business outside the 24 hours after the person's last message, and every first contact is outside them",
    );
  if (!whatsapp)
    for (const field of ['contentSid', 'contentVariables', 'fallback'] as const)
      if (o[field] !== undefined)
        throw new ValidationError(`body/outreach/${field}`, 'is for the whatsapp channel only');
  if (o.fallback === 'sms' && o.template === undefined)
    throw new ValidationError(
      'body/outreach/template',
      'is required with fallback "sms": it is the text of the SMS a seller not on WhatsApp gets',
    );
  if (o.template !== undefined) {
    const unknown = unknownTemplateVariables(o.template);
    if (unknown.length > 0) {
      throw new ValidationError(
        'body/outreach/template',
        `uses unknown variables ${unknown.map((v) => `{{${v}}}`).join(', ')}; known: ${KNOWN_VARIABLES}`,
      );
    }
  }
  for (const [key, value] of Object.entries(o.contentVariables ?? {})) {
    const unknown = unknownTemplateVariables(value);
    if (unknown.length > 0)
      throw new ValidationError(
        `body/outreach/contentVariables/${key}`,
        `uses unknown variables ${unknown.map((v) => `{{${v}}}`).join(', ')}; known: ${KNOWN_VARIABLES}`,
      );
  }
  const smsText = o.channel === 'sms' || o.fallback === 'sms' ? o.template : undefined;
  if (sms && smsText !== undefined) {
    const longest = longestSegments(smsText, sms.optOutMention);
    if (longest.segments > sms.maxSegments) {
      const why =
        longest.encoding === 'UCS-2'
          ? `UCS-2, 70 characters a segment, because of ${longest.nonGsm.map((c) => `"${c}"`).join(' ')}`
          : 'GSM-7';
      throw new ValidationError(
        'body/outreach/template',
        `needs ${longest.segments} SMS segments at its longest (${longest.characters} characters with the sender's name and the STOP mention, ${why}); at most ${sms.maxSegments} (SMS_MAX_SEGMENTS)`,
      );
    }
  }
}

const KNOWN_VARIABLES = '{{titre_annonce}}, {{prix}}, {{marque}}, {{modele}}, {{annee}}, {{ville}}, {{vendeur_nom}}';
