// Prints a results file as the Markdown that docs/BENCHMARKS.md carries (table, targets, checks, notes):
//   npx tsx bench/tools/markdown.ts bench/results/<timestamp>.json
import { readFileSync } from 'node:fs';
import { markdownTable, type RunResult } from '../lib/report.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx bench/tools/markdown.ts <results.json>\n');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
const m = r.machine;
const out: string[] = [];
out.push(
  `Run of ${r.startedAt} (\`${r.command}\`, seed ${r.seed}, ${Math.round(r.durationS / 60)} min): ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; ${m.kafka}; ${m.postgres}; load average ${m.loadAverageAtStart} at the start.`,
);
out.push('');
out.push(markdownTable(r));
out.push('');
out.push('Targets:');
out.push('');
for (const s of r.scenarios)
  for (const t of s.targets)
    out.push(`- ${t.met ? 'met' : '**not met**'}: ${s.id}, ${t.name}: goal ${t.goal}, measured ${t.measured}`);
out.push('');
out.push('Checks:');
out.push('');
for (const s of r.scenarios)
  for (const c of s.checks)
    out.push(
      `- ${c.ok ? 'ok' : '**failed**'}: ${s.id}, ${c.name}: ${c.detail.length > 300 ? `${c.detail.slice(0, 300)}...` : c.detail}`,
    );
for (const f of r.failures) out.push(`- **failed**: ${f.id} threw: ${f.error.split('\n')[0]}`);
out.push('');
out.push('Notes:');
out.push('');
for (const s of r.scenarios) for (const n of s.notes) out.push(`- ${s.id}: ${n}`);
process.stdout.write(`${out.join('\n')}\n`);
