// The hunt index: given an ad, the matching active hunts, without testing every hunt.
//   adType -> brand bucket (one per normalised brand, plus "any brand" for hunts without a brand list)
//          -> geography: radius-0 hunts by zipcode; other hunts in every cell of a lat/lng grid (of the
//             cell size that suits their radius) that their circle's bounding box touches; very wide
//             hunts in a short list of their own.
// An ad has one type, at most one brand, one cell per grid and one zipcode, and a hunt is filed on one
// grid only, so each hunt is a candidate at most once; the exact rules (matchesCompiled) then decide. Same answers as a linear scan, by
// construction, and checked by a property test over thousands of random hunts and ads.
import { boundingBox } from './geo.js';
import { compareAge } from './huntAge.js';
import { compileHunt, prepareAd, type CompiledHunt, type PreparedAd } from './compiledHunt.js';
import { matchesCompiled } from './matchHunt.js';
import type { Ad, Hunt } from './types.js';

/**
 * Grid cell sizes in degrees, finest first (the finest about 28 km north-south, 19 to 22 km east-west
 * in France). Each hunt is filed in the cells of the finest grid on which its circle's bounding box
 * spans at most MAX_CELLS_ACROSS cells north-south: a hunt of a few kilometres in a handful of small
 * cells, a hunt of 200 km in a few dozen large ones rather than hundreds of small ones (memory, and
 * the time to file it), at the price of a few more candidates tested at the edges of the large cells.
 * An ad looks up its one cell in each grid.
 */
const CELL_DEGS = [0.25, 0.5, 1, 2] as const;
const MAX_CELLS_ACROSS = 4;
/** Hunts wider than this are not spread over cells (they would cover hundreds). */
const WIDE_RADIUS_KM = 400;
/** Cell keys of different grids never collide: the grid's rank is the key's high part. */
const GRID_KEY = 10_000_000;

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
const cellOf = (lat: number, lng: number, grid: number) => {
  const deg = CELL_DEGS[grid]!;
  return grid * GRID_KEY + Math.floor((lat + 90) / deg) * Math.round(360 / deg) + Math.floor((lng + 180) / deg);
};
/** An ad's cell in every grid. */
const cellsAt = (lat: number, lng: number) => CELL_DEGS.map((_, grid) => cellOf(lat, lng, grid));

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

/** The cells a hunt's circle may reach (its bounding box on the sphere), on the grid that suits its size. */
function cellsOf(h: CompiledHunt): number[] {
  const box = boundingBox(h.lat, h.lng, h.radiusKm);
  const latFrom = Math.max(-90, box.minLat);
  const latTo = Math.min(90 - 1e-9, box.maxLat);
  let grid = 0;
  while (grid < CELL_DEGS.length - 1 && (latTo - latFrom) / CELL_DEGS[grid]! > MAX_CELLS_ACROSS) grid++;
  const deg = CELL_DEGS[grid]!;
  const perRow = Math.round(360 / deg);
  const cells: number[] = [];
  for (let lat = Math.floor((latFrom + 90) / deg); lat <= Math.floor((latTo + 90) / deg); lat++) {
    const lngFrom = Math.floor((box.minLng + 180) / deg);
    const lngTo = Math.floor((box.maxLng + 180) / deg);
    for (let lng = lngFrom; lng <= lngTo; lng++)
      cells.push(grid * GRID_KEY + lat * perRow + (((lng % perRow) + perRow) % perRow));
  }
  return cells;
}

/** The cells a hunt is filed in: none for a radius-0 or very wide hunt. */
const filedCellsOf = (h: CompiledHunt) => (h.radiusKm > 0 && h.radiusKm <= WIDE_RADIUS_KM ? cellsOf(h) : []);

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
  // The cells are not kept: they are computed again from the hunt when it leaves.
  const byId = new Map<string, { compiled: CompiledHunt; buckets: GeoBucket[] }>();
  // The highest version seen of every hunt, kept after removal, so that a late, older change
  // (paused v3 then active v2 delivered out of order) cannot bring a hunt back.
  const versions = new Map<string, number>();

  function unplace(huntId: string) {
    const held = byId.get(huntId);
    if (!held) return;
    place(held.compiled, held.buckets, filedCellsOf(held.compiled), false);
    byId.delete(huntId);
  }

  function matchPrepared(p: PreparedAd): CompiledHunt[] {
    const out: CompiledHunt[] = [];
    const type = types.get(p.ad.adType);
    if (!type) return out;
    const cells = p.hasCoordinates ? cellsAt(p.ad.lat!, p.ad.lng!) : [];
    let words: Set<string> | undefined;
    const collectKeyed = (k: KeyedBuckets | undefined) => {
      if (!k) return;
      collect(k.plain, p, cells, out);
      if (k.byWord.size === 0) return;
      words ??= new Set(p.text().trim().split(' '));
      // Each hunt sits under one word, and the words are distinct: no hunt is visited twice.
      if (words.size < k.byWord.size) for (const w of words) collect(k.byWord.get(w), p, cells, out);
      else for (const [w, bucket] of k.byWord) if (words.has(w)) collect(bucket, p, cells, out);
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
      place(compiled, buckets, filedCellsOf(compiled), true);
      byId.set(hunt.id, { compiled, buckets });
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
function collect(bucket: GeoBucket | undefined, p: PreparedAd, cells: number[], out: CompiledHunt[]) {
  if (!bucket) return;
  if (p.ad.zipcode !== null) {
    const local = bucket.byZipcode.get(p.ad.zipcode);
    if (local) for (const h of local) if (matchesCompiled(p, h)) out.push(h);
  }
  if (p.hasCoordinates) {
    for (const cell of cells) {
      const near = bucket.cells.get(cell);
      if (near) for (const h of near) if (matchesCompiled(p, h)) out.push(h);
    }
    for (const h of bucket.wide) if (matchesCompiled(p, h)) out.push(h);
  }
}
