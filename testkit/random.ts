// A small seeded PRNG (mulberry32: same seed, same sequence) for the test suite and the bench, plus the
// few distributions the bench's data generator needs.
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
    uniform: (min: number, max: number) => min + next() * (max - min),
    normal,
    /** exp(N(mu, sigma)): prices, mileages and account sizes are skewed like this. */
    logNormal: (mu: number, sigma: number) => Math.exp(mu + sigma * normal()),
    /** A UUID (version 4 layout) drawn from this sequence, so that ids are reproducible too. */
    uuid: () => {
      const hex: string[] = [];
      for (let i = 0; i < 4; i++)
        hex.push(
          Math.floor(next() * 0x100000000)
            .toString(16)
            .padStart(8, '0'),
        );
      const h = hex.join('');
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** Picks items by weight with a prefix-sum table built once (binary search per draw). */
export function weightedPicker<T>(items: readonly T[], weight: (item: T) => number) {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) {
    total += Math.max(0, weight(item));
    cumulative.push(total);
  }
  return (random: Random): T => {
    const x = random.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]!;
  };
}

/** A derived seed, so that each part of a data set has its own stream (adding hunts does not change the ads). */
export const subSeed = (seed: number, name: string) => {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};
