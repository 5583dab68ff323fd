// Results: what each scenario returns, the checks that make a run fail, the table, the JSON file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Latency } from './stats.js';
import type { Machine } from './machine.js';

export interface Row {
  /** e.g. "hunt index, 100k hunts". */
  case: string;
  throughput?: { value: number; unit: string };
  latencyMs?: Latency;
  peakRssMb?: number;
  /** Comparison with the baseline or the ceiling, as text ("312x linear scan", "41% of ceiling"). */
  comparison?: string;
  /** Any other measured values (machine-readable). */
  details?: Record<string, number | string | boolean | null>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  sizes: Record<string, number | string>;
  rows: Row[];
  checks: Check[];
  targets: Target[];
  notes: string[];
  peakRssMb: number;
  durationS: number;
}

export interface RunResult {
  startedAt: string;
  mode: 'full' | 'quick';
  seed: number;
  command: string;
  stack: string;
  machine: Machine;
  durationS: number;
  scenarios: ScenarioResult[];
  /** Scenarios that threw, with the error. */
  failures: Array<{ id: string; error: string }>;
}

const fmt = (v: number | undefined, digits = 1) => {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(Math.min(digits, 1));
  return v.toFixed(digits + 1);
};

export function tableRows(result: RunResult): string[][] {
  const rows: string[][] = [];
  for (const s of result.scenarios) {
    for (const r of s.rows) {
      rows.push([
        s.id,
        r.case,
        r.throughput ? `${fmt(r.throughput.value)} ${r.throughput.unit}` : '',
        fmt(r.latencyMs?.p50, 2),
        fmt(r.latencyMs?.p95, 2),
        fmt(r.latencyMs?.p99, 2),
        r.peakRssMb !== undefined ? String(r.peakRssMb) : '',
        r.comparison ?? '',
      ]);
    }
  }
  return rows;
}

const HEADER = ['', 'case', 'throughput', 'p50 ms', 'p95 ms', 'p99 ms', 'peak RSS MB', 'vs baseline / ceiling'];

export function textTable(result: RunResult): string {
  const rows = [HEADER, ...tableRows(result)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (r: string[]) =>
    r.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(result: RunResult): string {
  const rows = tableRows(result);
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| scenario | case | throughput | p50 ms | p95 ms | p99 ms | peak RSS MB | vs baseline / ceiling |`,
    `|---|---|--:|--:|--:|--:|--:|---|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function targetsText(result: RunResult): string {
  const lines = result.scenarios.flatMap((s) =>
    s.targets.map((t) => `  [${t.met ? 'met' : 'NOT met'}] ${s.id}: ${t.name}: goal ${t.goal}, measured ${t.measured}`),
  );
  return lines.join('\n');
}

export function checksText(result: RunResult): string {
  const lines = result.scenarios.flatMap((s) =>
    s.checks.map((c) => `  [${c.ok ? 'ok' : 'FAILED'}] ${s.id}: ${c.name}: ${c.detail}`),
  );
  for (const f of result.failures) lines.push(`  [FAILED] ${f.id}: the scenario threw: ${f.error}`);
  return lines.join('\n');
}

export async function writeJson(path: string, value: unknown) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** What a scenario fills in: its table rows, its checks (pass or fail), its targets (met or not), its notes. */
export const emptyReport = () => ({
  rows: [] as Row[],
  checks: [] as Check[],
  targets: [] as Target[],
  notes: [] as string[],
});
