// The hunt index: given an ad, the matching active hunts, without testing every hunt.
//   adType -> brand bucket (one per normalised brand, plus "any brand" for hunts without a brand list)
//          -> geography: radius-0 hunts by zipcode; other hunts in every cell of a coarse lat/lng grid
//             that their circle's bounding box touches; very wide hunts in a short list of their own.
// An ad has one type, at most one brand, one cell and one zipcode, so each hunt is a candidate at
// most once; the exact rules (matchesCompiled) then decide. Same answers as a linear scan, by
// construction, and checked by a property test over thousands of random hunts and ads.
import { boundingBox } from './geo.js';
import { compareAge } from './huntAge.js';
import { compileHunt, prepareAd, type CompiledHunt, type PreparedAd } from './compiledHunt.js';
import { matchesCompiled } from './matchHunt.js';
import type { Ad, Hunt } from './types.js';

/** Grid cell size in degrees (about 28 km north-south, 19 to 22 km east-west in France). */
const CELL_DEG = 0.25;
/** Hunts wider than this are not spread over cells (they would cover hundreds). */
const WIDE_RADIUS_KM = 400;
const CELLS_PER_ROW = Math.round(360 / CELL_DEG);

interface GeoBucket {
  cells: Map<number, CompiledHunt[]>;
  byZipcode: Map<string, CompiledHunt[]>;
  wide: CompiledHunt[];
}

/**
 * A hunt with keywords only matches an ad whose text holds its first keyword, so the first word of
 * that keyword is a necessary word of the ad: such hunts are filed under it, and an ad visits only
 * the buckets of its own words (most hunts name a model, so this divides the candidates many times).
 */
interface KeyedBuckets {
  plain: GeoBucket;
  byWord: Map<string, GeoBucket>;
}

interface TypeBucket {
  byBrand: Map<string, KeyedBuckets>;
  anyBrand: KeyedBuckets;
}

const newGeoBucket = (): GeoBucket => ({ cells: new Map(), byZipcode: new Map(), wide: [] });
const newKeyedBuckets = (): KeyedBuckets => ({ plain: newGeoBucket(), byWord: new Map() });
/** Keywords are normalised and padded (' gt line '): their first word. */
const firstWordOf = (keyword: string) => keyword.trim().split(' ')[0]!;
const cellOf = (lat: number, lng: number) =>
  Math.floor((lat + 90) / CELL_DEG) * CELLS_PER_ROW + Math.floor((lng + 180) / CELL_DEG);

function push<K>(map: Map<K, CompiledHunt[]>, key: K, h: CompiledHunt) {
  const list = map.get(key);
  if (list) list.push(h);
  else map.set(key, [h]);
}

function drop<K>(map: Map<K, CompiledHunt[]>, key: K, h: CompiledHunt) {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(h);
  if (i >= 0) {
    list[i] = list[list.length - 1]!;
    list.pop();
  }
  if (list.length === 0) map.delete(key);
}

/** The cells a hunt's circle may reach: its bounding box on the sphere. */
function cellsOf(h: CompiledHunt): number[] {
  const box = boundingBox(h.lat, h.lng, h.radiusKm);
  const cells: number[] = [];
  const latFrom = Math.max(-90, box.minLat);
  const latTo = Math.min(90 - 1e-9, box.maxLat);
  for (let lat = Math.floor((latFrom + 90) / CELL_DEG); lat <= Math.floor((latTo + 90) / CELL_DEG); lat++) {
    const lngFrom = Math.floor((box.minLng + 180) / CELL_DEG);
    const lngTo = Math.floor((box.maxLng + 180) / CELL_DEG);
    for (let lng = lngFrom; lng <= lngTo; lng++)
      cells.push(lat * CELLS_PER_ROW + (((lng % CELLS_PER_ROW) + CELLS_PER_ROW) % CELLS_PER_ROW));
  }
  return cells;
}

export interface HuntIndex {
  readonly size: number;
  /** Adds or replaces a hunt (by id); a hunt that is not active is removed; an older version is ignored. */
  upsert(hunt: Hunt): void;
  /** Removes a hunt; with a version, a later upsert of a newer version may bring it back. */
  remove(huntId: string, version?: number): void;
  get(huntId: string): Hunt | undefined;
  /** The active hunts the ad matches, oldest first (createdAt, then id). */
  match(ad: Ad): CompiledHunt[];
  matchPrepared(ad: PreparedAd): CompiledHunt[];
  /** Every indexed hunt, compiled (for linear scans and tests). */
  all(): CompiledHunt[];
}

export function createHuntIndex(): HuntIndex {
  const types = new Map<string, TypeBucket>();
  const byId = new Map<string, { compiled: CompiledHunt; buckets: GeoBucket[]; cells: number[] }>();
  // The highest version seen of every hunt, kept after removal, so that a late, older change
  // (paused v3 then active v2 delivered out of order) cannot bring a hunt back.
  const versions = new Map<string, number>();

  function unplace(huntId: string) {
    const held = byId.get(huntId);
    if (!held) return;
    place(held.compiled, held.buckets, held.cells, false);
    byId.delete(huntId);
  }

  function matchPrepared(p: PreparedAd): CompiledHunt[] {
    const out: CompiledHunt[] = [];
    const type = types.get(p.ad.adType);
    if (!type) return out;
    const cell = p.hasCoordinates ? cellOf(p.ad.lat!, p.ad.lng!) : -1;
    let words: Set<string> | undefined;
    const collectKeyed = (k: KeyedBuckets | undefined) => {
      if (!k) return;
      collect(k.plain, p, cell, out);
      if (k.byWord.size === 0) return;
      words ??= new Set(p.text().trim().split(' '));
      // Each hunt sits under one word, and the words are distinct: no hunt is visited twice.
      if (words.size < k.byWord.size) for (const w of words) collect(k.byWord.get(w), p, cell, out);
      else for (const [w, bucket] of k.byWord) if (words.has(w)) collect(bucket, p, cell, out);
    };
    if (p.brand !== null) collectKeyed(type.byBrand.get(p.brand));
    collectKeyed(type.anyBrand);
    if (out.length > 1) out.sort(byAge);
    return out;
  }

  return {
    get size() {
      return byId.size;
    },
    upsert(hunt) {
      if ((versions.get(hunt.id) ?? -Infinity) > hunt.version) return;
      versions.set(hunt.id, hunt.version);
      unplace(hunt.id);
      if (hunt.status !== 'active') return;
      const compiled = compileHunt(hunt);
      const buckets = geoBucketsFor(types, compiled);
      const cells = compiled.radiusKm > 0 && compiled.radiusKm <= WIDE_RADIUS_KM ? cellsOf(compiled) : [];
      place(compiled, buckets, cells, true);
      byId.set(hunt.id, { compiled, buckets, cells });
    },
    remove(huntId, version = Number.MAX_SAFE_INTEGER) {
      versions.set(huntId, Math.max(version, versions.get(huntId) ?? -Infinity));
      unplace(huntId);
    },
    get: (huntId) => byId.get(huntId)?.compiled.hunt,
    match: (ad) => matchPrepared(prepareAd(ad)),
    matchPrepared,
    all: () => [...byId.values()].map((v) => v.compiled),
  };
}

/** An index of these hunts (those that are active). */
export function huntIndexOf(hunts: Iterable<Hunt>): HuntIndex {
  const index = createHuntIndex();
  for (const h of hunts) index.upsert(h);
  return index;
}

export const byAge = (a: CompiledHunt, b: CompiledHunt) => compareAge(a.createdAtMs, a.id, b.createdAtMs, b.id);

/** The reference the index is checked against: every hunt, the same rules. */
export function linearScan(hunts: readonly CompiledHunt[], ad: Ad): CompiledHunt[] {
  const p = prepareAd(ad);
  return hunts.filter((h) => matchesCompiled(p, h)).sort(byAge);
}

/** The buckets a hunt goes in: by ad type, by brand (or any), by its first keyword's first word (or none). */
function geoBucketsFor(types: Map<string, TypeBucket>, h: CompiledHunt): GeoBucket[] {
  let type = types.get(h.adType);
  if (!type) types.set(h.adType, (type = { byBrand: new Map(), anyBrand: newKeyedBuckets() }));
  const t = type;
  const keyed =
    h.brands === null
      ? [t.anyBrand]
      : [...h.brands].map((brand) => {
          let b = t.byBrand.get(brand);
          if (!b) t.byBrand.set(brand, (b = newKeyedBuckets()));
          return b;
        });
  const word = h.keywords.length > 0 ? firstWordOf(h.keywords[0]!) : null;
  return keyed.map((k) => {
    if (word === null) return k.plain;
    let b = k.byWord.get(word);
    if (!b) k.byWord.set(word, (b = newGeoBucket()));
    return b;
  });
}

/** Adds a hunt to (or takes it from) its buckets: by zipcode, by the cells its radius covers, or with the wide ones. */
function place(h: CompiledHunt, buckets: GeoBucket[], cells: number[], add: boolean) {
  for (const b of buckets) {
    if (h.radiusKm === 0) (add ? push : drop)(b.byZipcode, h.zipcode, h);
    else if (h.radiusKm > WIDE_RADIUS_KM) {
      if (add) b.wide.push(h);
      else b.wide.splice(b.wide.indexOf(h), 1);
    } else for (const c of cells) (add ? push : drop)(b.cells, c, h);
  }
}

/** The hunts of a bucket that match the ad: by its zipcode, its cell, and the wide ones. */
function collect(bucket: GeoBucket | undefined, p: PreparedAd, cell: number, out: CompiledHunt[]) {
  if (!bucket) return;
  if (p.ad.zipcode !== null) {
    const local = bucket.byZipcode.get(p.ad.zipcode);
    if (local) for (const h of local) if (matchesCompiled(p, h)) out.push(h);
  }
  if (p.hasCoordinates) {
    const near = bucket.cells.get(cell);
    if (near) for (const h of near) if (matchesCompiled(p, h)) out.push(h);
    for (const h of bucket.wide) if (matchesCompiled(p, h)) out.push(h);
  }
}
