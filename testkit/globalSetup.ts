// Provides the real stack to every test file: a Kafka broker and a migrated template database.
import type { TestProject } from 'vitest/node';
import { startRunStack, stopRunStack } from './runStack.js';

export interface ProvidedStack {
  kafkaBrokers: string[];
  postgresUrl: string;
  /** Prefix of every database (and topic) this run creates. */
  runId: string;
  /** A migrated database that test files clone. */
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const run = await startRunStack('t', (m) => process.stderr.write(`[stack] ${m}\n`));
  process.stderr.write(`[stack] ${run.stack.summary}; ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('stack', {
    kafkaBrokers: run.stack.kafkaBrokers,
    postgresUrl: run.stack.postgresUrl,
    runId: run.runId,
    template: run.template,
  });
  return () => stopRunStack(run);
}
