import { describe, expect, it } from 'vitest';
import type { HuntChanged } from '../../src/events/types.generated.js';
import { createOutbox } from '../../src/outbox/enqueue.js';
import { startChildService } from '../../testkit/childService.js';
import { sampleEvents } from '../../testkit/eventSamples.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv({ topics: true });

const rows = async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count);

describe('a relay killed mid-batch', () => {
  it('republishes on restart: every event reaches Kafka at least once', async () => {
    const outbox = createOutbox({ codec: t.codec, topics: t.topics, shards: 16 });
    const total = 10_000;
    const ids = await t.db.transaction((trx) =>
      outbox.enqueue(
        trx,
        Array.from({ length: total }, (_, i) => ({
          eventType: 'HuntChanged' as const,
          key: `00000000-0000-7000-8000-${String(i % 64).padStart(12, '0')}`,
          value: { ...sampleEvents.HuntChanged, version: i } satisfies HuntChanged,
        })),
      ),
    );
    const env = t.env({ ROLES: 'relay', OUTBOX_BATCH_SIZE: '25', LOG_LEVEL: 'info' });

    const first = startChildService(env);
    await waitFor(
      async () => {
        const left = await rows();
        return left < total && left > 0;
      },
      { intervalMs: 5, message: 'relay half-way' },
    );
    expect(await first.kill('SIGKILL')).toBe(null);
    const leftAfterKill = await rows();
    expect(leftAfterKill).toBeGreaterThan(0);

    const second = startChildService(env);
    await waitFor(async () => (await rows()) === 0, { timeoutMs: 60_000, message: 'outbox drained after restart' });
    await second.kill('SIGTERM');

    const read = await t.readTopic(
      'hunts.changed',
      (events) => new Set(events.map((e) => e.headers['event-id'])).size >= total,
      60_000,
    );
    const published = new Set(read.map((e) => e.headers['event-id']));
    expect(ids.filter((id) => !published.has(id))).toEqual([]);
    // Duplicates are allowed (at least once); the count says how many the kill caused.
    expect(read.length).toBeGreaterThanOrEqual(total);
  }, 120_000);
});
