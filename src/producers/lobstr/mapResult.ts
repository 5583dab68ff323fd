// From a Lobstr LeBonCoin result to the ad shape of POST /v1/ads. Pure, and never throws: a result
// that cannot be mapped says why, so the importer can count it and move on.
//
// Lobstr's results endpoint (GET /v1/results?run=&page=&page_size=) answers
//   { "count": <results in the run>, "page": n, "limit": page_size, "total_pages": n, "data": [ ... ] }
// (as read by public clients of api.lobstr.io, e.g. Capitalead's LobstrService); the parser below also
// accepts `results` for the list and `total_results` for the count, and computes missing page counts.
import { zonedToInstant } from '../../domain/calendar.js';
import { normalizeText } from '../../domain/normalize.js';
import { AD_TYPES } from '../../domain/types.js';
import type { AdInput } from '../ads/adInput.js';
import { departmentOf } from '../ads/ingestAds.js';

export type Mapped = { ok: true; ad: AdInput } | { ok: false; id: string | null; reason: string };

type Raw = Record<string, unknown>;

const DETAIL_LABELS = {
  brand: ['marque'],
  model: ['modele'],
  modelYear: ['annee modele', 'annee'],
  mileageKm: ['kilometrage'],
  fuel: ['carburant', 'energie'],
  gearbox: ['boite de vitesse', 'boite de vitesses'],
  subType: ['type de vehicule', 'type'],
} as const;

export function parseResultsPage(body: unknown): { results: unknown[]; totalPages: number | null; totalResults: number | null } {
  const b = (body && typeof body === 'object' ? body : {}) as Raw;
  const list = Array.isArray(b.data) ? b.data : Array.isArray(b.results) ? b.results : Array.isArray(body) ? (body as unknown[]) : [];
  const totalResults = toInt(b.total_results ?? b.count ?? b.total);
  const limit = toInt(b.limit ?? b.page_size);
  const totalPages = toInt(b.total_pages ?? b.num_pages) ?? (totalResults !== null && limit ? Math.ceil(totalResults / limit) : null);
  return { results: list, totalPages, totalResults };
}

export function mapLobstrResult(result: unknown): Mapped {
  if (!result || typeof result !== 'object') return { ok: false, id: null, reason: 'result is not an object' };
  const r = result as Raw;
  const id = text(r.annonce_id ?? r.id);
  if (!id) return { ok: false, id: null, reason: 'annonce_id is missing' };
  const fail = (reason: string): Mapped => ({ ok: false, id, reason });

  const title = text(r.title);
  if (!title) return fail('title is missing');
  const category = text(r.category_name);
  const adType = category ? normalizeText(category).replace(/ /g, '-') : null;
  if (!adType || !(AD_TYPES as readonly string[]).includes(adType)) return fail(`category_name ${JSON.stringify(category)} is not a known ad type`);

  const details = readDetails(r.details, r.more_details);
  const price = toInt(r.price);
  const oldPrice = toInt(r.old_price);
  const bandMin = toInt(r.car_price_min);
  const bandMax = toInt(r.car_price_max);
  const lat = toFloat(r.lat);
  const lng = toFloat(r.lng);
  const located = lat !== null && lng !== null && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  const firstText = text(r.first_publication_date);
  const lastText = text(r.last_publication_date);
  const first = firstText ? zonedToInstant(firstText, 'Europe/Paris') : null;
  const last = lastText ? zonedToInstant(lastText, 'Europe/Paris') : null;
  const zipcode = text(r.postal_code ?? r.zipcode);
  const validZip = zipcode && /^\d{5}$/.test(zipcode) ? zipcode : null;
  const modelYear = toInt(details.modelYear);

  return {
    ok: true,
    ad: {
      source: 'leboncoin',
      externalId: id,
      url: text(r.url),
      title: title.slice(0, 500),
      description: text(r.description) ?? '',
      price,
      adType,
      subType: details.subType,
      brand: details.brand ?? text(r.brand),
      model: details.model ?? text(r.model),
      modelYear: modelYear !== null && modelYear >= 1900 && modelYear <= 2100 ? modelYear : null,
      mileageKm: toInt(details.mileageKm),
      fuel: details.fuel,
      gearbox: details.gearbox,
      zipcode: validZip,
      city: text(r.city),
      department: departmentOf(validZip),
      lat: located ? lat : null,
      lng: located ? lng : null,
      ownerName: text(r.owner_name),
      ownerType: ownerTypeOf(r.owner_type),
      phone: toE164(r.phone),
      acceptSalesmen: !truthy(r.no_salesmen),
      isUrgent: truthy(r.urgent),
      hasBeenReposted: first !== null && last !== null && first.getTime() !== last.getTime(),
      priceHasDropped: price !== null && oldPrice !== null && price < oldPrice,
      hasBeenBoosted: truthy(r.is_boosted),
      // Below the lower third of LeBonCoin's price band for this car.
      isLowPrice: price !== null && bandMin !== null && bandMax !== null && bandMax > bandMin && price < bandMin + (bandMax - bandMin) / 3,
      pictures: pictures(r.pictures),
      firstPublishedAt: first?.toISOString() ?? null,
      lastPublishedAt: last?.toISOString() ?? null,
    },
  };
}

function readDetails(...sources: unknown[]) {
  const values = new Map<string, string>();
  // details wins over more_details: read more_details first, then overwrite.
  for (const source of [...sources].reverse()) {
    if (Array.isArray(source)) {
      for (const item of source) {
        if (!item || typeof item !== 'object') continue;
        const i = item as Raw;
        const label = text(i.label ?? i.key ?? i.name);
        const value = text(i.value ?? i.value_label);
        if (label && value) values.set(normalizeText(label), value);
      }
    } else if (source && typeof source === 'object') {
      for (const [label, value] of Object.entries(source as Raw)) {
        const v = text(value);
        if (v) values.set(normalizeText(label), v);
      }
    }
  }
  const get = (labels: readonly string[]) => labels.map((l) => values.get(l)).find((v) => v !== undefined) ?? null;
  return {
    brand: get(DETAIL_LABELS.brand),
    model: get(DETAIL_LABELS.model),
    modelYear: get(DETAIL_LABELS.modelYear),
    mileageKm: get(DETAIL_LABELS.mileageKm),
    fuel: get(DETAIL_LABELS.fuel),
    gearbox: get(DETAIL_LABELS.gearbox),
    subType: get(DETAIL_LABELS.subType),
  };
}

function text(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** 12500, "12500", "12 500 €", "68 000 km" -> integers; anything else -> null. */
function toInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const digits = v.replace(/[\s\u00a0\u202f.]/g, '').replace(/(€|eur|km)$/i, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(digits)) return null;
  return Math.round(Number(digits));
}

function toFloat(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim().replace(',', '.')) : NaN;
  return Number.isFinite(n) && !(typeof v === 'string' && v.trim() === '') ? n : null;
}

const truthy = (v: unknown) => v === true || v === 1 || (typeof v === 'string' && ['true', '1', 'yes', 'oui'].includes(v.trim().toLowerCase()));

function ownerTypeOf(v: unknown): 'private' | 'pro' | null {
  const s = text(v)?.toLowerCase();
  if (!s) return null;
  if (['private', 'particulier', 'part'].includes(s)) return 'private';
  if (['pro', 'professionnel', 'professional', 'professionel'].includes(s)) return 'pro';
  return null;
}

/** French numbers to E.164: "06 12 34 56 78", "+33 6 12...", "0033 6..." -> +33612345678. */
export function toE164(v: unknown): string | null {
  const raw = text(v);
  if (!raw) return null;
  let s = raw.replace(/[\s.\-()]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (/^0[1-9]\d{8}$/.test(s)) s = `+33${s.slice(1)}`;
  return /^\+[1-9]\d{6,14}$/.test(s) ? s : null;
}

function pictures(v: unknown): string[] {
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
  return list.map((p) => p.trim()).filter((p) => /^https?:\/\//.test(p)).slice(0, 100);
}
