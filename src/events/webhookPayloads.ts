// The JSON body of a webhook (Standard Webhooks: `type`, `timestamp`, `data`) for each downstream
// event, from the same fields as its Avro event (docs/events.md, "Webhooks"): `data` holds every field
// of the event's schema under the same name, with one change of type for JSON readers: timestamps
// (`timestamp-millis`) become ISO 8601 strings in UTC. `timestamp` is when the event happened (its
// `occurred-at` header).
import type { WebhookEventType } from '../domain/webhooks.js';
import { loadCurrentSchemas, type EventType } from './schemas.js';
import type { EventPayloads } from './types.generated.js';

/** The downstream events a webhook carries, by their webhook type. */
export const WEBHOOK_TYPE_OF_EVENT = {
  LeadCreated: 'lead.created',
  MessageSent: 'message.sent',
  MessageFailed: 'message.failed',
  MessageDelivered: 'message.delivered',
  SellerReplied: 'seller.replied',
} as const satisfies Partial<Record<EventType, WebhookEventType>>;

export type WebhookSourceEvent = keyof typeof WEBHOOK_TYPE_OF_EVENT;
export const WEBHOOK_SOURCE_EVENTS = Object.keys(WEBHOOK_TYPE_OF_EVENT) as WebhookSourceEvent[];

export interface WebhookPayload {
  type: WebhookEventType;
  /** ISO 8601, UTC, milliseconds. */
  timestamp: string;
  data: Record<string, unknown>;
}

type AvroJson = string | AvroJson[] | { type: AvroJson; [key: string]: unknown };

const schemas = new Map<EventType, AvroJson>();
const schemaOf = (eventType: EventType): AvroJson => {
  let schema = schemas.get(eventType);
  if (!schema) {
    schema = JSON.parse(loadCurrentSchemas().get(eventType)!.text) as AvroJson;
    schemas.set(eventType, schema);
  }
  return schema;
};

/** The webhook body of a downstream event. */
export function webhookPayload<K extends WebhookSourceEvent>(
  eventType: K,
  value: EventPayloads[K],
  occurredAt: string,
): WebhookPayload {
  return {
    type: WEBHOOK_TYPE_OF_EVENT[eventType],
    timestamp: new Date(occurredAt).toISOString(),
    data: toJson(schemaOf(eventType), value, new Map()) as Record<string, unknown>,
  };
}

/** A value of an Avro schema as JSON: the same shape, timestamps as ISO strings. */
function toJson(schema: AvroJson, value: unknown, named: Map<string, AvroJson>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof schema === 'string') {
    const definition = named.get(schema);
    return definition ? toJson(definition, value, named) : value;
  }
  if (Array.isArray(schema)) {
    // Every union of the contract is ["null", T] (or [T, "null"]): the value is T's.
    const branch = schema.find((s) => s !== 'null');
    return branch === undefined ? value : toJson(branch, value, named);
  }
  if (schema.type === 'record') {
    if (typeof schema.name === 'string') named.set(schema.name, schema);
    const fields = schema.fields as Array<{ name: string; type: AvroJson }>;
    const record = value as Record<string, unknown>;
    return Object.fromEntries(fields.map((f) => [f.name, toJson(f.type, record[f.name], named)]));
  }
  if (schema.type === 'enum') {
    if (typeof schema.name === 'string') named.set(schema.name, schema);
    return value;
  }
  if (schema.type === 'array') return (value as unknown[]).map((v) => toJson(schema.items as AvroJson, v, named));
  if (schema.type === 'long' && schema.logicalType === 'timestamp-millis') return new Date(Number(value)).toISOString();
  return toJson(schema.type, value, named);
}
