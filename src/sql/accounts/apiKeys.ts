// Account-scoped API keys (table api_keys): stored as hashes, revoked rather than deleted.
import type { Db } from '../../db/knex.js';

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function insertApiKey(
  db: Db,
  key: { id: string; accountId: string; prefix: string; hash: Buffer; now: Date },
): Promise<ApiKeyRecord> {
  await db('api_keys').insert({
    id: key.id,
    account_id: key.accountId,
    prefix: key.prefix,
    key_hash: key.hash,
    created_at: key.now,
  });
  return { id: key.id, accountId: key.accountId, prefix: key.prefix, createdAt: key.now, lastUsedAt: null };
}

/** The account's keys that are not revoked, oldest first. */
export async function listApiKeys(db: Db, accountId: string): Promise<ApiKeyRecord[]> {
  const rows = (await db('api_keys')
    .where({ account_id: accountId })
    .whereNull('revoked_at')
    .orderBy('created_at')
    .select('id', 'account_id', 'prefix', 'created_at', 'last_used_at')) as Array<{
    id: string;
    account_id: string;
    prefix: string;
    created_at: Date;
    last_used_at: Date | null;
  }>;
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

/** False when the account has no such live key. */
export async function revokeApiKey(db: Db, accountId: string, keyId: string, now: Date): Promise<boolean> {
  return (
    (await db('api_keys')
      .where({ id: keyId, account_id: accountId })
      .whereNull('revoked_at')
      .update({ revoked_at: now })) > 0
  );
}

/**
 * The live key with this hash, noting its use (at most once a minute, so that a busy key does not
 * write on every request).
 */
export async function useApiKey(db: Db, hash: Buffer): Promise<{ id: string; accountId: string } | undefined> {
  const { rows } = await db.raw<{ rows: Array<{ id: string; account_id: string }> }>(
    `WITH k AS (SELECT id, account_id, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL),
          touched AS (UPDATE api_keys a SET last_used_at = now() FROM k WHERE a.id = k.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute'))
     SELECT id, account_id FROM k`,
    [hash],
  );
  const row = rows[0];
  return row ? { id: row.id, accountId: row.account_id } : undefined;
}
