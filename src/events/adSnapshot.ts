// The ad the events carry (AdScraped.ad, LeadCreated.ad) is the domain's Ad itself: the Avro record
// `Ad` of schemas/AdScraped.avsc has the same fields with the same types, which the compiler checks
// here and test/events/adSnapshot.unit.spec.ts checks against the schema file. Were the contract and
// the domain to part, the mapping between them would be written here.
import type { Ad } from '../domain/types.js';
import type { Ad as AdOfTheSchema } from './types.generated.js';

export type AdSnapshot = Ad;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile (npm run check) as soon as the schema's Ad and the domain's differ. */
export const AD_SNAPSHOT_IS_THE_DOMAIN_AD: Same<AdOfTheSchema, AdSnapshot> = true;
