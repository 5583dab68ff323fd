// Which outbox shards this relay may publish. Ownership is a session-level advisory lock per
// shard, held on one dedicated connection: PostgreSQL releases it the moment that session ends
// (crash, kill -9, network loss), so a shard is never owned twice and never stays orphaned.
// Relays share the shards fairly: each one also holds a "presence" lock, counts the relays
// present, and keeps ceil(shards / relays) shards, giving back extras between two batches.
import type pg from 'pg';
import { advisoryUnlock, countAdvisoryLockHolders, tryAdvisoryLock } from '../sql/ops/advisoryLocks.js';

// Two-key advisory locks (classid, objid) in their own namespaces: 'HMRP' and 'HMRS'.
const PRESENCE_NS = 0x484d5250;
const SHARD_NS = 0x484d5253;
const MAX_RELAYS = 256;

export interface ShardOwnership {
  owned(): number[];
  /** Joins the relays present; returns this relay's presence slot. */
  join(): Promise<number>;
  /** Acquires or releases shards to hold this relay's fair share. Call between batches only. */
  rebalance(): Promise<{ acquired: number[]; released: number[] }>;
}

export function createShardOwnership(client: pg.Client, shards: number): ShardOwnership {
  const owned = new Set<number>();

  async function liveRelays(): Promise<number> {
    return Math.max(1, await countAdvisoryLockHolders(client, PRESENCE_NS));
  }

  return {
    owned: () => [...owned].sort((a, b) => a - b),

    async join() {
      for (let slot = 0; slot < MAX_RELAYS; slot++) {
        if (await tryAdvisoryLock(client, PRESENCE_NS, slot)) return slot;
      }
      throw new Error(`more than ${MAX_RELAYS} relays are running against this database`);
    },

    async rebalance() {
      const fair = Math.ceil(shards / (await liveRelays()));
      const acquired: number[] = [];
      const released: number[] = [];
      // Give back the highest shards first, so that relays converge on stable assignments.
      for (const shard of [...owned].sort((a, b) => b - a)) {
        if (owned.size <= fair) break;
        await advisoryUnlock(client, SHARD_NS, shard);
        owned.delete(shard);
        released.push(shard);
      }
      for (let shard = 0; shard < shards && owned.size < fair; shard++) {
        if (owned.has(shard)) continue;
        if (await tryAdvisoryLock(client, SHARD_NS, shard)) {
          owned.add(shard);
          acquired.push(shard);
        }
      }
      return { acquired, released };
    },
  };
}
