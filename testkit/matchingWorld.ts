// Small random worlds for the matching paths' tests: a few accounts with hunts that often overlap
// (so that attribution to the account's oldest matching hunt decides), and ads around one place.
// Seeded, so that a failing world can be replayed, and placed around a centre of the caller's choice,
// so that several worlds can live in one database without matching each other's ads.
import type { Ad, Hunt } from '../src/domain/types.js';
import { seededRandom } from './random.js';
import { ad, hunt } from './domainFixtures.js';

export interface Place {
  lat: number;
  lng: number;
  /** Zipcodes of the world are this prefix and two digits. */
  zipPrefix: string;
}

export const LYON: Place = { lat: 45.76, lng: 4.84, zipPrefix: '690' };

export interface World {
  accountIds: string[];
  /** Oldest first (createdAt, then id), as they are created. */
  hunts: Hunt[];
  ads: Ad[];
}

const BRANDS = ['Peugeot', 'PEUGEOT', 'Renault', 'Citroën', 'Dacia'];
const uuid = (seed: number, kind: number, n: number) =>
  `${(seed >>> 0).toString(16).padStart(8, '0')}-0000-7000-8${kind}00-${n.toString(16).padStart(12, '0')}`;

export function randomWorld(
  seed: number,
  size: { accounts: number; hunts: number; ads: number },
  place: Place = LYON,
): World {
  const r = seededRandom(seed);
  const zip = () => `${place.zipPrefix}${String(r.int(0, 3)).padStart(2, '0')}`;
  const near = (km: number) => ({
    lat: place.lat + r.uniform(-km, km) / 111,
    lng: place.lng + r.uniform(-km, km) / 78,
  });
  const accountIds = Array.from({ length: size.accounts }, (_, i) => uuid(seed, 1, i));
  const base = Date.UTC(2026, 10, 1);
  const hunts = Array.from({ length: size.hunts }, (_, i) => {
    const priceMin = r.chance(0.3) ? r.int(0, 10_000) : null;
    // Creation times in order, some of them equal: the id decides between those.
    const createdAt = new Date(base + i * 60_000 - (r.chance(0.2) ? 60_000 : 0));
    return hunt({
      id: uuid(seed, 2, i),
      accountId: r.pick(accountIds),
      name: `hunt ${i}`,
      adType: r.chance(0.85) ? 'voitures' : 'motos',
      brands: r.chance(0.5) ? [r.pick(BRANDS)] : [],
      location: { label: 'x', zipcode: zip(), ...near(5) },
      radiusKm: r.pick([0, 10, 30, 30, 80]),
      priceMin,
      priceMax: r.chance(0.5) ? (priceMin ?? 0) + r.int(2_000, 30_000) : null,
      modelYearMin: r.chance(0.2) ? r.int(2005, 2020) : null,
      mileageMax: r.chance(0.2) ? r.int(50_000, 200_000) : null,
      keywords: r.chance(0.15) ? [r.pick(['gps', 'toit ouvrant', 'diesel'])] : [],
      excludedKeywords: r.chance(0.1) ? ['accidentée'] : [],
      isUrgent: r.chance(0.1),
      status: r.chance(0.9) ? 'active' : 'paused',
      createdAt,
      updatedAt: createdAt,
    });
  });
  hunts.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  const ads = Array.from({ length: size.ads }, (_, i) => {
    const located = r.chance(0.9);
    const position = near(40);
    return ad({
      adId: uuid(seed, 3, i),
      externalId: `${seed >>> 0}${String(i).padStart(5, '0')}`,
      adType: r.chance(0.85) ? 'voitures' : 'motos',
      brand: r.chance(0.9) ? r.pick(BRANDS) : null,
      price: r.chance(0.95) ? r.int(1_000, 40_000) : null,
      modelYear: r.chance(0.9) ? r.int(2000, 2026) : null,
      mileageKm: r.chance(0.9) ? r.int(0, 250_000) : null,
      zipcode: zip(),
      lat: located ? position.lat : null,
      lng: located ? position.lng : null,
      title: `Voiture ${r.chance(0.3) ? 'gps' : ''}`,
      description: r.chance(0.3) ? r.pick(['toit ouvrant', 'diesel', 'accidentée']) : '',
      isUrgent: r.chance(0.3),
      phone: null,
      scrapedAt: Date.UTC(2026, 10, 20) + i * 1000,
    });
  });
  return { accountIds, hunts, ads };
}
