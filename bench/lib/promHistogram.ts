// Reads a Prometheus histogram out of a /metrics text (the service's hunt_matcher_hop_seconds), so that a scenario can
// take the difference between two scrapes and estimate its quantiles the way Prometheus'
// histogram_quantile() does (linear interpolation inside the bucket).

export interface Histogram {
  /** Cumulative counts by upper bound (seconds), ascending, +Inf last. */
  buckets: Array<[number, number]>;
  sum: number;
  count: number;
}

/** Every series of `name` in `text`, keyed by the value of `label`. */
export function parseHistograms(text: string, name: string, label: string): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  const get = (key: string) => {
    let h = out.get(key);
    if (!h) out.set(key, (h = { buckets: [], sum: 0, count: 0 }));
    return h;
  };
  const labelOf = (labels: string) => new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} ([0-9.eE+-]+|NaN|\+Inf)$/.exec(line);
    if (!m) continue;
    const [, metric, labels, value] = m;
    const key = labelOf(labels!);
    if (key === undefined) continue;
    if (metric === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(labels!)?.[1];
      get(key).buckets.push([le === '+Inf' ? Infinity : Number(le), Number(value)]);
    } else if (metric === `${name}_sum`) get(key).sum = Number(value);
    else if (metric === `${name}_count`) get(key).count = Number(value);
  }
  for (const h of out.values()) h.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/** after - before, series by series (a series missing before counts from zero). */
export function diffHistograms(after: Map<string, Histogram>, before: Map<string, Histogram>): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  for (const [key, a] of after) {
    const b = before.get(key);
    out.set(key, {
      buckets: a.buckets.map(([le, n]) => [le, n - (b?.buckets.find(([l]) => l === le)?.[1] ?? 0)]),
      sum: a.sum - (b?.sum ?? 0),
      count: a.count - (b?.count ?? 0),
    });
  }
  return out;
}

/** Sum of several processes' histograms of the same series. */
export function addHistograms(list: Histogram[]): Histogram | undefined {
  const [first, ...rest] = list;
  if (!first) return undefined;
  return rest.reduce<Histogram>(
    (acc, h) => ({
      buckets: acc.buckets.map(([le, n], i) => [le, n + (h.buckets[i]?.[1] ?? 0)]),
      sum: acc.sum + h.sum,
      count: acc.count + h.count,
    }),
    first,
  );
}

/** The q-quantile in seconds, interpolated inside its bucket (histogram_quantile). NaN when empty. */
export function quantile(h: Histogram, q: number): number {
  const total = h.buckets[h.buckets.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of h.buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** A phase's histograms of every process (after - before, process by process), added up per series. */
export function mergeProcesses(
  after: Array<Map<string, Histogram>>,
  before: Array<Map<string, Histogram>>,
  keys: readonly string[],
): Map<string, Histogram> {
  const perProcess = after.map((a, i) => diffHistograms(a, before[i]!));
  const out = new Map<string, Histogram>();
  for (const key of keys) {
    const h = addHistograms(perProcess.map((p) => p.get(key)).filter((x): x is Histogram => x !== undefined));
    if (h) out.set(key, h);
  }
  return out;
}
