// The hunt index alone, for a CPU profile of its hot path without the rest of scenario A:
//   node --cpu-prof --cpu-prof-dir=bench/profiles --import tsx bench/tools/profileIndex.ts [--hunts 100000] [--seconds 10]
// Also prints how many hunts the index has to test per ad (candidates: same ad type, the ad's brand
// or no brand, a bounding box that reaches the ad's grid cell) against how many match.
import { parseArgs } from 'node:util';
import { boundingBox } from '../../src/domain/geo.js';
import { createHuntIndex } from '../../src/domain/huntIndex.js';
import { normalizeBrand } from '../../src/domain/normalize.js';
import { generateAds, generateHunts } from '../data/generate.js';

const { values } = parseArgs({
  options: {
    hunts: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    seed: { type: 'string', default: '20261128' },
  },
});
const seed = Number(values.seed);
const now = new Date();
const { hunts } = generateHunts(seed, Number(values.hunts), { now });
const ads = generateAds(seed, 20_000, { now, windowDays: 1, externalIdBase: 3_000_000_000 });
const index = createHuntIndex();
for (const h of hunts) index.upsert(h);

const until = performance.now() + Number(values.seconds) * 1000;
let n = 0;
let found = 0;
const started = performance.now();
while (performance.now() < until) {
  found += index.match(ads[n % ads.length]!).length;
  n++;
}
process.stdout.write(
  `${n} ads in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Math.round(n / ((performance.now() - started) / 1000))} ads/s, ${(found / n).toFixed(1)} matches per ad\n`,
);

// Candidates, approximately as the index finds them (0.25 degree cells).
const CELL = 0.25;
const sample = ads.slice(0, 500);
let candidates = 0;
let matches = 0;
const active = hunts
  .filter((h) => h.status === 'active')
  .map((h) => ({
    h,
    brands: h.brands.map(normalizeBrand),
    box: boundingBox(h.location.lat, h.location.lng, h.radiusKm),
  }));
for (const ad of sample) {
  const brand = ad.brand ? normalizeBrand(ad.brand) : null;
  const cellLat = Math.floor(ad.lat! / CELL) * CELL;
  const cellLng = Math.floor(ad.lng! / CELL) * CELL;
  for (const { h, brands, box: b } of active) {
    if (h.adType !== ad.adType || ad.lat === null) continue;
    if (brands.length > 0 && !brands.includes(brand ?? '')) continue;
    if (h.radiusKm === 0) continue;
    if (b.maxLat >= cellLat && b.minLat <= cellLat + CELL && b.maxLng >= cellLng && b.minLng <= cellLng + CELL)
      candidates++;
  }
  matches += index.match(ad).length;
}
process.stdout.write(
  `${values.hunts} hunts: about ${(candidates / sample.length).toFixed(0)} candidates tested per ad for ${(matches / sample.length).toFixed(1)} matches\n`,
);
