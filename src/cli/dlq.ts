// `npm run dlq -- list [--topic T] [--limit N] [--json]` and
// `npm run dlq -- replay --topic T (--offset O | --all) [--dry-run] [--json]`: the dead letters, from
// KAFKA_BROKERS and TOPIC_PREFIX like the service. Exit codes: 0 done, 1 failed (the broker, a dead
// letter that is not there or was replayed already), 2 a usage or configuration error.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadKafkaToolConfig } from '../config.js';
import { createTopics } from '../events/topics.js';
import {
  createDeadLetters,
  DeadLetterRequestError,
  parseDeadLetterTopic,
  type DeadLetter,
  type DeadLetters,
  type ReplayResult,
} from '../ops/deadLetters.js';
import { createKafka, createProducer } from '../platform/kafka.js';

const USAGE = `usage:
  npm run dlq -- list [--topic T] [--limit N] [--json]
  npm run dlq -- replay --topic T (--offset O | --all) [--dry-run] [--json]

  T is a consumed topic, with or without .dlq: ads.scraped, hunts.changed, hunts.ticks, lobstr.runs, messages.send
  O is the dead letter's offset in T.dlq, as list prints it
  KAFKA_BROKERS and TOPIC_PREFIX are read from the environment, as the service reads them
`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      topic: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      all: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) return { command: 'help' as const, values };
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (command !== 'list' && command !== 'replay')
    throw new UsageError(command ? `unknown command ${command}` : 'name a command: list or replay');
  const topic = values.topic === undefined ? undefined : parseDeadLetterTopic(values.topic);
  if (values.topic !== undefined && !topic)
    throw new UsageError(`--topic ${values.topic} is not a topic the service consumes`);
  if (values.limit !== undefined && !/^[1-9]\d{0,3}$/.test(values.limit))
    throw new UsageError('--limit must be a number from 1 to 9999');
  if (command === 'replay') {
    if (!topic) throw new UsageError('replay needs --topic');
    if ((values.offset === undefined) === !values.all) throw new UsageError('replay needs either --offset O or --all');
    if (values.offset !== undefined && !/^\d+$/.test(values.offset)) throw new UsageError('--offset must be a number');
  } else if (values.offset !== undefined || values.all || values['dry-run']) {
    throw new UsageError('--offset, --all and --dry-run go with replay');
  }
  return { command, topic, values };
}

const line = (d: DeadLetter) =>
  [
    `${d.topic}.dlq@${d.offset}`,
    d.deadLetteredAt,
    `from ${d.topic}${d.sourcePartition === null ? '' : `[${d.sourcePartition}]`}${d.sourceOffset === null ? '' : `@${d.sourceOffset}`}`,
    d.eventType ?? 'unknown type',
    d.replayedAt ? `replayed ${d.replayedAt}` : 'waiting',
    d.failedAfterReplayAt ? `(failed again after the replay of ${d.failedAfterReplayAt})` : '',
    `\n    ${d.reason}`,
  ]
    .filter(Boolean)
    .join('  ');

const replayLines = (r: ReplayResult) => [
  ...r.replayed.map(
    (x) =>
      `${r.dryRun ? 'would replay' : 'replayed'} ${r.topic}.dlq@${x.offset} -> ${x.to.topic}${x.to.partition === null ? '' : `[${x.to.partition}]`}${x.to.offset === null ? '' : `@${x.to.offset}`}${x.eventId ? ` (event ${x.eventId})` : ''}`,
  ),
  ...r.skipped.map((x) => `skipped ${r.topic}.dlq@${x.offset}: replayed already at ${x.replayedAt}`),
  `${r.replayed.length} ${r.dryRun ? 'to replay (dry run: nothing published)' : 'replayed'}, ${r.skipped.length} skipped`,
];

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`dlq: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (parsed.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config;
  try {
    config = loadKafkaToolConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dlq: ${error.message}\n`);
    return 2;
  }
  const log = pino(
    { name: 'dlq', level: config.logLevel === 'info' ? 'warn' : config.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-dlq`, log });
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  try {
    await admin.connect();
    if (parsed.command === 'replay' && !parsed.values['dry-run']) await producer.connect();
    const deadLetters = createDeadLetters({ kafka, admin, producer, topics: createTopics(config.topicPrefix) });
    await runCommand(deadLetters, parsed, out);
    return 0;
  } catch (error) {
    process.stderr.write(
      `dlq: ${error instanceof DeadLetterRequestError ? error.message : `failed: ${(error as Error).message}`}\n`,
    );
    return 1;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** list or replay, printed as text or JSON. */
async function runCommand(deadLetters: DeadLetters, parsed: ReturnType<typeof parse>, out: (text: string) => void) {
  const { values } = parsed;
  if (parsed.command === 'list') {
    const letters = await deadLetters.list({ topic: parsed.topic, limit: values.limit ? Number(values.limit) : 20 });
    if (values.json) out(JSON.stringify(letters, null, 2));
    else {
      const counts = await deadLetters.counts();
      for (const c of counts)
        if (!parsed.topic || c.topic === parsed.topic)
          out(`${c.topic}.dlq: ${c.total} dead letters, ${c.waiting} waiting`);
      out(letters.length ? letters.map(line).join('\n') : 'no dead letters');
    }
  } else {
    const result = await deadLetters.replay({
      topic: parsed.topic!,
      offset: values.offset,
      all: values.all,
      dryRun: values['dry-run'],
    });
    out(values.json ? JSON.stringify(result, null, 2) : replayLines(result).join('\n'));
  }
}

process.exitCode = await main(process.argv.slice(2));
