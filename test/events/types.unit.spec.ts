import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/platform/projectRoot.js';
import { generateEventTypes } from '../../scripts/gen-event-types.js';

describe('event TypeScript types', () => {
  it('are in step with schemas/*.avsc (regenerate with npm run gen:types)', () => {
    const committed = readFileSync(join(projectRoot(), 'src', 'events', 'types.generated.ts'), 'utf8');
    expect(committed).toBe(generateEventTypes());
  });
});
