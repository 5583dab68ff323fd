// Layer 1: from a Kafka message to a ConsumedEvent. A message that cannot be read is not an event
// (it never will be): a DecodeError says why, and the pipeline sends it to the dead-letter topic.
import type { KafkaMessage } from 'kafkajs';
import type { Codec, DecodedEvent } from '../../events/codec.js';
import { readHeaders } from '../../events/envelope.js';
import type { EventType } from '../../events/schemas.js';
import type { ConsumedEvent } from './consumedEvent.js';

export type DecodeFailure =
  | 'empty-value'
  | 'not-single-object-encoded'
  | 'unknown-fingerprint'
  | 'corrupt-body'
  | 'unexpected-type'
  | 'header-mismatch'
  | 'missing-event-id'
  | 'undecodable';

export class DecodeError extends Error {
  readonly retriable = false;
  constructor(
    /** Goes to the dead-letter topic's dlq-reason header. */
    readonly reason: DecodeFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

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
    const reason = (error as { reason?: DecodeFailure }).reason ?? 'undecodable';
    throw new DecodeError(reason, (error as Error).message, { cause: error });
  }
  if (!accepted.has(decoded.eventType)) throw new DecodeError('unexpected-type', `unexpected event type ${decoded.eventType} on ${topic}`);
  if (headers['event-type'] && headers['event-type'] !== decoded.eventType) {
    throw new DecodeError('header-mismatch', `header event-type ${headers['event-type']} does not match the value's schema ${decoded.eventType}`);
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
