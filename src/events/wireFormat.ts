// How the relay writes an outbox payload (always single-object encoded) on its topic: as it is
// (EVENT_WIRE_FORMAT=single-object), or in the Confluent wire format (EVENT_WIRE_FORMAT=confluent),
// with the id the registry gave the event's schema under the topic's subject.
import type { Codec } from './codec.js';
import { frameConfluent } from './confluentFraming.js';
import { valueSubject, type SchemaRegistryClient } from './schemaRegistry.js';
import { EVENT_TYPES, loadCurrentSchemas, type EventType } from './schemas.js';
import type { Topics } from './topics.js';

export type WireFormatName = 'single-object' | 'confluent';

export interface WireWriter {
  readonly format: WireFormatName;
  /**
   * Ready to frame: the Confluent writer registers the schemas (once; again after a failure). Throws
   * SchemaRegistryUnavailable while the registry does not answer: nothing is published meanwhile.
   */
  prepare(): Promise<void>;
  /** The value to publish for an outbox payload. */
  frame(payload: Buffer): Buffer;
}

export const singleObjectWriter: WireWriter = {
  format: 'single-object',
  prepare: async () => undefined,
  frame: (payload) => payload,
};

/**
 * Registers the published schema of every event (schemas/<Event>.avsc, the newest release) under its
 * topic's subject, `<topic>-value` with TopicNameStrategy and BACKWARD compatibility, then frames each
 * payload with its schema's id.
 */
export function confluentWriter(deps: {
  codec: Pick<Codec, 'currentBodyOf'>;
  registry: Pick<SchemaRegistryClient, 'register'>;
  topics: Pick<Topics, 'forEvent'>;
}): WireWriter {
  const schemas = loadCurrentSchemas();
  const ids = new Map<EventType, number>();
  let registering: Promise<void> | undefined;

  async function registerAll() {
    for (const eventType of EVENT_TYPES) {
      if (ids.has(eventType)) continue;
      const id = await deps.registry.register(
        valueSubject(deps.topics.forEvent(eventType)),
        schemas.get(eventType)!.text,
      );
      ids.set(eventType, id);
    }
  }

  return {
    format: 'confluent',
    async prepare() {
      if (ids.size === EVENT_TYPES.length) return;
      registering ??= registerAll().finally(() => (registering = undefined));
      await registering;
    },
    frame(payload) {
      const { eventType, body } = deps.codec.currentBodyOf(payload);
      const id = ids.get(eventType);
      if (id === undefined) throw new Error(`the schema of ${eventType} is not registered yet: prepare() first`);
      return frameConfluent(id, body);
    },
  };
}
