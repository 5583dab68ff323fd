// A world's density in memory, without a service: matches, leads (one per account, to its oldest
// matching hunt) and contactable leads per ad (the contact decision's eligibility: outreach, phone,
// channel, salesmen; opt-outs, cooldown and pacing aside), for tuning bench/data/worlds.ts.
//   npx tsx bench/tools/worldDensity.ts [--world dense] [--hunts 10000] [--ads 5000]
import { parseArgs } from 'node:util';
import { contactEligibility } from '../../src/domain/contactDecision.js';
import { huntIndexOf } from '../../src/domain/huntIndex.js';
import { matchAds } from '../../src/domain/matchAds.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { worldOf } from '../data/worlds.js';

const { values } = parseArgs({
  options: {
    world: { type: 'string', default: 'light' },
    hunts: { type: 'string', default: '10000' },
    ads: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '20261128' },
  },
});
const seed = Number(values.seed);
const now = new Date();
const world = worldOf(values.world);
// The seeds scenario D' uses (hunts seed + 3; ads as its phases draw them).
const { hunts, accountIds } = generateHunts(seed + 3, Number(values.hunts), { now, world });
const ads = generateAds(seed + 3_400_000_000, Number(values.ads), {
  now,
  windowDays: 0.01,
  externalIdBase: 3_400_000_000,
});
const index = huntIndexOf(hunts);
let matches = 0;
let leads = 0;
let contactable = 0;
for (const ad of ads) matches += index.match(ad).length;
for (const { hunt, ad } of matchAds(ads, index)) {
  leads++;
  if (contactEligibility(hunt, ad).contact) contactable++;
}
const per = (n: number) => (n / ads.length).toFixed(2);
process.stdout.write(
  `${world.name}: ${hunts.length} hunts over ${accountIds.length} accounts (${index.size} active); per ad: ${per(matches)} matches, ${per(leads)} leads, ${per(contactable)} contactable leads\n`,
);
