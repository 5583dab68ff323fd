// Every write to a hunt: the row (a new version) and its HuntChanged event, in one transaction.
import { newId } from '../../platform/ids.js';
import type { Db, Trx } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import { criteriaChanged } from '../../domain/huntCriteria.js';
import type { Hunt, HuntSettings } from '../../domain/types.js';
import type { HuntChange } from '../../events/types.generated.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import { ensureAccount } from '../../sql/accounts/ensureAccount.js';
import { insertHunt } from '../../sql/hunts/insertHunt.js';
import { loadHunt } from '../../sql/hunts/loadHunt.js';
import { softDeleteHunt } from '../../sql/hunts/softDeleteHunt.js';
import { updateHunt } from '../../sql/hunts/updateHunt.js';
import { checkBrands, checkHunt, type HuntFields, type SmsRules } from './huntInput.js';

export interface HuntChangeDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  sms: SmsRules;
  /** Hunts' brands must be LeBonCoin's (BRANDS_CHECK=leboncoin, the default). */
  checkBrands: boolean;
}

/** What a write did, as HuntChanged says it: a status change is PAUSED or ACTIVATED, anything else UPDATED. */
export const changeOf = (before: Pick<Hunt, 'status'>, after: Pick<Hunt, 'status'>): HuntChange =>
  before.status !== after.status ? (after.status === 'paused' ? 'PAUSED' : 'ACTIVATED') : 'UPDATED';

async function announce(
  deps: HuntChangeDeps,
  trx: Trx,
  hunt: Pick<Hunt, 'id' | 'accountId' | 'version'>,
  change: HuntChange,
) {
  await deps.outbox.enqueue(trx, {
    eventType: 'HuntChanged',
    key: hunt.id,
    value: {
      huntId: hunt.id,
      accountId: hunt.accountId,
      change,
      version: hunt.version,
      changedAt: deps.clock.now().getTime(),
    },
  });
}

export async function createHunt(deps: HuntChangeDeps, accountId: string, settings: HuntSettings): Promise<Hunt> {
  checkHunt(settings, deps.sms);
  if (deps.checkBrands) checkBrands(settings);
  return deps.db.transaction(async (trx) => {
    await ensureAccount(trx, accountId);
    const hunt = await insertHunt(trx, { id: newId(), accountId, settings, now: deps.clock.now() });
    await announce(deps, trx, hunt, 'CREATED');
    return hunt;
  });
}

/** `scope.accountId`: the caller may only change that account's hunts (another's answers 404, as a missing one). */
export async function changeHunt(
  deps: HuntChangeDeps,
  id: string,
  patch: HuntFields,
  scope: { accountId?: string } = {},
): Promise<Hunt> {
  return deps.db.transaction(async (trx) => {
    // The row lock serialises writers of one hunt, so versions and events follow commit order.
    const stored = await loadHunt(trx, id, { forUpdate: true });
    if (!stored || stored.deleted || !visible(stored, scope)) throw new NotFoundError(`hunt ${id}`);
    const { deleted: _deleted, ...current } = stored;
    const merged: HuntSettings = { ...settingsOf(current), ...patch };
    // A template is held to the segment limit when it is written, not when another field changes.
    checkHunt(merged, 'outreach' in patch ? deps.sms : undefined);
    // Brands too: checked when they, or the ad type they belong to, are written.
    if (deps.checkBrands && ('brands' in patch || 'adType' in patch)) checkBrands(merged);
    const hunt = await updateHunt(
      trx,
      id,
      merged,
      current.version + 1,
      deps.clock.now(),
      criteriaChanged(current, merged),
    );
    await announce(deps, trx, hunt, changeOf(current, hunt));
    return hunt;
  });
}

export async function deleteHunt(deps: HuntChangeDeps, id: string, scope: { accountId?: string } = {}): Promise<void> {
  await deps.db.transaction(async (trx) => {
    const current = await loadHunt(trx, id, { forUpdate: true });
    if (!current || current.deleted || !visible(current, scope)) throw new NotFoundError(`hunt ${id}`);
    const version = current.version + 1;
    await softDeleteHunt(trx, id, version, deps.clock.now());
    await announce(deps, trx, { ...current, version }, 'DELETED');
  });
}

const visible = (hunt: Pick<Hunt, 'accountId'>, scope: { accountId?: string }) =>
  scope.accountId === undefined || scope.accountId === hunt.accountId;

function settingsOf(h: Hunt): HuntSettings {
  const { id: _id, accountId: _a, version: _v, createdAt: _c, updatedAt: _u, lastScanAt: _l, ...settings } = h;
  return settings;
}
