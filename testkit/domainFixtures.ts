import type { Ad, Hunt } from '../src/domain/types.js';
import { sampleAd } from './eventSamples.js';

export const ad = (overrides: Partial<Ad> = {}): Ad => ({ ...sampleAd, ...overrides });

export const hunt = (overrides: Partial<Hunt> = {}): Hunt => ({
  id: '00000000-0000-7000-8000-000000000001',
  accountId: '00000000-0000-7000-8000-0000000000a1',
  name: '',
  adType: 'voitures',
  subTypes: [],
  brands: [],
  location: { label: 'Lyon', zipcode: '69003', lat: 45.7597, lng: 4.8422 },
  radiusKm: 30,
  priceMin: null,
  priceMax: null,
  modelYearMin: null,
  modelYearMax: null,
  mileageMin: null,
  mileageMax: null,
  ownerTypes: [],
  keywords: [],
  excludedKeywords: [],
  isUrgent: false,
  hasBeenReposted: false,
  priceHasDropped: false,
  hasBeenBoosted: false,
  isLowPrice: false,
  status: 'active',
  autoRefresh: true,
  outreach: null,
  dailyPacingLimit: null,
  contactHours: null,
  lastScanAt: null,
  version: 1,
  createdAt: new Date('2026-11-01T00:00:00Z'),
  updatedAt: new Date('2026-11-01T00:00:00Z'),
  ...overrides,
});
