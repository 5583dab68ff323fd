// The outbox writer: events are rows written in the caller's transaction, so an event exists
// exactly when the state change that caused it committed. The relay publishes them afterwards.
import type { Codec } from '../events/codec.js';
import { buildHeaders, type OutgoingEvent } from '../events/envelope.js';
import type { Topics } from '../events/topics.js';
import type { Trx } from '../db/knex.js';
import { insertOutboxRows, type OutboxRecord } from '../sql/outbox/insertOutboxRows.js';
import { shardOf } from './shard.js';

export interface Outbox {
  /** Writes the events inside `trx`; nothing is published if it rolls back. Returns their event ids. */
  enqueue(trx: Trx, events: OutgoingEvent | OutgoingEvent[]): Promise<string[]>;
}

export function createOutbox(deps: { codec: Codec; topics: Topics; shards: number; now?: () => Date }): Outbox {
  const now = deps.now ?? (() => new Date());
  return {
    async enqueue(trx, events) {
      const list = Array.isArray(events) ? events : [events];
      if (list.length === 0) return [];
      const at = now();
      const rows = list.map((event): OutboxRecord => {
        const headers = buildHeaders(event, at);
        return {
          shard: shardOf(event.key, deps.shards),
          topic: deps.topics.forEvent(event.eventType),
          key: event.key,
          event_id: headers['event-id'],
          event_type: event.eventType,
          headers: { ...headers },
          payload: deps.codec.encode(event.eventType, event.value),
        };
      });
      await insertOutboxRows(trx, rows);
      return rows.map((r) => r.event_id);
    },
  };
}
