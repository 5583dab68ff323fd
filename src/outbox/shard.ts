/**
 * Outbox shard of an event key (FNV-1a). All events of one key share a shard, and a shard has
 * one relay at a time, which is what keeps per-key order with several relays.
 */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
