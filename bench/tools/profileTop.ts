// Summarises a V8 CPU profile (node --cpu-prof): functions by self time, and the same grouped by
// file; with --inclusive, time spent in each function and what it calls (who pays for writev). --last S
// keeps the last S seconds only (a benchmark's measured phase, without its set-up).
// Usage: npx tsx bench/tools/profileTop.ts <file.cpuprofile> [--top 25] [--filter src/] [--last 60] [--inclusive]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '25' },
    filter: { type: 'string' },
    last: { type: 'string' },
    inclusive: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: tsx bench/tools/profileTop.ts <file.cpuprofile> [--top N] [--filter text]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Self time per node from the samples and their time deltas (microseconds).
const selfUs = new Map<number, number>();
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
// Sample times, to keep only the last seconds when asked.
const times: number[] = [];
for (let i = 0, t = profile.startTime; i < samples.length; i++) times.push((t += deltas[i] ?? 0));
const from = values.last ? profile.endTime - Number(values.last) * 1e6 : profile.startTime;
for (let i = 0; i < samples.length; i++)
  if (times[i]! >= from) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
const totalUs = profile.endTime - from;

const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
};
const fn = new Map<string, number>();
const files = new Map<string, number>();
let busyUs = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const name = label(n);
  if (values.filter && !name.includes(values.filter)) continue;
  if (!['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName)) busyUs += us;
  fn.set(name, (fn.get(name) ?? 0) + us);
  const f = n.callFrame.url
    ? n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/[^/]+|src\/.+|bench\/.+)$/, '$1')
    : n.callFrame.functionName;
  files.set(f, (files.get(f) ?? 0) + us);
}
const top = Number(values.top);
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
process.stdout.write(
  `profile: ${(totalUs / 1e6).toFixed(1)} s wall, ${(busyUs / 1e6).toFixed(1)} s in JavaScript and native code (idle, program and GC aside)\n\nself time by function:\n`,
);
for (const [name, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${ms(us)} ${pct(us)}  ${name}\n`);
process.stdout.write('\nself time by file / package:\n');
for (const [name, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, Math.min(top, 15)))
  process.stdout.write(`${ms(us)} ${pct(us)}  ${name}\n`);

if (values.inclusive) {
  // Inclusive time: a node's own time plus its descendants', summed per function label (recursion counted once per path).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = label(byId.get(cur)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  process.stdout.write('\ninclusive time by function (src/ and node_modules):\n');
  for (const [name, us] of [...inclusive]
    .filter(([n]) => /src\/|node_modules\//.test(n) && (!values.filter || n.includes(values.filter)))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    process.stdout.write(`${ms(us)} ${pct(us)}  ${name}\n`);
  }
}
