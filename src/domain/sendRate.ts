// The per-account send rate (SEND_RATE_PER_MINUTE): at most `perMinute` attempts in any minute. Pure:
// the sender feeds it the account's attempts of the last minute, counted under the account's lock.

export interface RecentAttempts {
  /** Attempts in the last minute. */
  count: number;
  /** The oldest of them: when it leaves the window, one more attempt is allowed. */
  oldest: Date | null;
}

/**
 * Which of the deliverable messages (in order) may be attempted now; the others wait until the
 * oldest attempt of their account's window leaves it (`until`), when they compete again.
 */
export function applySendRate(
  messages: ReadonlyArray<{ id: string; accountId: string }>,
  recent: ReadonlyMap<string, RecentAttempts>,
  perMinute: number,
  now: Date,
): { attempt: string[]; defer: Array<{ id: string; until: Date }> } {
  const attempt: string[] = [];
  const defer: Array<{ id: string; until: Date }> = [];
  const granted = new Map<string, number>();
  for (const m of messages) {
    const r = recent.get(m.accountId);
    const used = (r?.count ?? 0) + (granted.get(m.accountId) ?? 0);
    if (used < perMinute) {
      attempt.push(m.id);
      granted.set(m.accountId, (granted.get(m.accountId) ?? 0) + 1);
    } else {
      // The attempts granted now are the newest of the window: the oldest decides when room comes back.
      const oldest = r?.oldest ?? now;
      defer.push({ id: m.id, until: new Date(oldest.getTime() + 60_000) });
    }
  }
  return { attempt, defer };
}
