import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadCurrentSchemas } from '../../src/events/schemas.js';
import { WEBHOOK_SOURCE_EVENTS, webhookPayload } from '../../src/events/webhookPayloads.js';
import { sampleEvents } from '../../testkit/eventSamples.js';

const schemas = loadCurrentSchemas();

describe('the webhook payloads', () => {
  it.each(WEBHOOK_SOURCE_EVENTS)(
    'carry every field of %s under its own name, timestamps as ISO strings',
    (eventType) => {
      const payload = webhookPayload(eventType, sampleEvents[eventType] as never, '2026-12-08T10:00:00.000Z');
      expect(payload.timestamp).toBe('2026-12-08T10:00:00.000Z');
      const fields = (schemas.get(eventType)!.type as avro.types.RecordType).fields.map((f) => f.name);
      expect(Object.keys(payload.data)).toEqual(fields);
      // Every timestamp of the contract is a field named ...At (or `at`): the sample with those as ISO strings.
      expect(payload.data).toEqual(isoTimes(sampleEvents[eventType]));
    },
  );
});

function isoTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(isoTimes);
  if (value === null || typeof value !== 'object') return value ?? null;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      typeof v === 'number' && /(^at|At)$/.test(k) ? new Date(v).toISOString() : isoTimes(v),
    ]),
  );
}
