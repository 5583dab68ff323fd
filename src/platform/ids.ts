// Ids: UUIDv7 (time-ordered, so rows and events sort by creation), with random bits drawn from a
// pooled buffer: the uuid package asks the kernel for 16 bytes per id, a system call per id, and the
// matcher makes tens of ids per ad.
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const POOL_IDS = 1024;
const pool = new Uint8Array(16 * POOL_IDS);
let next = POOL_IDS;

function pooledRandom(): Uint8Array {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  return pool.subarray(16 * next, 16 * ++next);
}

/** A new UUIDv7; `at` sets the time it carries (the root of a chain carries its request's time). */
export const newId = (at?: Date): string =>
  uuidv7(at ? { msecs: at.getTime(), random: pooledRandom() } : { random: pooledRandom() });
