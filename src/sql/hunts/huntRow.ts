// The hunts table's row: its columns, the mapping to and from the domain's Hunt, and the order
// "oldest first" (created_at, id) that src/domain/huntAge.ts defines for the domain.
import type { Channel, ContactHours, Hunt, HuntSettings, Outreach } from '../../domain/types.js';

export interface HuntRow {
  id: string;
  account_id: string;
  name: string;
  ad_type: string;
  sub_types: string[];
  brands: string[];
  location_label: string;
  zipcode: string;
  lat: number;
  lng: number;
  radius_km: number;
  price_min: number | null;
  price_max: number | null;
  model_year_min: number | null;
  model_year_max: number | null;
  mileage_min: number | null;
  mileage_max: number | null;
  owner_types: string[];
  keywords: string[];
  excluded_keywords: string[];
  is_urgent: boolean;
  has_been_reposted: boolean;
  price_has_dropped: boolean;
  has_been_boosted: boolean;
  is_low_price: boolean;
  status: 'active' | 'paused';
  auto_refresh: boolean;
  outreach_channel: string | null;
  outreach_template: string | null;
  outreach_content_sid: string | null;
  outreach_content_variables: Record<string, string> | null;
  outreach_fallback: 'sms' | null;
  daily_pacing_limit: number | null;
  contact_hours: ContactHours | null;
  last_scan_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at?: Date | null;
  /** The writer's transaction (migration 016): read, never written by the service. */
  change_xid?: string;
}

/** Every column a hunt is written with, and its PostgreSQL type (for bulk loads with jsonb_to_recordset). */
export const HUNT_COLUMNS: Record<Exclude<keyof HuntRow, 'deleted_at' | 'change_xid'>, string> = {
  id: 'uuid',
  account_id: 'uuid',
  name: 'text',
  ad_type: 'text',
  sub_types: 'text[]',
  brands: 'text[]',
  location_label: 'text',
  zipcode: 'text',
  lat: 'float8',
  lng: 'float8',
  radius_km: 'int',
  price_min: 'int',
  price_max: 'int',
  model_year_min: 'int',
  model_year_max: 'int',
  mileage_min: 'int',
  mileage_max: 'int',
  owner_types: 'text[]',
  keywords: 'text[]',
  excluded_keywords: 'text[]',
  is_urgent: 'bool',
  has_been_reposted: 'bool',
  price_has_dropped: 'bool',
  has_been_boosted: 'bool',
  is_low_price: 'bool',
  status: 'text',
  auto_refresh: 'bool',
  outreach_channel: 'text',
  outreach_template: 'text',
  outreach_content_sid: 'text',
  outreach_content_variables: 'jsonb',
  outreach_fallback: 'text',
  daily_pacing_limit: 'int',
  contact_hours: 'jsonb',
  last_scan_at: 'timestamptz',
  version: 'int',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/** ORDER BY for "oldest first", the order of compareAge in src/domain/huntAge.ts. */
export const OLDEST_FIRST = [{ column: 'created_at' }, { column: 'id' }];

export function huntFromRow(r: HuntRow): Hunt {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    adType: r.ad_type,
    subTypes: r.sub_types,
    brands: r.brands,
    location: { label: r.location_label, zipcode: r.zipcode, lat: r.lat, lng: r.lng },
    radiusKm: r.radius_km,
    priceMin: r.price_min,
    priceMax: r.price_max,
    modelYearMin: r.model_year_min,
    modelYearMax: r.model_year_max,
    mileageMin: r.mileage_min,
    mileageMax: r.mileage_max,
    ownerTypes: r.owner_types as Hunt['ownerTypes'],
    keywords: r.keywords,
    excludedKeywords: r.excluded_keywords,
    isUrgent: r.is_urgent,
    hasBeenReposted: r.has_been_reposted,
    priceHasDropped: r.price_has_dropped,
    hasBeenBoosted: r.has_been_boosted,
    isLowPrice: r.is_low_price,
    status: r.status,
    autoRefresh: r.auto_refresh,
    outreach: outreachFromRow(r),
    dailyPacingLimit: r.daily_pacing_limit,
    contactHours: r.contact_hours,
    lastScanAt: r.last_scan_at,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The outreach of a row: a channel with its text template, or (WhatsApp) its approved template. */
function outreachFromRow(r: HuntRow): Outreach | null {
  if (!r.outreach_channel || (!r.outreach_template && !r.outreach_content_sid)) return null;
  return {
    channel: r.outreach_channel as Channel,
    ...(r.outreach_template !== null ? { template: r.outreach_template } : {}),
    ...(r.outreach_content_sid !== null ? { contentSid: r.outreach_content_sid } : {}),
    ...(r.outreach_content_variables !== null ? { contentVariables: r.outreach_content_variables } : {}),
    ...(r.outreach_fallback !== null ? { fallback: r.outreach_fallback } : {}),
  };
}

export function rowFromSettings(h: HuntSettings) {
  return {
    name: h.name,
    ad_type: h.adType,
    sub_types: h.subTypes,
    brands: h.brands,
    location_label: h.location.label,
    zipcode: h.location.zipcode,
    lat: h.location.lat,
    lng: h.location.lng,
    radius_km: h.radiusKm,
    price_min: h.priceMin,
    price_max: h.priceMax,
    model_year_min: h.modelYearMin,
    model_year_max: h.modelYearMax,
    mileage_min: h.mileageMin,
    mileage_max: h.mileageMax,
    owner_types: h.ownerTypes,
    keywords: h.keywords,
    excluded_keywords: h.excludedKeywords,
    is_urgent: h.isUrgent,
    has_been_reposted: h.hasBeenReposted,
    price_has_dropped: h.priceHasDropped,
    has_been_boosted: h.hasBeenBoosted,
    is_low_price: h.isLowPrice,
    status: h.status,
    auto_refresh: h.autoRefresh,
    outreach_channel: h.outreach?.channel ?? null,
    outreach_template: h.outreach?.template ?? null,
    outreach_content_sid: h.outreach?.contentSid ?? null,
    outreach_content_variables: h.outreach?.contentVariables ?? null,
    outreach_fallback: h.outreach?.fallback ?? null,
    daily_pacing_limit: h.dailyPacingLimit,
    // pg writes an object as JSON (jsonb), null as NULL.
    contact_hours: h.contactHours,
  };
}

/** A whole row from a Hunt (bulk loads). */
export const rowFromHunt = (h: Hunt) => ({
  id: h.id,
  account_id: h.accountId,
  ...rowFromSettings(h),
  last_scan_at: h.lastScanAt,
  version: h.version,
  created_at: h.createdAt,
  updated_at: h.updatedAt,
});
