// "The account's oldest matching hunt" (docs/ARCHITECTURE.md section 2): oldest by creation time, then by id,
// so that every instance, and SQL, agree on the order. The one definition of it.
export function compareAge(aCreatedAtMs: number, aId: string, bCreatedAtMs: number, bId: string): number {
  return aCreatedAtMs - bCreatedAtMs || (aId < bId ? -1 : aId > bId ? 1 : 0);
}
