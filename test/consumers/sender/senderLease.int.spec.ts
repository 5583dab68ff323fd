// A call must end within its message's lease (src/consumers/sender/deliver.ts): a message that waited
// for a call slot until its lease ran out may have been taken by another attempt (the retry poller,
// another instance), and two calls of one message at once are two SMS where the provider has no
// Idempotency-Key. Deterministic: the sender calls one message at a time (SEND_CONCURRENCY=1), with a
// lease shorter than a call may take, and the gateway holds the first call until the test releases it,
// so the other two wait for the slot past their lease; the test, as another attempt, takes one of them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway, startServiceWithSender, type GatewayRequest } from '../../../testkit/fakeGateway.js';
import { adInput, huntInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { closedForNow } from '../../../testkit/hunts.js';

const t = useTestEnv();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let http: ReturnType<typeof apiClient>;
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
let held: string | undefined;

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, (request: GatewayRequest) => {
    held ??= request.body.messageId;
    return request.body.messageId === held ? { status: 202, before: () => released } : { status: 202 };
  });
  http = apiClient(
    await startServiceWithSender(t, gateway, {
      SEND_CONCURRENCY: '1',
      SEND_LEASE_MS: '1500',
      MESSAGE_GATEWAY_TIMEOUT_MS: '30000',
      INSTANCE_ID: 'sender-lease',
    }),
  );
});
afterAll(() => gateway.close());

type Message = { id: string; status: string; attempts: number };
const messages = (accountId: string) =>
  t.db('messages').where({ account_id: accountId }).select<Message[]>('id', 'status', 'attempts');
const callsOf = (id: string) => gateway.requests.filter((r) => r.body.messageId === id);

describe('a sender whose messages wait for a call slot past their lease', () => {
  it('does not call a message another attempt took meanwhile, and renews the lease of one still its own before calling it', async () => {
    const brand = newBrand('Bail');
    const accountId = randomUUID();
    const hunt = await http.api.post<{ id: string }>(
      '/v1/hunts',
      huntInput({ accountId, brands: [brand], contactHours: closedForNow() }),
    );
    expect(hunt.status).toBe(201);
    await waitFor(
      async () => (await t.db('hunts').where({ id: hunt.body.id }).whereNotNull('last_scan_at').first()) !== undefined,
      { message: 'hunt backfilled' },
    );
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand }), adInput({ brand }), adInput({ brand })] });
    await waitFor(async () => (await messages(accountId)).length === 3, { message: 'three pending messages' });

    // The sender has had their SendMessage (and left them for their contact hours): only its poller takes them now.
    await waitFor(
      async () =>
        Number(
          (
            await t
              .db('inbox')
              .where({ consumer: `${t.topics.prefix}sender` })
              .count<Array<{ count: string }>>('* as count')
          )[0]!.count,
        ) === 3,
      { message: 'the SendMessage events handled' },
    );
    // All three fall due at once, as first attempts whose contact hours opened a while after they were
    // decided: the sender's next poll claims them in one batch and calls them one at a time.
    // Their window is open now too: the sender checks it again at the moment of each call.
    await t.db('hunts').where({ account_id: accountId }).update({ contact_hours: null });
    await t
      .db('messages')
      .where({ account_id: accountId })
      .update({ next_attempt_at: t.db.raw('now()'), created_at: t.db.raw("now() - interval '1 minute'") });
    await waitFor(() => held !== undefined, { message: 'the first call is under way' });
    const waiting = (await messages(accountId)).filter((m) => m.id !== held);
    expect(waiting.map((m) => m.attempts)).toEqual([1, 1]);
    // Their lease runs out while the first call holds the only slot.
    await waitFor(
      async () =>
        (
          await t
            .db('messages')
            .whereIn(
              'id',
              waiting.map((m) => m.id),
            )
            .where('locked_until', '<', t.db.fn.now())
        ).length === 2,
      { message: 'the waiting leases ran out' },
    );
    // Another attempt takes one of them (as the retry poller of another instance would).
    const [taken, own] = waiting as [Message, Message];
    await t
      .db('messages')
      .where({ id: taken.id })
      .update({ attempts: 2, locked_until: t.db.raw("now() + interval '10 minutes'") });

    release();
    await waitFor(async () => (await t.db('messages').where({ id: own.id }).first<Message>())!.status === 'sent', {
      message: 'the message still its own sent',
    });
    await waitFor(async () => (await t.db('messages').where({ id: held }).first<Message>())!.status === 'sent', {
      message: 'the held message sent',
    });
    expect(callsOf(own.id)).toHaveLength(1);
    // The one taken by the other attempt is that attempt's: no call, and nothing recorded over it.
    expect(callsOf(taken.id)).toHaveLength(0);
    expect(await t.db('messages').where({ id: taken.id }).first<Message>()).toMatchObject({
      status: 'pending',
      attempts: 2,
    });
  });
});
