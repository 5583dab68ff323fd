// The ad the events carry is the domain's Ad (src/events/adSnapshot.ts): the same fields, the same types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AdSnapshot } from '../../src/events/adSnapshot.js';
import { schemasDir } from '../../src/events/schemas.js';
import type { Ad as AdOfTheSchema } from '../../src/events/types.generated.js';
import type { Ad } from '../../src/domain/types.js';
import { sampleAd } from '../../testkit/eventSamples.js';

describe('the ad snapshot of AdScraped and LeadCreated', () => {
  it('is the domain Ad, type for type (checked by the compiler)', () => {
    expectTypeOf<AdOfTheSchema>().toEqualTypeOf<Ad>();
    expectTypeOf<AdSnapshot>().toEqualTypeOf<Ad>();
  });

  it('has, in schemas/AdScraped.avsc, exactly the fields of a domain Ad', () => {
    const schema = JSON.parse(readFileSync(join(schemasDir(), 'AdScraped.avsc'), 'utf8')) as {
      fields: Array<{ name: string; type: { fields?: Array<{ name: string }> } }>;
    };
    const record = schema.fields.find((f) => f.name === 'ad')!.type;
    expect(record.fields!.map((f) => f.name).sort()).toEqual(Object.keys(sampleAd satisfies Ad).sort());
  });
});
