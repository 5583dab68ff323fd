export const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance (haversine). */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The haversine term `a` below which two points are within `radiusKm`: distance <= r exactly when
 * a <= sin^2(r / 2R). Comparing `a` avoids asin and sqrt in the matching hot path.
 */
export function haversineThreshold(radiusKm: number): number {
  const half = Math.min(Math.PI / 2, radiusKm / (2 * EARTH_RADIUS_KM));
  return Math.sin(half) ** 2;
}

export function haversineTerm(
  latRad1: number,
  cosLat1: number,
  lngRad1: number,
  latRad2: number,
  cosLat2: number,
  lngRad2: number,
): number {
  const sLat = Math.sin((latRad2 - latRad1) / 2);
  const sLng = Math.sin((lngRad2 - lngRad1) / 2);
  return sLat * sLat + cosLat1 * cosLat2 * sLng * sLng;
}

export interface LatLngBox {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/**
 * The latitude/longitude box that contains a circle on the sphere, slightly enlarged (for the hunt
 * index's grid cells and the SQL pre-filter of the backfill). Longitudes may run past ±180 near the
 * antimeridian; a circle around a pole spans every longitude. The exact distance is checked apart.
 */
export function boundingBox(lat: number, lng: number, radiusKm: number): LatLngBox {
  const delta = (radiusKm / EARTH_RADIUS_KM) * 1.001;
  const dLat = (delta * 180) / Math.PI;
  const cosLat = Math.cos(lat * RAD);
  const dLng = Math.sin(delta) >= cosLat ? 180 : (Math.asin(Math.sin(delta) / cosLat) * 180) / Math.PI;
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng };
}
