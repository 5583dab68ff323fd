// The service's Node.js flags live in three places: `npm start` (package.json), the Docker image's CMD,
// and the children the tests and benchmarks start (testkit/childService.ts). What the benchmarks measure
// is what a user runs only while the three agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../testkit/childService.js';

const flagsBefore = (args: string[], entry: string) => args.slice(args.indexOf('node') + 1, args.indexOf(entry));

describe('the service node flags', () => {
  it('are the same for npm start, the Docker image and the test and benchmark children', () => {
    const start = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    ).scripts.start!.split(/\s+/);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(SERVICE_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(flagsBefore(start, 'dist/src/main.js')).toEqual(SERVICE_NODE_FLAGS);
    expect(cmd, 'the Dockerfile has a CMD').toBeDefined();
    expect(flagsBefore(JSON.parse(cmd!) as string[], 'dist/src/main.js')).toEqual(SERVICE_NODE_FLAGS);
  });
});
