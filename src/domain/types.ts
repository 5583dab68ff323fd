// The words of docs/ARCHITECTURE.md section 1, as types (and the fields of an ad that matching reads).
// Pure: it imports only the domain. The events carry the same Ad (src/events/adSnapshot.ts); the
// other event types (src/events/types.generated.ts) are mapped to and from these at the edge.
import type { ContactHours } from './contactHours.js';

export type { ContactHours };

export const AD_TYPES = ['voitures', 'motos', 'utilitaires', 'caravaning', 'camping-cars', 'equipement-auto'] as const;
export const OWNER_TYPES = ['private', 'pro'] as const;
export const CHANNELS = ['sms', 'whatsapp', 'leboncoin'] as const;
export const HUNT_STATUSES = ['active', 'paused'] as const;
export const LEAD_STAGES = ['nouveau', 'contacte', 'relance', 'negociation', 'gagne', 'perdu'] as const;
export const CONTACT_REASONS = [
  'no_outreach',
  'no_phone',
  'not_mobile',
  'refuses_salesmen',
  'opted_out',
  'already_contacted',
  'pacing',
  'no_sender_identity',
] as const;

export type OwnerType = (typeof OWNER_TYPES)[number];
export type Channel = (typeof CHANNELS)[number];
export type HuntStatus = (typeof HUNT_STATUSES)[number];
export type ContactReason = (typeof CONTACT_REASONS)[number];

export interface HuntLocation {
  label: string;
  zipcode: string;
  lat: number;
  lng: number;
}

/** The five flags of an ad; on a hunt, true means the ad must have it and false sets no constraint. */
export interface AdFlags {
  isUrgent: boolean;
  hasBeenReposted: boolean;
  priceHasDropped: boolean;
  hasBeenBoosted: boolean;
  isLowPrice: boolean;
}

/** No flag: what an ad or a hunt that says nothing of them has. */
export const NO_FLAGS: AdFlags = {
  isUrgent: false,
  hasBeenReposted: false,
  priceHasDropped: false,
  hasBeenBoosted: false,
  isLowPrice: false,
};

/** What an ad must satisfy (docs/ARCHITECTURE.md section 2). Empty lists and null bounds set no constraint. */
export interface HuntCriteria extends AdFlags {
  adType: string;
  subTypes: string[];
  brands: string[];
  location: HuntLocation;
  /** 0 means "the same zipcode". */
  radiusKm: number;
  priceMin: number | null;
  priceMax: number | null;
  modelYearMin: number | null;
  modelYearMax: number | null;
  mileageMin: number | null;
  mileageMax: number | null;
  ownerTypes: OwnerType[];
  keywords: string[];
  excludedKeywords: string[];
}

/**
 * How a hunt's leads are contacted. sms and leboncoin: `template`, the text. whatsapp: `contentSid`
 * and `contentVariables`, an approved template (the first message to a seller is business-initiated,
 * and WhatsApp takes nothing else then); `template`, when given, is the free text a seller who wrote
 * within the last 24 hours gets instead, and with `fallback: 'sms'` the SMS a seller WhatsApp cannot
 * reach gets.
 */
export interface Outreach {
  channel: Channel;
  template?: string;
  contentSid?: string;
  /** Twilio's numbered variables ("1", "2" …), each written with the template variables. */
  contentVariables?: Record<string, string>;
  fallback?: 'sms';
}

/** The settable part of a hunt, with every default filled in. */
export type HuntSettings = Omit<Hunt, 'id' | 'accountId' | 'version' | 'createdAt' | 'updatedAt' | 'lastScanAt'>;

export interface Hunt extends HuntCriteria {
  id: string;
  accountId: string;
  name: string;
  status: HuntStatus;
  autoRefresh: boolean;
  outreach: Outreach | null;
  dailyPacingLimit: number | null;
  /** When its messages may be sent (local time in TICK_TIME_ZONE); null: at any time. */
  contactHours: ContactHours | null;
  lastScanAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A classified ad as stored after ingestion (docs/ARCHITECTURE.md section 1). Times are UTC epoch milliseconds. */
export interface Ad extends AdFlags {
  adId: string;
  source: string;
  externalId: string;
  url: string | null;
  title: string;
  description: string;
  /** Whole euros. */
  price: number | null;
  adType: string;
  subType: string | null;
  brand: string | null;
  model: string | null;
  modelYear: number | null;
  mileageKm: number | null;
  fuel: string | null;
  gearbox: string | null;
  zipcode: string | null;
  city: string | null;
  department: string | null;
  lat: number | null;
  lng: number | null;
  ownerName: string | null;
  ownerType: string | null;
  /** E.164, when known. */
  phone: string | null;
  /** False when the seller refuses solicitation. */
  acceptSalesmen: boolean;
  pictures: string[];
  firstPublishedAt: number | null;
  lastPublishedAt: number | null;
  scrapedAt: number;
}

/** An ad before ingestion gives it its id (validated, normalised: src/producers/ads/adInput.ts). */
export type NewAd = Omit<Ad, 'adId'>;

/** The fields the matching rules read (docs/ARCHITECTURE.md section 2), in a fixed order: a re-scrape that changes none of them is no AdScraped. */
export const matchingFieldsOf = (ad: NewAd): unknown[] => [
  ad.title,
  ad.description,
  ad.price,
  ad.adType,
  ad.subType,
  ad.brand,
  ad.model,
  ad.modelYear,
  ad.mileageKm,
  ad.zipcode,
  ad.lat,
  ad.lng,
  ad.ownerType,
  ad.isUrgent,
  ad.hasBeenReposted,
  ad.priceHasDropped,
  ad.hasBeenBoosted,
  ad.isLowPrice,
];
