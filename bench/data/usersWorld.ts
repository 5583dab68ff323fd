// The users' world (D' and bench/tools/outsideProbe.ts), as a dealer platform meets it: hunts as clients send them to
// POST /v1/hunts and ads as POST /v1/ads takes them. 500 accounts picked at random for 10,000 hunts
// (about 20 each); one of twelve brands (3 % none), one of the 30 most populous communes, a radius of
// 20-149 km, a 6,000 € price band ending between 6,000 and 41,999 €, a minimum model year 2008-2019,
// 70 % contacting by SMS with the usual variables. Ads: a random brand of the twelve, a commune of the
// thirty ± 0.2°, 2,000-41,999 €, model year 2005-2024, a unique mobile phone each. About 5.5 leads and
// 3.9 contacts per ad (measured by D').
import { seededRandom } from '../../testkit/random.js';
import { PLACES } from './generate.js';

export const USERS_BRANDS = [
  'Peugeot',
  'Renault',
  'Citroën',
  'Volkswagen',
  'Toyota',
  'Dacia',
  'Ford',
  'BMW',
  'Mercedes-Benz',
  'Audi',
  'Opel',
  'Fiat',
] as const;

const CITIES = [...PLACES].sort((a, b) => b.population - a.population).slice(0, 30);

const TEMPLATE =
  'Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} à {{prix}} nous intéresse. Seriez-vous disponible ?';

export interface UsersHunt {
  accountId: string;
  name: string;
  adType: 'voitures';
  brands: string[];
  location: { label: string; zipcode: string; lat: number; lng: number };
  radiusKm: number;
  priceMin: number;
  priceMax: number;
  modelYearMin: number;
  autoRefresh: true;
  outreach?: { channel: 'sms'; template: string };
}

export interface UsersAd {
  externalId: string;
  url: string;
  title: string;
  price: number;
  adType: 'voitures';
  brand: string;
  model: string;
  modelYear: number;
  zipcode: string;
  city: string;
  lat: number;
  lng: number;
  ownerName: string;
  ownerType: 'private';
  phone: string;
  acceptSalesmen: true;
}

export function usersWorld(seed: number, huntCount: number, accountCount: number) {
  const r = seededRandom(seed);
  const accounts = Array.from({ length: accountCount }, () => r.uuid());
  const hunts: UsersHunt[] = Array.from({ length: huntCount }, (_, i) => {
    const city = r.pick(CITIES);
    const priceMax = r.int(6000, 41_999);
    const brand = r.chance(0.03) ? null : r.pick(USERS_BRANDS);
    return {
      accountId: r.pick(accounts),
      name: `Recherche ${i + 1}${brand ? ` ${brand}` : ''} autour de ${city.name}`,
      adType: 'voitures',
      brands: brand ? [brand] : [],
      location: { label: city.name, zipcode: city.postalCodes[0]!, lat: city.lat, lng: city.lng },
      radiusKm: r.int(20, 149),
      priceMin: priceMax - 6000,
      priceMax,
      modelYearMin: r.int(2008, 2019),
      autoRefresh: true,
      ...(r.chance(0.7) ? { outreach: { channel: 'sms' as const, template: TEMPLATE } } : {}),
    };
  });
  /** `count` ads whose listing ids start at `base`; each has a phone of its own. */
  const ads = (base: number, count: number): UsersAd[] => {
    const a = seededRandom(seed + base);
    return Array.from({ length: count }, (_, i) => {
      const city = a.pick(CITIES);
      const brand = a.pick(USERS_BRANDS);
      const n = base + i;
      return {
        externalId: String(n),
        url: `https://www.leboncoin.fr/ad/voitures/${n}`,
        title: `${brand} à vendre`,
        price: a.int(2000, 41_999),
        adType: 'voitures',
        brand,
        model: 'Modèle',
        modelYear: a.int(2005, 2024),
        zipcode: city.postalCodes[0]!,
        city: city.name,
        lat: city.lat + a.uniform(-0.2, 0.2),
        lng: city.lng + a.uniform(-0.2, 0.2),
        ownerName: 'Vendeur',
        ownerType: 'private',
        // +33 6 and eight digits: unique per listing id below 10^8 apart.
        phone: `+336${String(n % 100_000_000).padStart(8, '0')}`,
        acceptSalesmen: true,
      };
    });
  };
  return { accounts, hunts, ads };
}

export type UsersWorld = ReturnType<typeof usersWorld>;
