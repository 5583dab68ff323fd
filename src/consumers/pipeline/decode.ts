// Layer 1: from a Kafka message to a ConsumedEvent. A message that cannot be read is not an event
// (it never will be): a DecodeError (src/events/codec.ts) says why, and the pipeline sends it to the
// dead-letter topic.
import type { KafkaMessage } from 'kafkajs';
import { DecodeError, type Codec, type DecodedEvent } from '../../events/codec.js';
import { readHeaders } from '../../events/envelope.js';
import type { EventType } from '../../events/schemas.js';
import type { ConsumedEvent } from './consumedEvent.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeMessage<K extends EventType>(
  codec: Codec,
  accepted: ReadonlySet<EventType>,
  message: KafkaMessage,
  topic: string,
  partition: number,
  receivedAt = Date.now(),
): ConsumedEvent<K> {
  if (!message.value) throw new DecodeError('empty-value', 'message has no value (tombstone)');
  const headers = readHeaders(message.headers);
  let decoded: DecodedEvent;
  try {
    decoded = codec.decode(message.value);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError('undecodable', (error as Error).message, { cause: error });
  }
  if (!accepted.has(decoded.eventType))
    throw new DecodeError('unexpected-type', `unexpected event type ${decoded.eventType} on ${topic}`);
  if (headers['event-type'] && headers['event-type'] !== decoded.eventType) {
    throw new DecodeError(
      'header-mismatch',
      `header event-type ${headers['event-type']} does not match the value's schema ${decoded.eventType}`,
    );
  }
  const eventId = headers['event-id'];
  if (!eventId || !UUID.test(eventId)) throw new DecodeError('missing-event-id', 'missing or invalid event-id header');
  return {
    eventType: decoded.eventType,
    value: decoded.value,
    eventId,
    correlationId: headers['correlation-id'] ?? eventId,
    causationId: headers['causation-id'] ?? eventId,
    occurredAt: headers['occurred-at'] ?? new Date(Number(message.timestamp)).toISOString(),
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    raw: message,
    receivedAt,
  } as ConsumedEvent<K>;
}
