// The JSON of values the routes answer, where the schema says how (src/http/schemas.ts).

/** A date-time that may be missing (a `nullable(dateTime)` property): its ISO 8601 string, or null. */
export const isoOrNull = (date: Date | null | undefined) => date?.toISOString() ?? null;
