// Defaults filled in, one way for every input (an ad of POST /v1/ads or Lobstr, a new hunt).

/** Every field of `defaults`, taken from `given` where it has a value there (neither null nor undefined); other fields of `given` are left out. */
export function filledIn<T extends object>(defaults: T, given: { [K in keyof T]?: T[K] | null }): T {
  const out = { ...defaults };
  for (const k of Object.keys(defaults) as Array<keyof T>) {
    const v = given[k];
    if (v !== null && v !== undefined) out[k] = v as T[keyof T];
  }
  return out;
}
