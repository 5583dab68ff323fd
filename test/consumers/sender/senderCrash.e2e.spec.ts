import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { MessageSent } from '../../../src/events/types.generated.js';
import { startChildService } from '../../../testkit/childService.js';
import { startFakeGateway } from '../../../testkit/fakeGateway.js';
import { adInput, huntInput } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv();

describe('a sender killed after the gateway’s 2xx, before its commit', () => {
  it('sends the message once as far as the gateway can tell, and records it sent on restart', async () => {
    // The gateway accepts, but before it answers the test locks the message row, so the sender's
    // commit of "sent" waits on that lock: the moment we kill it.
    let blocker: Knex.Transaction | undefined;
    const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, (request, attempt) => ({
      status: 200,
      before:
        attempt === 1
          ? async () => {
              blocker = await t.db.transaction();
              await blocker('messages').where({ id: request.body.messageId }).forUpdate().first();
            }
          : undefined,
    }));
    try {
      const api = await t.startService({ ROLES: 'api,relay,matcher' });
      const http = apiClient(api.url);
      const account = randomUUID();
      const brand = `Crash-${randomUUID().slice(0, 8)}`;
      await http.api.post('/v1/hunts', huntInput({ accountId: account, brands: [brand] }));
      const env = t.env({
        ROLES: 'sender',
        MESSAGE_GATEWAY_URL: gateway.url,
        SEND_LEASE_MS: '1000',
        SEND_POLL_MS: '100',
        LOG_LEVEL: 'info',
      });
      const first = startChildService(env);
      await first.waitForLog('hunt-matcher started');
      expect((await http.ingest.post('/v1/ads', { ads: [adInput({ brand })] })).status).toBe(202);

      await waitFor(() => gateway.requests.length === 1 && blocker !== undefined, {
        message: 'the gateway accepted the message',
      });
      await t.waitForLockWait('the sender waits to commit "sent"', { blockedBy: blocker! });
      expect(await first.kill('SIGKILL')).toBe(null);
      await blocker!.rollback();
      const [message] = await t
        .db('messages')
        .where({ account_id: account })
        .select<Array<{ id: string; status: string }>>('id', 'status');
      expect(message!.status).toBe('pending');

      const second = startChildService(env);
      const sent = await waitFor(
        async () => {
          const m = await t
            .db('messages')
            .where({ id: message!.id })
            .first<{ status: string; external_id: string; attempts: number }>();
          return m?.status === 'sent' ? m : undefined;
        },
        { timeoutMs: 30_000 },
      );
      await waitFor(
        async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0,
      );
      await second.kill('SIGTERM');

      // Two requests, one idempotency key: the gateway delivered one message.
      expect(gateway.requests.map((r) => r.idempotencyKey)).toEqual([message!.id, message!.id]);
      expect(gateway.delivered()).toBe(1);
      expect(sent.attempts).toBe(2);
      const events = await t.readTopic('messages.sent', (e) => e.length >= 1);
      expect(events.map((e) => (e.event!.value as MessageSent).messageId)).toEqual([message!.id]);
      expect(await t.countMessages('messages.sent')).toBe(1);
      expect((events[0]!.event!.value as MessageSent).externalId).toBe(sent.external_id);
    } finally {
      await gateway.close();
    }
  });
});
