// From one Lobstr LeBonCoin result to the ad shape of POST /v1/ads (AdInput). Pure, and never throws:
// a result that cannot be mapped says which field is at fault, so the importer can count it and move on.
// What a value of the result reads as (numbers as strings, Python booleans, wall-clock times) is
// src/importer/resultValues.ts; the page a result comes in, src/importer/resultsPage.ts.
//
// Lobstr's documentation (https://docs.lobstr.io/examples/leboncoin-listings-search-export/get-results) is
// the authority on a result's fields. `id` is Lobstr's hash of the result, NOT the listing id (annonce_id).
// details/more_details are documented as strings but arrive as objects in practice, so an object, a list of
// {label|key, value|value_label} or JSON text are all accepted, and the price fields are read at the top
// level or in more_details. Only the "Listings & Phone" scraper returns phones; without them no seller can
// be contacted by SMS or WhatsApp (the importer warns: src/importer/phoneReport.ts).
import { departmentOf } from '../domain/department.js';
import { normalizeText } from '../domain/normalize.js';
import { canReceiveSms } from '../domain/phone.js';
import { AD_TYPES, type OwnerType } from '../domain/types.js';
import type { AdInput } from '../producers/ads/adInput.js';
import {
  clip,
  coordinates,
  flag,
  httpUrls,
  httpUrl,
  isObject,
  optionalFlag,
  parisInstant,
  parseJsonText,
  phoneNumber,
  postalCode,
  text,
  utcInstant,
  wholeNumber,
  word,
} from './resultValues.js';

/**
 * Lobstr's "Listings & Phone" scraper says whether the number is a mobile (`is_mobile`); libphonenumber
 * says so too, and decides (the ad carries the phone, and the matcher asks libphonenumber). Both
 * answers are kept when both exist, so that the importer can report where they differ.
 */
export interface PhoneCheck {
  lobstrSaysMobile: boolean;
  libphonenumberSaysMobile: boolean;
}

export type MappedResult =
  { ok: true; ad: AdInput; phoneCheck: PhoneCheck | null } | { ok: false; id: string | null; reason: string };

type Raw = Record<string, unknown>;

const MAX_PRICE = 100_000_000;
const MAX_MILEAGE = 10_000_000;

export function mapLobstrResult(result: unknown): MappedResult {
  try {
    return mapUnsafe(result);
  } catch (error) {
    // Nothing above should throw; a result built to trip it (a throwing getter...) must not stop a run.
    const id = isObject(result) ? safeId(result) : null;
    return {
      ok: false,
      id,
      reason: `result could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function mapUnsafe(result: unknown): MappedResult {
  if (!isObject(result) || Array.isArray(result)) return { ok: false, id: null, reason: 'result is not an object' };
  const r = result;
  // Lobstr's `id` is the hash of the result row, not the listing: only annonce_id identifies the ad.
  const rawId = text(r.annonce_id);
  if (rawId === null) return { ok: false, id: null, reason: 'annonce_id is missing' };
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(rawId))
    return { ok: false, id: null, reason: `annonce_id ${JSON.stringify(rawId.slice(0, 40))} is not a listing id` };
  const id = rawId;
  const fail = (reason: string): MappedResult => ({ ok: false, id, reason });

  const title = text(r.title, 500);
  if (title === null) return fail('title is missing');
  const category = text(r.category_name);
  if (category === null) return fail('category_name is missing');
  const adType = adTypeOfCategory(category);
  if (adType === null)
    return fail(`category_name ${JSON.stringify(category)} is not an ad type we handle (${AD_TYPES.join(', ')})`);

  const details = readDetails(r.details, r.more_details);
  const price = wholeNumber(r.price, MAX_PRICE);
  const oldPrice = wholeNumber(r.old_price ?? details.get('old price'), MAX_PRICE);
  const zipcode = postalCode(r.postal_code ?? r.zipcode);
  const [lat, lng] = coordinates(r.lat, r.lng);
  const first = parisInstant(r.first_publication_date);
  const last = parisInstant(r.last_publication_date);

  const ad: AdInput = {
    source: 'leboncoin',
    externalId: id,
    url: httpUrl(r.url),
    title,
    description: text(r.description, 20_000),
    price,
    adType,
    ...vehicleOf(details),
    zipcode,
    city: text(r.city, 200),
    department: departmentOf(zipcode),
    lat,
    lng,
    ownerName: text(r.owner_name, 200),
    ownerType: ownerTypeOf(r.owner_type),
    phone: phoneNumber(r.phone),
    acceptSalesmen: !flag(r.no_salesmen),
    isUrgent: flag(r.urgent),
    hasBeenReposted: first !== null && last !== null && first !== last,
    priceHasDropped: price !== null && oldPrice !== null && price < oldPrice,
    hasBeenBoosted: flag(r.is_boosted),
    isLowPrice: isLowPrice(r, details, price),
    pictures: httpUrls(r.pictures, 100),
    firstPublishedAt: first,
    lastPublishedAt: last,
    // Lobstr's own timestamps (runs, webhooks) are UTC; absent or unreadable, ingestion stamps its own time.
    scrapedAt: utcInstant(r.scraping_time),
  };
  return { ok: true, ad, phoneCheck: phoneCheckOf(r, ad.phone ?? null) };
}

/** The car itself, as the details describe it. */
function vehicleOf(
  details: Map<string, string>,
): Pick<AdInput, 'subType' | 'brand' | 'model' | 'modelYear' | 'mileageKm' | 'fuel' | 'gearbox'> {
  const modelYear = wholeNumber(pick(details, 'annee modele', 'regdate'));
  return {
    subType: clip(pick(details, 'type de vehicule', 'type', 'vehicle type'), 100),
    brand: clip(pick(details, 'marque', 'brand'), 100),
    model: clip(pick(details, 'modele', 'model'), 100),
    modelYear: modelYear !== null && modelYear >= 1900 && modelYear <= 2100 ? modelYear : null,
    mileageKm: wholeNumber(pick(details, 'kilometrage', 'mileage'), MAX_MILEAGE),
    // more_details carries LeBonCoin's codes for these ("1", "2"): only a word is worth keeping.
    fuel: clip(pick(details, 'carburant', 'energie') ?? word(details.get('fuel')), 50),
    gearbox: clip(pick(details, 'boite de vitesse', 'boite de vitesses') ?? word(details.get('gearbox')), 50),
  };
}

/** Below the lower third of LeBonCoin's price band for this car; no band, no claim. */
function isLowPrice(r: Raw, details: Map<string, string>, price: number | null): boolean {
  const bandMin = wholeNumber(r.car_price_min ?? details.get('car price min'), MAX_PRICE);
  const bandMax = wholeNumber(r.car_price_max ?? details.get('car price max'), MAX_PRICE);
  return (
    price !== null &&
    bandMin !== null &&
    bandMax !== null &&
    bandMax >= bandMin &&
    price < bandMin + (bandMax - bandMin) / 3
  );
}

function phoneCheckOf(r: Raw, phone: string | null): PhoneCheck | null {
  const lobstrSaysMobile = optionalFlag(r.is_mobile);
  return phone !== null && lobstrSaysMobile !== null
    ? { lobstrSaysMobile, libphonenumberSaysMobile: canReceiveSms(phone) }
    : null;
}

/** The fields a result carries (whatever their values), and whether it carries a phone number at all. */
export function describeResult(result: unknown): { fields: string[]; hasPhone: boolean } {
  if (!isObject(result) || Array.isArray(result)) return { fields: [], hasPhone: false };
  try {
    return { fields: Object.keys(result), hasPhone: text(result.phone) !== null };
  } catch {
    return { fields: [], hasPhone: false };
  }
}

/** "Voitures" -> voitures, "Équipement auto" -> equipement-auto, "Camping-cars" -> camping-cars; else null. */
export function adTypeOfCategory(category: string): string | null {
  const slug = normalizeText(category).replace(/ /g, '-');
  const known = CATEGORY_ALIASES[slug] ?? slug;
  return (AD_TYPES as readonly string[]).includes(known) ? known : null;
}

const CATEGORY_ALIASES: Record<string, string> = {
  voiture: 'voitures',
  moto: 'motos',
  utilitaire: 'utilitaires',
  'camping-car': 'camping-cars',
  'equipements-auto': 'equipement-auto',
};

/** details and more_details, keyed by normalised label ("Boîte de vitesse" -> "boite de vitesse"); details win. */
function readDetails(details: unknown, moreDetails: unknown): Map<string, string> {
  const values = new Map<string, string>();
  const put = (label: unknown, value: unknown) => {
    const l = text(label);
    const v = text(value);
    if (l !== null && v !== null && !values.has(normalizeText(l))) values.set(normalizeText(l), v);
  };
  for (const source of [details, moreDetails].map(parseJsonText)) {
    if (Array.isArray(source)) {
      for (const item of source) {
        if (!isObject(item)) continue;
        const value = item.value_label ?? item.value;
        for (const label of [item.label, item.key_label, item.name, item.key]) put(label, value);
      }
    } else if (isObject(source)) {
      for (const [label, value] of Object.entries(source)) put(label, value);
    }
  }
  return values;
}

const pick = (details: Map<string, string>, ...labels: string[]): string | null => {
  for (const label of labels) {
    const v = details.get(label);
    if (v !== undefined) return v;
  }
  return null;
};

function safeId(r: Raw): string | null {
  try {
    return text(r.annonce_id);
  } catch {
    return null;
  }
}

function ownerTypeOf(v: unknown): OwnerType | null {
  const s = text(v);
  if (s === null) return null;
  const t = normalizeText(s);
  if (['private', 'particulier', 'part'].includes(t)) return 'private';
  if (['pro', 'professionnel', 'professional', 'professionel'].includes(t)) return 'pro';
  return null;
}
