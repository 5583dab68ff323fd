// Replaying dead letters: one by its offset, or every one of a topic that waits. A replay publishes the
// dead letter's key, value and headers, without the dlq-* ones and with `dlq-replayed-at`, back to its
// source topic, on the partition it came from (in order with its key's other events), where the
// consumer sees it again:
//   - an event already applied changes nothing (the inbox has its event id);
//   - an event that fails again is dead-lettered again, with its new reason (its dlq-replayed-at header
//     tells it came back from a replay). Nothing replays automatically, so it never loops.
// The replay is published before it is recorded in the replay log; a crash in between can replay it
// twice, which the inbox makes harmless.
import type { Admin, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { BaseTopic, Topics } from '../events/topics.js';
import { retryKafka } from '../platform/kafka.js';
import { DeadLetterRequestError, type Replayed, type ReplayRequest, type ReplayResult } from './deadLetterTypes.js';
import { headersOf } from './listDeadLetters.js';
import { readRecords, watermarksOf, type OffsetRange } from './readRecords.js';
import { replayKeyOf, type ReplayLog } from './replayLog.js';

const isDlqHeader = (name: string) => name.startsWith('dlq-');

interface ReplayDeps {
  kafka: Kafka;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'deleteGroups'>;
  producer: Pick<Producer, 'send'>;
  topics: Topics;
  dlqOf: (topic: BaseTopic) => string;
  replayLog: ReplayLog;
  now: () => Date;
}

export function createReplay(deps: ReplayDeps) {
  const reader = { kafka: deps.kafka, admin: deps.admin, groupPrefix: deps.topics.prefix };

  return async function replay(request: ReplayRequest): Promise<ReplayResult> {
    const { topic } = request;
    checkRequest(request, deps.dlqOf(topic));
    const name = deps.dlqOf(topic);
    const ranges = await rangesOf(deps.admin, request, name);
    const log = await deps.replayLog.entries();
    const records = await readRecords(reader, ranges);
    const result: ReplayResult = { topic, dryRun: request.dryRun === true, replayed: [], skipped: [] };
    const logEntries: Array<{ key: string; value: string }> = [];
    for (const { partition: p, message } of records) {
      const logKey = replayKeyOf(name, p, message.offset);
      const replayedAt = log.get(logKey);
      if (replayedAt) {
        if (request.offset !== undefined)
          throw new DeadLetterRequestError(
            'offset',
            `${name} offset ${message.offset} was replayed at ${replayedAt}; if it failed again, it is a newer dead letter`,
          );
        result.skipped.push({ offset: message.offset, replayedAt });
        continue;
      }
      const { replayed, logged } = await replayOne(deps, request, name, message);
      result.replayed.push(replayed);
      if (logged !== null) logEntries.push({ key: logKey, value: logged });
    }
    await deps.replayLog.record(logEntries);
    return result;
  };
}

/**
 * Publishes one dead letter back to its source topic (a dry run only says where); `logged` is what the
 * replay log records of it, null on a dry run.
 */
async function replayOne(
  deps: ReplayDeps,
  request: ReplayRequest,
  name: string,
  message: KafkaMessage,
): Promise<{ replayed: Replayed; logged: string | null }> {
  const h = headersOf(message.headers);
  // Only back where it came from: a topic of this prefix that the service consumes.
  const target = h['dlq-source-topic'] ?? deps.topics.name(request.topic);
  if (target !== deps.topics.name(request.topic))
    throw new DeadLetterRequestError(
      'topic',
      `${name} offset ${message.offset} came from ${target}, not ${deps.topics.name(request.topic)}; not replayed`,
    );
  const sourcePartition = Number(h['dlq-source-partition']);
  const at = deps.now().toISOString();
  const headers = replayHeaders(message.headers, at);
  if (request.dryRun) {
    return {
      replayed: {
        offset: message.offset,
        to: { topic: target, partition: Number.isInteger(sourcePartition) ? sourcePartition : null, offset: null },
        eventId: h['event-id'] ?? null,
      },
      logged: null,
    };
  }
  const meta = await sendBack(deps.producer, target, message, headers, sourcePartition);
  return {
    replayed: {
      offset: message.offset,
      to: { topic: target, partition: meta?.partition ?? null, offset: meta?.baseOffset ?? null },
      eventId: h['event-id'] ?? null,
    },
    logged: JSON.stringify({ replayedAt: at, topic: target, partition: meta?.partition, offset: meta?.baseOffset }),
  };
}

/** The offset ranges of the dead-letter topic a request names (checked against its watermarks). */
async function rangesOf(
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  request: ReplayRequest,
  name: string,
): Promise<OffsetRange[]> {
  const marks = await watermarksOf(admin, name);
  if (request.offset === undefined)
    return marks.map((m) => ({ topic: name, partition: m.partition, from: m.low, to: m.high }));
  const partition = request.partition ?? 0;
  const m = marks.find((x) => x.partition === partition);
  const offset = BigInt(request.offset);
  if (!m || offset < m.low || offset >= m.high) {
    throw new DeadLetterRequestError(
      'offset',
      `${name} has no dead letter at offset ${request.offset}${m ? ` (it holds offsets ${m.low} to ${m.high - 1n})` : ''}`,
    );
  }
  return [{ topic: name, partition, from: offset, to: offset + 1n }];
}

/** A request names one dead letter (an offset) or all of them, never both. */
function checkRequest(request: ReplayRequest, dlq: string) {
  if (request.offset === undefined && !request.all)
    throw new DeadLetterRequestError('offset', 'name the dead letter to replay (an offset) or replay all of the topic');
  if (request.offset !== undefined && request.all)
    throw new DeadLetterRequestError('offset', 'an offset and all exclude each other');
  if (request.offset !== undefined && !/^\d+$/.test(request.offset))
    throw new DeadLetterRequestError('offset', `must be an offset of ${dlq} (a number), got ${request.offset}`);
}

/** The original headers without the dead-letter ones, and when it was replayed. */
function replayHeaders(original: IHeaders | undefined, at: string): IHeaders {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(original ?? {})) if (!isDlqHeader(k) && v !== undefined) headers[k] = v;
  headers['dlq-replayed-at'] = at;
  return headers;
}

/** Back to the partition it came from when the header says it; acknowledged by every replica. */
async function sendBack(
  producer: Pick<Producer, 'send'>,
  target: string,
  message: { key: Buffer | null; value: Buffer | null },
  headers: IHeaders,
  sourcePartition: number,
) {
  const [meta] = await retryKafka(() =>
    producer.send({
      topic: target,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers,
          ...(Number.isInteger(sourcePartition) ? { partition: sourcePartition } : {}),
        },
      ],
    }),
  );
  return meta;
}
