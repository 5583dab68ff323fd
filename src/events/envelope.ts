// Headers on every event (docs/ARCHITECTURE.md section 5) and the shape of an event before it is enqueued.
import type { IHeaders } from 'kafkajs';
import { newId } from '../platform/ids.js';
import type { EventType } from './schemas.js';
import type { EventPayloads } from './types.generated.js';

export const CONTENT_TYPE = 'avro/binary';

export interface EventHeaders {
  'event-id': string;
  'event-type': EventType;
  'occurred-at': string;
  'correlation-id': string;
  'causation-id': string;
  'content-type': string;
}

/** What an event follows from: the event that caused it, and the first event of its chain. */
export interface Cause {
  eventId: string;
  correlationId: string;
}

export type OutgoingEvent = {
  [K in EventType]: {
    eventType: K;
    key: string;
    value: EventPayloads[K];
    /** Defaults to a new UUIDv7. */
    eventId?: string;
    /** The event (or request) this one follows from; a root event is its own cause. */
    cause?: Cause;
    occurredAt?: Date;
  };
}[EventType];

/** A new UUIDv7; `at` sets the time it carries (the root of a chain carries its request's time). */
export const newEventId = (at?: Date) => newId(at);

export function buildHeaders(event: OutgoingEvent, now: Date): EventHeaders {
  const eventId = event.eventId ?? newEventId();
  return {
    'event-id': eventId,
    'event-type': event.eventType,
    'occurred-at': (event.occurredAt ?? now).toISOString(),
    'correlation-id': event.cause?.correlationId ?? eventId,
    'causation-id': event.cause?.eventId ?? eventId,
    'content-type': CONTENT_TYPE,
  };
}

/** Reads our headers from a Kafka message; missing ones come back as undefined. */
export function readHeaders(headers: IHeaders | undefined): Partial<EventHeaders> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

/** The creation time (epoch ms) a UUIDv7 carries in its first 48 bits; null for another version. */
export function timeOfUuidV7(id: string): number | null {
  if (id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** What a consumer passes on to the events it emits. */
export const causeOf = (headers: Cause): Cause => ({ eventId: headers.eventId, correlationId: headers.correlationId });
