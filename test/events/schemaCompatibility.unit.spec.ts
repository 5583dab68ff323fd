import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { checkAgainstNewestRelease, compatibilityProblems, newestReleased } from '../../src/events/compatibility.js';
import {
  EVENT_TYPES,
  loadCurrentSchemas,
  loadReleasedSchemas,
  parseSchema,
  schemasDir,
  type EventType,
} from '../../src/events/schemas.js';
import { sampleEvents } from '../../testkit/eventSamples.js';

const current = loadCurrentSchemas();
const released = loadReleasedSchemas();
const newest = newestReleased(released);

interface RecordSchema {
  type: 'record';
  name: string;
  fields: Array<{ name: string; type: unknown; default?: unknown; doc?: string }>;
}

/** The released .avsc of an event as JSON, to build a "next" version from. */
function releasedJson(eventType: EventType): RecordSchema {
  const version = newest.get(eventType)!.version;
  return JSON.parse(readFileSync(join(schemasDir(), 'released', version, `${eventType}.avsc`), 'utf8')) as RecordSchema;
}

const side = (json: unknown, label: string) => ({ type: parseSchema(json).type, label });

describe('the current schemas', () => {
  it('all have a released version to stay compatible with', () => {
    expect([...newest.keys()].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('are fully compatible with the newest release: each side reads what the other writes', () => {
    expect(checkAgainstNewestRelease(current, released)).toEqual([]);
  });

  it.each(EVENT_TYPES)('round-trip a %s sample through both resolvers', (eventType) => {
    const next = current.get(eventType)!.type;
    const previous = newest.get(eventType)!.type;
    // A downstream reader still on the released schema reads what the current service writes ...
    const asReleased: unknown = previous.fromBuffer(
      next.toBuffer(sampleEvents[eventType]),
      previous.createResolver(next),
    );
    expect(previous.isValid(asReleased)).toBe(true);
    // ... and the current service reads what the previous release wrote.
    const back: unknown = next.fromBuffer(previous.toBuffer(asReleased), next.createResolver(previous));
    expect(next.isValid(back)).toBe(true);
    // Every field both versions know survives both trips.
    const known = (previous as avro.types.RecordType).fields
      .map((f) => f.name)
      .filter((name) => (next as avro.types.RecordType).fields.some((f) => f.name === name));
    expect(known.length).toBeGreaterThan(0);
    const pick = (v: unknown) => Object.fromEntries(known.map((k) => [k, (v as Record<string, unknown>)[k]]));
    expect(pick(back)).toEqual(pick(sampleEvents[eventType]));
  });
});

describe('the compatibility check', () => {
  const base = releasedJson('LeadCreated');
  const previous = side(base, 'release 1');

  it('reports a field removed without a default, which readers of the release still need', () => {
    const next = { ...base, fields: base.fields.filter((f) => f.name !== 'stage') };
    const problems = compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous);
    expect(problems).toEqual([
      "LeadCreated: field 'stage' removed without a default (release 1 cannot read events written with the next schema)",
    ]);
  });

  it('reports a field removed from a nested record by its path', () => {
    const next = structuredClone(base);
    const ad = next.fields.find((f) => f.name === 'ad')!.type as RecordSchema;
    ad.fields = ad.fields.filter((f) => f.name !== 'title');
    expect(compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous)).toEqual([
      "LeadCreated: field 'ad.title' removed without a default (release 1 cannot read events written with the next schema)",
    ]);
  });

  it('reports a field added without a default, which the next schema cannot fill from released events', () => {
    const next = { ...base, fields: [...base.fields, { name: 'score', type: 'int', doc: 'Lead score.' }] };
    expect(compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous)).toEqual([
      "LeadCreated: field 'score' added without a default (the next schema cannot read events written with release 1)",
    ]);
  });

  it('accepts a field added with a default', () => {
    const next = {
      ...base,
      fields: [...base.fields, { name: 'score', type: ['null', 'int'], default: null, doc: 'Lead score.' }],
    };
    expect(compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous)).toEqual([]);
  });

  it('accepts removing a field that had a default in the release (its readers fill it in)', () => {
    const next = { ...base, fields: base.fields.filter((f) => f.name !== 'reason') };
    expect(base.fields.find((f) => f.name === 'reason')).toHaveProperty('default', null);
    expect(compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous)).toEqual([]);
  });

  it('reports a field whose type can no longer be read, in both directions', () => {
    const next = { ...base, fields: base.fields.map((f) => (f.name === 'position' ? { ...f, type: 'string' } : f)) };
    const problems = compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous);
    expect(problems).toEqual([
      `LeadCreated: field 'position' cannot be read: written as "long", read as "string" (the next schema cannot read events written with release 1)`,
      `LeadCreated: field 'position' cannot be read: written as "string", read as "long" (release 1 cannot read events written with the next schema)`,
    ]);
  });

  it('reports a renamed record, which no field-level rule explains', () => {
    const next = { ...base, name: 'LeadAdded' };
    const problems = compatibilityProblems('LeadCreated', side(next, 'the next schema'), previous);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('LeadCreated: the next schema cannot read events written with release 1');
  });

  it('runs over the loaded schemas and names the event and the release', () => {
    const broken = new Map(current);
    const next = {
      ...releasedJson('MessageSent'),
      fields: releasedJson('MessageSent').fields.filter((f) => f.name !== 'attempts'),
    };
    broken.set('MessageSent', { ...current.get('MessageSent')!, ...parseSchema(next) });
    expect(checkAgainstNewestRelease(broken, released)).toEqual([
      `MessageSent: field 'attempts' removed without a default (release ${newest.get('MessageSent')!.version} cannot read events written with the current schema)`,
    ]);
  });

  it('compares with the newest release, numerically', () => {
    const v = (version: string) => ({ ...newest.get('DailyTick')!, version });
    expect(newestReleased([v('9'), v('10'), v('2')]).get('DailyTick')!.version).toBe('10');
  });
});
