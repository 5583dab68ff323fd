import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/events/codec.js';
import { decodeMessage } from '../../../src/consumers/pipeline/decode.js';
import { createCodec } from '../../../src/events/codec.js';
import { newEventId } from '../../../src/events/envelope.js';
import type { EventType } from '../../../src/events/schemas.js';
import { sampleEvents } from '../../../testkit/eventSamples.js';

const codec = createCodec();
const accepted = new Set<EventType>(['HuntChanged']);
const message = (value: Buffer | null, headers: Record<string, string> = {}): KafkaMessage => ({
  key: Buffer.from('k'),
  value,
  timestamp: '1700000000000',
  attributes: 0,
  offset: '7',
  headers,
});
const huntChanged = () => codec.encode('HuntChanged', sampleEvents.HuntChanged);
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as DecodeError).reason;
  }
  throw new Error('did not throw');
};

describe('decodeMessage', () => {
  it('reads the value and the envelope headers into a ConsumedEvent', () => {
    const eventId = newEventId();
    const event = decodeMessage<'HuntChanged'>(
      codec,
      accepted,
      message(huntChanged(), {
        'event-id': eventId,
        'event-type': 'HuntChanged',
        'correlation-id': 'c',
        'causation-id': 'd',
        'occurred-at': '2026-12-01T00:00:00.000Z',
      }),
      't',
      2,
    );
    expect(event).toMatchObject({
      eventType: 'HuntChanged',
      eventId,
      correlationId: 'c',
      causationId: 'd',
      occurredAt: '2026-12-01T00:00:00.000Z',
      topic: 't',
      partition: 2,
      offset: '7',
      key: 'k',
    });
    expect(event.value).toEqual(sampleEvents.HuntChanged);
  });

  it('defaults the chain to the event itself and the time to the message timestamp', () => {
    const eventId = newEventId();
    const event = decodeMessage(codec, accepted, message(huntChanged(), { 'event-id': eventId }), 't', 0);
    expect(event.correlationId).toBe(eventId);
    expect(event.causationId).toBe(eventId);
    expect(event.occurredAt).toBe(new Date(1700000000000).toISOString());
  });

  it('names why a message is not an event', () => {
    const id = { 'event-id': newEventId() };
    expect(reasonOf(() => decodeMessage(codec, accepted, message(null, id), 't', 0))).toBe('empty-value');
    expect(reasonOf(() => decodeMessage(codec, accepted, message(Buffer.from('not avro'), id), 't', 0))).toBe(
      'not-single-object-encoded',
    );
    expect(
      reasonOf(() =>
        decodeMessage(codec, accepted, message(Buffer.from([0xc3, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]), id), 't', 0),
      ),
    ).toBe('unknown-fingerprint');
    expect(
      reasonOf(() =>
        decodeMessage(codec, accepted, message(codec.encode('DailyTick', sampleEvents.DailyTick), id), 't', 0),
      ),
    ).toBe('unexpected-type');
    expect(
      reasonOf(() =>
        decodeMessage(codec, accepted, message(huntChanged(), { ...id, 'event-type': 'AdScraped' }), 't', 0),
      ),
    ).toBe('header-mismatch');
    expect(reasonOf(() => decodeMessage(codec, accepted, message(huntChanged(), {}), 't', 0))).toBe('missing-event-id');
    expect(
      reasonOf(() => decodeMessage(codec, accepted, message(huntChanged(), { 'event-id': 'not-a-uuid' }), 't', 0)),
    ).toBe('missing-event-id');
  });
});
