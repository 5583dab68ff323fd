// npm run bench [-- --quick] [-- --scenario A,C] [-- --seed 42] [-- --keep]
//
// Starts the same local stack as the tests (src/stack/provideStack.ts: Kafka and PostgreSQL, a local
// Kafka broker from Maven jars when none is configured), runs the scenarios on fresh databases and
// topics, prints a table, and writes bench/results/<timestamp>.json (quick runs: quick-<timestamp>.json,
// which git ignores). Exits 1 when a scenario failed or a check did not hold (e.g. the two ways of
// matching disagree, or nothing was produced): the quick mode is a smoke test for CI.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchEnv } from './lib/benchEnv.js';
import { describeMachine } from './lib/machine.js';
import { trackMemory } from './lib/memory.js';
import { checksText, targetsText, textTable, writeJson, type RunResult, type ScenarioResult } from './lib/report.js';
import type { Ceilings, Scenario, ScenarioContext } from './scenarios/context.js';
import { ceilings } from './scenarios/ceilings.js';
import { matchingCore } from './scenarios/matchingCore.js';
import { dailyCatchUp } from './scenarios/dailyCatchUp.js';
import { outboxRelay } from './scenarios/outboxRelay.js';
import { endToEnd } from './scenarios/endToEnd.js';
import { ingestion } from './scenarios/ingestion.js';
import { toTheSeller } from './scenarios/toTheSeller.js';
import { senderThroughput } from './scenarios/senderThroughput.js';
import { huntPreview } from './scenarios/huntPreview.js';
import { soak } from './scenarios/soak.js';
import { scale } from './scenarios/scale.js';

// E first: the others are given as a fraction of its ceilings.
const SCENARIOS: Scenario[] = [
  ceilings,
  matchingCore,
  dailyCatchUp,
  outboxRelay,
  endToEnd,
  toTheSeller,
  senderThroughput,
  ingestion,
  huntPreview,
  soak,
  scale,
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    seed: { type: 'string', default: '20261128' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    'log-level': { type: 'string', default: process.env.BENCH_LOG_LEVEL ?? 'error' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(
    [
      'npm run bench -- [--quick] [--scenario "A,B,C,D,D\',E,F,S,P,soak"] [--seed N] [--keep] [--out file.json] [--log-level warn]',
      '  --quick      every scenario at tiny sizes, soak included (a smoke test: asserts it ran, not how fast)',
      '  --scenario   a comma-separated subset (E, the ceilings, is cheap and gives the other rows their fractions);',
      '               soak (10 minutes) and SCALE (a country: 1M hunts, 1.5M ads) run only when named',
      '  BENCH_DENSITY=dense   A to D and soak (whose default it is) in the dense world; light (unset) otherwise',
      "  BENCH_DP_RATES=100    D' in the worlds of these rates only; BENCH_DP_LAYOUTS=1 one layout only",
      '  --keep       keep the databases and topics of the run (for inspection)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const wanted = values.scenario ? new Set(values.scenario.split(',').map((s) => s.trim().toUpperCase())) : null;
const unknown = wanted ? [...wanted].filter((id) => !SCENARIOS.some((s) => s.id === id)) : [];
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}\n`);
  process.exit(2);
}
const selected = SCENARIOS.filter((s) => (wanted ? wanted.has(s.id) : values.quick || !s.optIn));
const seed = Number(values.seed);
const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const startedAt = new Date(started);
  log(`${values.quick ? 'quick' : 'full'} run of ${selected.map((s) => s.id).join(', ')}, seed ${seed}`);
  const env = await BenchEnv.start({ logLevel: values['log-level'], progress: (m) => log(`[stack] ${m}`) });
  let stopping: Promise<void> | undefined;
  let interrupted = false;
  const stop = () => (stopping ??= env.stop({ keep: values.keep }));
  // Ctrl-C: stop services, drop databases and topics, stop the Kafka broker we started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      interrupted = true;
      const hardExit = setTimeout(() => process.exit(130), 60_000);
      hardExit.unref();
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    log(env.stack.summary);
    const machine = await describeMachine({ postgresUrl: env.stack.postgresUrl, stackSummary: env.stack.summary });
    const ceilingValues: Ceilings = {};
    const ctx: ScenarioContext = { env, quick: values.quick, seed, now: startedAt, ceilings: ceilingValues, log };
    const result: RunResult = {
      startedAt: startedAt.toISOString(),
      mode: values.quick ? 'quick' : 'full',
      seed,
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      stack: env.stack.summary,
      machine,
      durationS: 0,
      scenarios: [],
      failures: [],
    };
    for (const scenario of selected) {
      if (interrupted) break;
      log(`scenario ${scenario.id}: ${scenario.title}`);
      const t = Date.now();
      const memory = trackMemory();
      try {
        const r = await scenario.run(ctx);
        const peak = memory.stop();
        const done: ScenarioResult = {
          id: scenario.id,
          title: scenario.title,
          durationS: Math.round((Date.now() - t) / 100) / 10,
          ...r,
          peakRssMb: r.peakRssMb ?? peak.peakRssMb,
        };
        result.scenarios.push(done);
        log(`scenario ${scenario.id} done in ${done.durationS}s`);
      } catch (error) {
        memory.stop();
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        result.failures.push({ id: scenario.id, error: message });
        log(`scenario ${scenario.id} FAILED: ${message}`);
      }
    }
    result.durationS = Math.round((Date.now() - started) / 1000);
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const out =
      values.out ?? fileURLToPath(new URL(`./results/${values.quick ? 'quick-' : ''}${stamp}.json`, import.meta.url));
    await writeJson(out, result);

    const failedChecks = result.scenarios.flatMap((s) => s.checks.filter((c) => !c.ok));
    process.stdout.write(`\n${textTable(result)}\n\nChecks:\n${checksText(result)}\n`);
    const targets = targetsText(result);
    if (targets) process.stdout.write(`\nTargets:\n${targets}\n`);
    for (const s of result.scenarios) for (const n of s.notes) process.stdout.write(`note ${s.id}: ${n}\n`);
    process.stdout.write(
      `\n${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB; node ${machine.node}; ${machine.kafka}; ${machine.postgres}\n`,
    );
    process.stdout.write(`Wrote ${out} (${result.durationS}s)\n`);
    return result.failures.length > 0 || failedChecks.length > 0 ? 1 : 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
