// The matcher's one way into its hunt index (src/consumers/matcher/huntIndexSync.ts) against a real
// PostgreSQL: writers commit out of order, one rolls back, one stamped its row with a clock a minute
// behind, and every refresh must read exactly the rows committed since the one before, once.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Trx } from '../../../src/db/knex.js';
import { createHuntIndex, type HuntIndex } from '../../../src/domain/huntIndex.js';
import type { Hunt, HuntSettings } from '../../../src/domain/types.js';
import { startHuntIndexSync, type HuntIndexSync } from '../../../src/consumers/matcher/huntIndexSync.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { insertHunt } from '../../../src/sql/hunts/insertHunt.js';
import { loadActiveHuntsWithHorizon, loadHuntsChangedSince } from '../../../src/sql/hunts/loadHuntsChangedSince.js';
import { markHuntsScanned } from '../../../src/sql/hunts/markHuntsScanned.js';
import { softDeleteHunt } from '../../../src/sql/hunts/softDeleteHunt.js';
import { updateHunt } from '../../../src/sql/hunts/updateHunt.js';
import { ad, hunt } from '../../../testkit/domainFixtures.js';
import { newBrand } from '../../../testkit/fixtures.js';
import { useTestEnv } from '../../../testkit/testEnv.js';

const t = useTestEnv();
const account = randomUUID();
const log = createLogger({ level: 'silent', pretty: 'false' });

beforeAll(async () => {
  await t.db('accounts').insert({ id: account, name: 'Garage du test' });
});

const open: Trx[] = [];
afterEach(async () => {
  for (const trx of open.splice(0)) if (!trx.isCompleted()) await trx.rollback();
});

function settingsOf(brand: string, overrides: Partial<HuntSettings> = {}): HuntSettings {
  const {
    id: _i,
    accountId: _a,
    version: _v,
    createdAt: _c,
    updatedAt: _u,
    lastScanAt: _l,
    ...settings
  } = hunt({ brands: [brand] });
  return { ...settings, ...overrides };
}

/** A writer that stamps a new hunt and stays open (its transaction id is taken by the insert). */
async function writer(brand: string, now = new Date()): Promise<{ trx: Trx; hunt: Hunt }> {
  const trx = await t.db.transaction();
  open.push(trx);
  return {
    trx,
    hunt: await insertHunt(trx, { id: randomUUID(), accountId: account, settings: settingsOf(brand), now }),
  };
}

/** A real index whose upserts and removals are noted: what each refresh read. */
function recordingIndex() {
  const real = createHuntIndex();
  let read: string[] = [];
  const index = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'upsert') return (h: Hunt) => (read.push(h.id), target.upsert(h));
      if (prop === 'remove') return (id: string, version?: number) => (read.push(id), target.remove(id, version));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as HuntIndex;
  return { index, take: () => [read, (read = [])][0]!.sort() };
}

async function startSync() {
  const metrics = createMetrics({ defaultMetrics: false });
  const recorder = recordingIndex();
  const sync: HuntIndexSync = await startHuntIndexSync({ db: t.db, log, metrics }, recorder.index);
  const loaded = recorder.take();
  const rowsRead = async (read: 'load' | 'refresh') =>
    (await metrics.huntIndexRowsRead.get()).values.find((v) => v.labels.read === read)?.value ?? 0;
  /** Refreshes as the matcher does, inside a batch's transaction, and says what was read. */
  const refresh = async () => {
    await t.db.transaction((trx) => sync.refresh(trx));
    return recorder.take();
  };
  return { index: recorder.index, loaded, refresh, rowsRead };
}

const matchesOf = (index: HuntIndex, brand: string) => index.match(ad({ brand })).map((m) => m.hunt.id);

describe('the hunt index refresh', () => {
  it('reads each committed hunt once, in commit order, whatever the order of the writers and their clocks', async () => {
    const s = await startSync();
    const brands = [newBrand(), newBrand(), newBrand(), newBrand()];
    // Four writers take their transaction ids in this order; the first stamps updated_at a minute
    // back, as a writer with a late clock, or one whose commit took a minute, would.
    const w1 = await writer(brands[0]!, new Date(Date.now() - 60_000));
    const w2 = await writer(brands[1]!);
    const w3 = await writer(brands[2]!);
    const w4 = await writer(brands[3]!);
    expect(await s.refresh()).toEqual([]);

    await w3.trx.commit();
    expect(await s.refresh()).toEqual([w3.hunt.id]);
    // The oldest transaction id, and the oldest updated_at, committed after a younger one was read.
    await w1.trx.commit();
    expect(await s.refresh()).toEqual([w1.hunt.id]);
    await w2.trx.rollback();
    expect(await s.refresh()).toEqual([]);
    await w4.trx.commit();
    expect(await s.refresh()).toEqual([w4.hunt.id]);
    expect(await s.refresh()).toEqual([]);

    expect(await s.rowsRead('refresh')).toBe(3);
    expect(matchesOf(s.index, brands[0]!)).toEqual([w1.hunt.id]);
    expect(matchesOf(s.index, brands[1]!)).toEqual([]);
    expect(matchesOf(s.index, brands[2]!)).toEqual([w3.hunt.id]);
    expect(matchesOf(s.index, brands[3]!)).toEqual([w4.hunt.id]);
  });

  it('loads the active hunts at start, and the first refresh reads a hunt whose writer was still open during the load', async () => {
    const paused = newBrand();
    const active = newBrand();
    const late = newBrand();
    // The late writer takes its id before the others, which commit before the load.
    const w = await writer(late);
    await t.db.transaction(async (trx) => {
      await insertHunt(trx, {
        id: randomUUID(),
        accountId: account,
        settings: settingsOf(paused, { status: 'paused' }),
        now: new Date(),
      });
      await insertHunt(trx, { id: randomUUID(), accountId: account, settings: settingsOf(active), now: new Date() });
    });

    const s = await startSync();
    expect(matchesOf(s.index, active)).toHaveLength(1);
    expect(matchesOf(s.index, paused)).toEqual([]);
    expect(await s.rowsRead('load')).toBe(s.index.size);
    expect(s.loaded).toHaveLength(s.index.size);
    expect(await s.refresh()).toEqual([]);

    await w.trx.commit();
    expect(await s.refresh()).toEqual([w.hunt.id]);
    expect(matchesOf(s.index, late)).toEqual([w.hunt.id]);
  });

  it('reads an edit and a deletion once, and not the scan bookkeeping of a backfill or a tick', async () => {
    const s = await startSync();
    const brand = newBrand();
    const other = newBrand();
    const w = await writer(brand);
    await w.trx.commit();
    expect(await s.refresh()).toEqual([w.hunt.id]);

    // A backfill, then a tick, mark the hunt scanned: not a change of the hunt.
    await t.db.transaction((trx) => markHuntsScanned(trx, [w.hunt.id], new Date()));
    await t.db.transaction((trx) => markHuntsScanned(trx, [w.hunt.id], new Date(), 'daily:2030-01-01'));
    expect(await s.refresh()).toEqual([]);

    // An edit (a new version, as PATCH writes it) is read once, and takes effect.
    await t.db.transaction((trx) => updateHunt(trx, w.hunt.id, settingsOf(other), 2, new Date()));
    expect(await s.refresh()).toEqual([w.hunt.id]);
    expect(await s.refresh()).toEqual([]);
    expect(matchesOf(s.index, brand)).toEqual([]);
    expect(matchesOf(s.index, other)).toEqual([w.hunt.id]);

    // An edit inside a savepoint (a nested knex transaction) is stamped with the outer transaction.
    const outer = await t.db.transaction();
    open.push(outer);
    await outer.transaction((inner) =>
      updateHunt(inner, w.hunt.id, settingsOf(other, { status: 'paused' }), 3, new Date()),
    );
    expect(await s.refresh()).toEqual([]);
    await outer.commit();
    expect(await s.refresh()).toEqual([w.hunt.id]);
    expect(matchesOf(s.index, other)).toEqual([]);

    await t.db.transaction((trx) => softDeleteHunt(trx, w.hunt.id, 4, new Date()));
    expect(await s.refresh()).toEqual([w.hunt.id]);
    expect(await s.refresh()).toEqual([]);
    expect(await s.rowsRead('refresh')).toBe(4);
  });

  it('gives every one of several refreshes called at once what was committed before its call', async () => {
    const s = await startSync();
    const brands = Array.from({ length: 6 }, () => newBrand());
    const refreshes: Array<Promise<string[]>> = [];
    for (const brand of brands) {
      const w = await writer(brand);
      await w.trx.commit();
      refreshes.push(s.refresh().then(() => matchesOf(s.index, brand)));
    }
    // Each refresh sees its own hunt (committed before it was called), whatever the others do.
    expect((await Promise.all(refreshes)).map((ids) => ids.length)).toEqual(brands.map(() => 1));
    expect(await s.rowsRead('refresh')).toBe(brands.length);
  });
});

describe('the hunt index load', () => {
  it('reads every active hunt a page at a time, in one snapshot with its horizon', async () => {
    await t.db.transaction(async (trx) => {
      const insert = () =>
        insertHunt(trx, { id: randomUUID(), accountId: account, settings: settingsOf(newBrand()), now: new Date() });
      for (let i = 0; i < 7; i++) await insert();
      const gone = await insert();
      await softDeleteHunt(trx, gone.id, gone.version + 1, new Date());
    });
    const active = (await t.db('hunts').where({ deleted_at: null, status: 'active' }).pluck('id')) as string[];

    // A page of 3 rows: the hunts span several pages, and the last one is short.
    const late = await writer(newBrand());
    const load = await loadActiveHuntsWithHorizon(t.db, 3);
    expect(load.hunts.map((h) => h.id).sort()).toEqual([...active].sort());
    expect(load.hunts.every((h) => !h.deleted)).toBe(true);

    // The writer still open during the load is read by the first read after it, and only it.
    await late.trx.commit();
    const next = await loadHuntsChangedSince(t.db, load.horizon);
    expect(next.hunts.map((h) => h.id)).toEqual([late.hunt.id]);
  });
});
