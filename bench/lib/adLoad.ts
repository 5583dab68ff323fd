// How D and D' post ads (the request itself, and the two ways a phase drives them) and read the leads.
import type { Kafka } from 'kafkajs';
import type { Ad } from '../../src/domain/types.js';
import { createCodec } from '../../src/events/codec.js';
import type { Topics } from '../../src/events/topics.js';
import type { LeadCreated } from '../../src/events/types.generated.js';
import { TOKENS } from '../../testkit/serviceEnv.js';
import { adInputOf } from '../data/generate.js';
import { sleep, until } from './stats.js';

/** At saturation, requests are held back while more than this many accepted ads wait for the matcher. */
export const SATURATION_MAX_BACKLOG = 2000;

/** POST /v1/ads with the ingest token: the ads inserted, or null when the API refused the request. */
export async function postAds(apiUrl: string, chunk: Ad[]): Promise<number | null> {
  const res = await fetch(`${apiUrl}/v1/ads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.INGEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ads: chunk.map(adInputOf) }),
  });
  if (res.status !== 202) {
    await res.text();
    return null;
  }
  return ((await res.json()) as { inserted: number }).inserted;
}

export interface LoadPhase {
  /** Ads per second; 0 is saturation (closed loop). */
  rate: number;
  perRequest: number;
  seconds: number;
  /** Closed loop: requests in flight. */
  inFlight: number;
}

/**
 * Paced (rate > 0): a request of `perRequest` ads every perRequest/rate seconds, whatever the answers
 * take (open loop: a slow service is not given a slower load). Saturation: `inFlight` requests at once,
 * held back while the matcher's backlog is over SATURATION_MAX_BACKLOG, so that the phase measures what
 * the whole pipeline sustains rather than how fast the API accepts.
 */
export async function driveAds<A>(
  ads: A[],
  phase: LoadPhase,
  post: (chunk: A[]) => Promise<void>,
  backlog: () => Promise<number>,
): Promise<void> {
  const started = performance.now();
  let sent = 0;
  if (phase.rate > 0) {
    const interval = (1000 * phase.perRequest) / phase.rate;
    const inFlight = new Set<Promise<void>>();
    for (let k = 0; sent < ads.length; k++) {
      const wait = started + k * interval - performance.now();
      if (wait > 1) await sleep(wait);
      const chunk = ads.slice(sent, sent + phase.perRequest);
      sent += chunk.length;
      const p = post(chunk);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await Promise.all(inFlight);
    return;
  }
  let backlogNow = 0;
  const watch = setInterval(() => void backlog().then((b) => (backlogNow = b)), 100);
  try {
    await Promise.all(
      Array.from({ length: phase.inFlight }, async () => {
        while (performance.now() - started < phase.seconds * 1000 && sent < ads.length) {
          if (backlogNow > SATURATION_MAX_BACKLOG) {
            await sleep(20);
            continue;
          }
          const chunk = ads.slice(sent, sent + phase.perRequest);
          sent += chunk.length;
          backlogNow += chunk.length;
          await post(chunk);
        }
      }),
    );
  } finally {
    clearInterval(watch);
  }
}

/**
 * A reader of leads.created as a downstream CRM would be: each LeadCreated is handed to `onLead` with
 * the time its batch was read (performance.now()); undecodable values are counted. Returns once the
 * reader's group has joined, so nothing posted afterwards is missed.
 */
export async function startLeadReader(
  kafka: Kafka,
  topics: Topics,
  onLead: (lead: LeadCreated, readAt: number) => void,
  joinTimeoutMs = 60_000,
) {
  const codec = createCodec();
  let undecodable = 0;
  const consumer = kafka.consumer({
    groupId: `${topics.prefix}bench-reader`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: topics.name('leads.created'), fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      for (const m of batch.messages) {
        try {
          onLead(codec.decodeAs('LeadCreated', m.value!), at);
        } catch {
          undecodable++;
        }
      }
    },
  });
  await until(() => joined, 'the leads.created reader to join', joinTimeoutMs);
  return { undecodable: () => undecodable, stop: () => consumer.disconnect() };
}
