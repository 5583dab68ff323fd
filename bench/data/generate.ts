// A seeded generator of hunts and ads with the shape of the real thing (same seed, same data):
//   - places: real French communes (bench/data/places.json), ads weighted by population, spread a few
//     kilometres around the town centre; dealers (accounts) sit in towns too;
//   - vehicles: brands and models weighted like the French used market (cars.ts); year, mileage and
//     price correlated (older means more kilometres and a lower price, with noise); "low price" ads
//     are the ones priced well under their expected price;
//   - hunts: accounts of a few to a few dozen hunts around their town, mostly 20-150 km, on the
//     brands the dealer specialises in, often one model (a keyword), a year floor, a price ceiling;
//     a few hunts are radius 0 (same postal code) and a few are broad (all of France, often no brand).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ad, Channel, Hunt, Outreach, OwnerType } from '../../src/domain/types.js';
import type { AdInput } from '../../src/producers/ads/adInput.js';
import {
  AD_TYPE_MIX,
  BAIT_PHRASES,
  DESCRIPTION_PHRASES,
  FIRST_NAMES,
  GARAGE_WORDS,
  OUTREACH_TEMPLATES,
  type Brand,
  type Model,
} from './cars.js';
import { seededRandom, subSeed, weightedPicker, type Random } from '../../testkit/random.js';
import { WORLDS, type HuntWorld } from './worlds.js';

export interface Place {
  inseeCode: string;
  name: string;
  department: string;
  postalCodes: string[];
  lat: number;
  lng: number;
  population: number;
}

export const PLACES: Place[] = (
  JSON.parse(readFileSync(fileURLToPath(new URL('./places.json', import.meta.url)), 'utf8')) as { places: Place[] }
).places;

const DAY_MS = 86_400_000;
/** French mobile ranges (06 and 07 as libphonenumber knows them: 070 to 072 are not allocated), two digits each. */
const MOBILE_PREFIXES = ['60', '61', '62', '64', '65', '66', '67', '68', '73', '74', '75', '76', '77', '78', '79'];
const KM_PER_DEGREE = 111.32;

// Car ads are less concentrated than people (Parisians own fewer cars): population^0.8.
const pickAdPlace = weightedPicker(PLACES, (p) => p.population ** 0.8);
const pickDealerPlace = weightedPicker(PLACES, (p) => p.population ** 0.6);
const pickAdType = weightedPicker(AD_TYPE_MIX, (t) => t.weight);
const brandPickers = new Map<string, (r: Random) => Brand>(
  AD_TYPE_MIX.map((t) => [t.adType, weightedPicker(t.brands, (b) => b.weight)]),
);
const modelPickers = new Map<Brand, (r: Random) => Model>();
const pickModel = (brand: Brand, r: Random) => {
  let p = modelPickers.get(brand);
  if (!p) modelPickers.set(brand, (p = weightedPicker(brand.models, (m) => m.weight)));
  return p(r);
};
const pickRadius = weightedPicker(
  [
    { km: 20, w: 8 },
    { km: 30, w: 14 },
    { km: 40, w: 8 },
    { km: 50, w: 28 },
    { km: 75, w: 14 },
    { km: 100, w: 18 },
    { km: 150, w: 10 },
  ],
  (x) => x.w,
);
const pickHuntAdType = weightedPicker(
  [
    { adType: 'voitures', w: 88 },
    { adType: 'utilitaires', w: 9 },
    { adType: 'motos', w: 3 },
  ],
  (x) => x.w,
);

const brandsOf = (adType: string): readonly Brand[] => AD_TYPE_MIX.find((t) => t.adType === adType)!.brands;

/** A point within `km` of a place, uniform over the disc. */
function around(r: Random, place: Place, km: number) {
  const d = km * Math.sqrt(r.next());
  const angle = r.uniform(0, 2 * Math.PI);
  const lat = place.lat + (d * Math.cos(angle)) / KM_PER_DEGREE;
  const lng = place.lng + (d * Math.sin(angle)) / (KM_PER_DEGREE * Math.cos((place.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e5) / 1e5, lng: Math.round(lng * 1e5) / 1e5 };
}

const roundTo = (value: number, step: number) => Math.max(step, Math.round(value / step) * step);

/** The price a model of this age and mileage goes for (before the seller's own noise). */
function expectedPrice(model: Model, age: number, mileageKm: number, adType: string) {
  const perKm = adType === 'motos' ? 150_000 : adType === 'utilitaires' ? 900_000 : 600_000;
  return model.newPrice * 0.86 ** age * (1 - Math.min(0.5, mileageKm / perKm));
}

export interface AdOptions {
  now: Date;
  /** Ads were scraped within this many days before `now`. */
  windowDays: number;
  /** External ids are consecutive from here (keep sets of one run apart). */
  externalIdBase: number;
}

export function generateAds(seed: number, count: number, options: AdOptions): Ad[] {
  const r = seededRandom(subSeed(seed, 'ads'));
  const year = options.now.getUTCFullYear();
  const ads: Ad[] = [];
  for (let i = 0; i < count; i++) {
    const type = pickAdType(r);
    const brand = brandPickers.get(type.adType)!(r);
    const model = pickModel(brand, r);
    let age = Math.min(22, Math.round(r.logNormal(Math.log(6.5), 0.6)) - 1);
    if (age < 0) age = 0;
    let modelYear = year - age;
    if (modelYear < model.since) modelYear = Math.min(year, model.since + r.int(0, 3));
    age = year - modelYear;
    const kmPerYear = type.adType === 'motos' ? 4000 : type.adType === 'utilitaires' ? 22_000 : 13_000;
    const mileageKm = Math.round(Math.max(0.3, age + 0.5) * kmPerYear * r.logNormal(0, 0.35));
    const noise = r.logNormal(0, 0.15);
    const raw = expectedPrice(model, age, mileageKm, type.adType) * noise;
    const price = raw < 10_000 ? roundTo(raw, 50) : roundTo(raw, 100) - (r.chance(0.4) ? 10 : 0);
    const pro = r.chance(0.28);
    const place = pickAdPlace(r);
    const hasCoordinates = r.chance(0.97);
    const point = around(r, place, 8);
    const scrapedAt = options.now.getTime() - r.uniform(0, options.windowDays) * DAY_MS;
    const lastPublishedAt = scrapedAt - r.uniform(0, 2 * 3600_000);
    const reposted = r.chance(0.18);
    const firstPublishedAt = reposted ? lastPublishedAt - r.uniform(3, 40) * DAY_MS : lastPublishedAt;
    const phrases: string[] = [];
    const n = r.int(2, 4);
    for (let k = 0; k < n; k++) phrases.push(r.pick(DESCRIPTION_PHRASES));
    for (const bait of BAIT_PHRASES) if (r.chance(bait.share)) phrases.push(bait.phrase);
    const fuel = model.electric
      ? 'Electrique'
      : type.adType === 'motos'
        ? 'Essence'
        : modelYear >= 2019
          ? r.pick(['Essence', 'Essence', 'Essence', 'Diesel', 'Hybride'])
          : r.chance(0.6)
            ? 'Diesel'
            : 'Essence';
    const externalId = String(options.externalIdBase + i);
    ads.push({
      adId: r.uuid(),
      source: 'leboncoin',
      externalId,
      url: `https://www.leboncoin.fr/ad/${type.adType}/${externalId}`,
      title: `${brand.name} ${model.name} ${r.pick(brand.versions)}`,
      description: `${phrases.join(' ')} ${mileageKm.toLocaleString('fr-FR')} km, année ${modelYear}.`,
      price,
      adType: type.adType,
      subType: model.subType,
      brand: brand.name,
      model: model.name,
      modelYear,
      mileageKm,
      fuel,
      gearbox: r.chance(brand.premium ? 0.65 : modelYear >= 2018 ? 0.35 : 0.15) ? 'Automatique' : 'Manuelle',
      zipcode: r.pick(place.postalCodes),
      city: place.name,
      department: place.department,
      lat: hasCoordinates ? point.lat : null,
      lng: hasCoordinates ? point.lng : null,
      ownerName: pro ? `${r.pick(GARAGE_WORDS)} ${place.name}` : r.pick(FIRST_NAMES),
      ownerType: pro ? 'pro' : 'private',
      phone: r.chance(pro ? 0.85 : 0.65)
        ? `+33${r.pick(MOBILE_PREFIXES)}${String(r.int(0, 9_999_999)).padStart(7, '0')}`
        : null,
      acceptSalesmen: r.chance(pro ? 0.95 : 0.8),
      isUrgent: r.chance(0.06),
      hasBeenReposted: reposted,
      priceHasDropped: r.chance(0.11),
      hasBeenBoosted: r.chance(0.09),
      isLowPrice: noise < 0.88,
      pictures: Array.from(
        { length: r.int(1, 10) },
        (_, k) =>
          `https://img.leboncoin.fr/api/v1/lbcpb1/images/${externalId.slice(-2)}/${k}/${externalId}.jpg?rule=ad-large`,
      ),
      firstPublishedAt: Math.round(firstPublishedAt),
      lastPublishedAt: Math.round(lastPublishedAt),
      scrapedAt: Math.round(scrapedAt),
    });
  }
  return ads;
}

interface Account {
  id: string;
  place: Place;
  /** The brands the dealer specialises in, per ad type. */
  brands: Map<string, Brand[]>;
}

function newAccount(r: Random): Account {
  const place = pickDealerPlace(r);
  const brands = new Map<string, Brand[]>();
  for (const t of AD_TYPE_MIX) {
    const list: Brand[] = [];
    const n = r.int(1, 4);
    for (let i = 0; i < n; i++) {
      const b = brandPickers.get(t.adType)!(r);
      if (!list.includes(b)) list.push(b);
    }
    brands.set(t.adType, list);
  }
  return { id: r.uuid(), place, brands };
}

export interface GeneratedHunts {
  accountIds: string[];
  hunts: Hunt[];
}

/**
 * `count` hunts, account by account (a prefix of a larger set is a realistic smaller set). The world
 * (bench/data/worlds.ts) sets how dense: `light` (the default, what scenarios A to D' were measured
 * with), or `dense`, a few hundred dealers with twenty hunts each, nearly all of them contacting.
 */
export function generateHunts(seed: number, count: number, options: { now: Date; world?: HuntWorld }): GeneratedHunts {
  const world = options.world ?? WORLDS.light;
  const r = seededRandom(subSeed(seed, 'hunts'));
  const year = options.now.getUTCFullYear();
  const hunts: Hunt[] = [];
  const accountIds: string[] = [];
  if (world.accounts !== undefined) {
    // A fixed number of dealers, of skewed sizes (a few big ones), each with at least one hunt.
    const accounts = Array.from({ length: world.accounts }, () => newAccount(r));
    const weights = accounts.map(() => r.logNormal(0, 0.7));
    const total = weights.reduce((a, b) => a + b, 0);
    const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * count)));
    for (let i = 0, sum = sizes.reduce((a, b) => a + b, 0); sum < count; i = (i + 1) % sizes.length, sum++) sizes[i]!++;
    for (const [k, account] of accounts.entries()) {
      accountIds.push(account.id);
      for (let i = 0; i < sizes[k]! && hunts.length < count; i++)
        hunts.push(newHunt(r, world, account, year, options.now));
    }
    return { accountIds, hunts };
  }
  while (hunts.length < count) {
    const account = newAccount(r);
    accountIds.push(account.id);
    const size = Math.min(60, Math.max(1, Math.round(r.logNormal(Math.log(8), 0.9))));
    for (let i = 0; i < size && hunts.length < count; i++) hunts.push(newHunt(r, world, account, year, options.now));
  }
  return { accountIds, hunts };
}

/**
 * A first contact on WhatsApp is an approved template (its Content SID and numbered variables); the
 * free text is what a seller who wrote within 24 hours gets instead. No random draw: the worlds stay
 * the data sets they have been.
 */
function withWhatsAppTemplate(o: { channel: Channel; template: string }): Outreach {
  if (o.channel !== 'whatsapp') return o;
  return {
    ...o,
    contentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
    contentVariables: { '1': '{{vendeur_nom}}', '2': '{{marque}} {{modele}}', '3': '{{prix}}' },
  };
}

// Every world draws the same random numbers in the same order (only the thresholds differ), so that
// the light world stays the data set it has always been.
function newHunt(r: Random, world: HuntWorld, account: Account, year: number, now: Date): Hunt {
  const adType = pickHuntAdType(r).adType;
  const place = r.chance(0.85) ? account.place : pickDealerPlace(r);
  const kind = r.next();
  const broad = kind < 0.015;
  const sameZipcode = !broad && kind < 0.055;
  const radiusKm = broad ? 1000 : sameZipcode ? 0 : Math.round(pickRadius(r).km * world.radiusScale);

  const brands: Brand[] = [];
  if (broad ? r.chance(0.4) : r.chance(0.97)) {
    const preferred = account.brands.get(adType)!;
    const n = r.chance(0.8) ? 1 : r.chance(0.75) ? 2 : 3;
    for (let i = 0; i < n; i++) {
      const b = r.chance(0.8) ? r.pick(preferred) : brandPickers.get(adType)!(r);
      if (!brands.includes(b)) brands.push(b);
    }
  }
  const model = brands.length === 1 && r.chance(broad ? 0.9 : world.modelShare) ? pickModel(brands[0]!, r) : null;
  const keywords = model ? [model.name] : [];
  // Without a model, a dealer narrows by body type, age, price and mileage instead.
  const loose = model === null;
  const subTypes = loose && (brands.length === 0 || r.chance(0.5)) ? [r.pick(brandsOf(adType)[0]!.models).subType] : [];

  let modelYearMin: number | null = r.chance(loose ? 0.95 : 0.8) ? year - r.int(2, 10) : null;
  let modelYearMax: number | null =
    modelYearMin !== null && r.chance(0.3) ? Math.min(year, modelYearMin + r.int(2, 5)) : null;
  const reference =
    (model?.newPrice ?? brands[0]?.models[0]?.newPrice ?? 25_000) *
    0.86 ** (modelYearMin !== null ? year - modelYearMin : 8);
  let priceMax: number | null = r.chance(loose ? 1 : 0.85)
    ? roundTo(reference * r.uniform(0.8, 1.5) * world.priceScale, 500)
    : null;
  let priceMin: number | null =
    priceMax !== null && r.chance(0.35) ? roundTo(priceMax * r.uniform(0.4, 0.7), 500) : null;
  let mileageMax: number | null = r.chance(loose ? 0.85 : 0.6)
    ? r.pick([60_000, 80_000, 100_000, 120_000, 150_000, 180_000, 200_000])
    : null;
  const ownerRoll = r.next();
  const ownerTypes: OwnerType[] =
    ownerRoll < world.privateOnlyShare ? ['private'] : ownerRoll < world.privateOnlyShare + 0.05 ? ['pro'] : [];
  const excludedKeywords = r.chance(0.25)
    ? [...new Set([r.pick(BAIT_PHRASES).keyword, r.pick(BAIT_PHRASES).keyword])]
    : [];
  let isLowPrice = r.chance(0.05);
  let isUrgent = r.chance(0.015);
  let priceHasDropped = r.chance(0.03);
  if (broad) {
    // A national hunt without limits would take a good share of all ads: broad ones are bargain hunts.
    const style = r.int(0, 2);
    if (style === 0) {
      priceMax = r.pick([1500, 2000, 3000]);
      priceMin = null;
      isLowPrice = true;
    } else if (style === 1) {
      isUrgent = true;
      isLowPrice = true;
    } else {
      priceHasDropped = true;
      isLowPrice = true;
      modelYearMin = year - 3;
      modelYearMax = null;
      mileageMax = 50_000;
    }
  }
  const outreach = r.chance(world.outreachShare)
    ? withWhatsAppTemplate({ channel: world.channel(r.next()), template: r.pick(OUTREACH_TEMPLATES) })
    : null;
  const createdAt = new Date(now.getTime() - r.uniform(1, 400) * DAY_MS);
  return {
    id: r.uuid(),
    accountId: account.id,
    name: `${brands.map((b) => b.name).join(', ') || 'Toutes marques'}${model ? ` ${model.name}` : ''} ${radiusKm === 0 ? 'à' : 'autour de'} ${place.name}`,
    adType,
    subTypes,
    brands: brands.map((b) => b.name),
    location: { label: place.name, zipcode: place.postalCodes[0]!, lat: place.lat, lng: place.lng },
    radiusKm,
    priceMin,
    priceMax,
    modelYearMin,
    modelYearMax,
    mileageMin: null,
    mileageMax,
    ownerTypes,
    keywords,
    excludedKeywords,
    isUrgent,
    hasBeenReposted: false,
    priceHasDropped,
    hasBeenBoosted: false,
    isLowPrice,
    status: r.chance(world.activeShare) ? 'active' : 'paused',
    autoRefresh: r.chance(0.92),
    outreach,
    dailyPacingLimit: outreach && r.chance(world.pacingShare) ? r.int(5, 40) : null,
    // Any time: the benchmarks measure throughput, not the wait for an opening.
    contactHours: null,
    lastScanAt: null,
    version: 1,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The ad as POST /v1/ads takes it (the service assigns adId and, by default, scrapedAt). */
export function adInputOf(ad: Ad): AdInput {
  // The ad's own fields, as the events carry them, less what the service assigns; times as ISO strings.
  const { adId: _adId, scrapedAt: _scrapedAt, firstPublishedAt, lastPublishedAt, ownerType, ...fields } = ad;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...fields,
    ownerType: ownerType as OwnerType | null,
    firstPublishedAt: iso(firstPublishedAt),
    lastPublishedAt: iso(lastPublishedAt),
  };
}
