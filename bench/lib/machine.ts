// What the numbers were measured on.
import { cpus, totalmem, release, platform, loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import pg from 'pg';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  kafka: string;
  postgres: string;
  /** 1-minute load average when the run started: other work on the machine shows here. */
  loadAverageAtStart: number;
}

export async function describeMachine(options: { postgresUrl: string; stackSummary: string }): Promise<Machine> {
  const list = cpus();
  let cpuModel = list[0]?.model ?? 'unknown';
  if (cpuModel.trim() === '' || cpuModel === 'unknown') {
    cpuModel = /model name\s*:\s*(.+)/.exec(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''))?.[1] ?? 'unknown';
  }
  const client = new pg.Client({ connectionString: options.postgresUrl });
  await client.connect();
  let postgres = 'unknown';
  try {
    postgres = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'unknown';
  } finally {
    await client.end();
  }
  const kafka =
    /Kafka: local ([^ ]+) broker/.exec(options.stackSummary)?.[1] ??
    /Kafka: ([^;]+)/.exec(options.stackSummary)?.[1] ??
    'unknown';
  return {
    cpuModel: cpuModel.trim(),
    cores: list.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    kafka: /^\d/.test(kafka) ? `Apache Kafka ${kafka} (single broker, KRaft)` : kafka,
    postgres: postgres.split(' on ')[0] ?? postgres,
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
  };
}
