// A backfill reads only the ad versions written before its hunt change could be seen: a version written
// once the change committed is the continuous matcher's (its index refresh follows the ad's commit), so
// the two never match the same new ad at once. An ad written while the change was still open is read.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Ad } from '../../../src/domain/types.js';
import { loadHuntsToBackfill } from '../../../src/sql/hunts/loadHuntsToBackfill.js';
import { ensureAccount } from '../../../src/sql/accounts/ensureAccount.js';
import { insertHunt } from '../../../src/sql/hunts/insertHunt.js';
import { streamAds } from '../../../src/sql/ads/streamAds.js';
import { hunt } from '../../../testkit/domainFixtures.js';
import { adInput, ingestSilently, newBrand } from '../../../testkit/fixtures.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv();

describe('the ads a backfill reads', () => {
  it('are those written before its hunt change committed, and those written while it was open', async () => {
    const brand = newBrand('Horizon');
    const ad = (externalId: string, price = 10_000) => adInput({ externalId, brand, price });
    const since = new Date(Date.now() - 86_400_000);

    await ingestSilently(t.db, [ad('before'), ad('edited-after')]);
    const {
      id,
      accountId,
      createdAt,
      updatedAt: _u,
      version: _v,
      lastScanAt: _l,
      ...settings
    } = hunt({
      id: randomUUID(),
      brands: [brand],
    });
    // The hunt's transaction stays open while another one writes an ad and commits.
    await t.db.transaction((x) => ensureAccount(x, accountId));
    const trx = await t.db.transaction();
    await insertHunt(trx, { id, accountId, settings, now: createdAt });
    await ingestSilently(t.db, [ad('while-open')]);
    await trx.commit();
    const { changeXid } = (await t.db.transaction((x) => loadHuntsToBackfill(x, [id]))).get(id)!;
    // A write's horizon is the oldest transaction still running anywhere on the server (other test
    // files' too): once it is past the hunt's, every write has seen the hunt.
    await waitFor(
      async () =>
        BigInt(
          (await t.db.raw<{ rows: Array<{ x: string }> }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x'))
            .rows[0]!.x,
        ) > BigInt(changeXid),
      { message: "every transaction older than the hunt's finished" },
    );
    await ingestSilently(t.db, [ad('after'), ad('edited-after', 11_000)]);
    // Sent again unchanged: no AdScraped follows, so its version keeps the stamp it was matched with.
    await ingestSilently(t.db, [ad('before')]);

    const read: Ad[] = [];
    for await (const page of streamAds(t.db, { scrapedSince: since, notSeenBy: changeXid }))
      read.push(...page.filter((a) => a.brand === brand));
    expect(read.map((a) => a.externalId).sort()).toEqual(['before', 'while-open']);

    const all: Ad[] = [];
    for await (const page of streamAds(t.db, { scrapedSince: since }))
      all.push(...page.filter((a) => a.brand === brand));
    expect(all).toHaveLength(4);
  });
});
