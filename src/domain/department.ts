// French geography shared by ingestion and the Lobstr mapping.

/** The department of a French postal code: 69003 -> 69, 20090 -> 2A, 20200 -> 2B, 97400 -> 974. */
export function departmentOf(zipcode: string | null): string | null {
  if (zipcode === null || !/^\d{5}$/.test(zipcode) || zipcode.startsWith('00')) return null;
  if (zipcode.startsWith('20')) {
    // Corse-du-Sud is 200xx-201xx, Haute-Corse 202xx-206xx.
    const third = Number(zipcode[2]);
    return third <= 1 ? '2A' : third <= 6 ? '2B' : null;
  }
  if (/^9[78]/.test(zipcode)) return zipcode.slice(0, 3);
  return zipcode.slice(0, 2);
}
