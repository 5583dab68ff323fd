// The sender holds no transaction, pooled connection or phone lock across its calls to a provider:
// it claims, lets go, calls, then settles. The opt-out guarantee is kept by a read
// of the phone's opt-out just before each call. Deterministic: the sender calls one message at a time
// (SEND_CONCURRENCY=1) and the gateway holds its first call, whichever of the two messages the claim
// put first, until the test releases it, so the other message is claimed and waiting for its call when
// its phone's opt-out commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageFailed } from '../../../src/events/types.generated.js';
import { startFakeGateway, startServiceWithSender, type GatewayRequest } from '../../../testkit/fakeGateway.js';
import { adInput, huntInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { closedForNow, huntForBrand } from '../../../testkit/hunts.js';

const t = useTestEnv();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let http: ReturnType<typeof apiClient>;
/** The phones whose first call the gateway holds until `release`; the first such call only. */
let holdFirstOf = new Set<string>();
let release: () => void = () => {};
const SENDER = 'sender-outside-locks';

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, (request: GatewayRequest) => {
    if (!holdFirstOf.has(request.body.to)) return { status: 202 };
    holdFirstOf = new Set();
    const until = new Promise<void>((resolve) => (release = resolve));
    return { status: 202, before: () => until };
  });
  http = apiClient(await startServiceWithSender(t, gateway, { SEND_CONCURRENCY: '1', INSTANCE_ID: SENDER }));
});
afterAll(() => gateway.close());

const huntFor = async (brand: string, overrides: Parameters<typeof huntInput>[0] = {}) =>
  (await huntForBrand(http, t.db, brand, overrides)).accountId;
const messageTo = (phone: string) =>
  t
    .db('messages')
    .where({ recipient: phone })
    .first<{ id: string; status: string; attempts: number; last_error: string | null; lead_id: string }>();
const requestsTo = (phone: string) => gateway.requests.filter((r) => r.body.to === phone);
/** Sessions of the sender's pool that sit inside a transaction. */
const senderSessionsInTransaction = async () =>
  (
    await t.db.raw<{ rows: Array<{ state: string }> }>(
      `SELECT state FROM pg_stat_activity WHERE application_name = ? AND state LIKE 'idle in transaction%'`,
      [`hunt-matcher:${SENDER}`],
    )
  ).rows.length;

describe('a sender outside its locks', () => {
  it('gives up a claimed message whose phone opted out before its call, and holds nothing while a call is under way', async () => {
    const brand = newBrand('Garde');
    const phones = ['+33611998001', '+33611998002'];
    const accountId = await huntFor(brand, { contactHours: closedForNow() });
    await http.ingest.post('/v1/ads', { ads: phones.map((phone) => adInput({ brand, phone })) });
    await waitFor(async () => (await t.db('messages').where({ account_id: accountId })).length === 2, {
      message: 'two pending messages',
    });
    // The sender has taken their SendMessage events (and deferred them to the contact hours): making them
    // due before would let that deferral, arriving later, put them back two days ahead.
    await t.waitForConsumerGroup('sender', 'messages.send');
    holdFirstOf = new Set(phones);

    // Both fall due in one statement, as when their contact hours open: the sender's next poll claims
    // both and calls them one at a time, in the order of its claim; the gateway holds the first call, the
    // other message waits for its turn. Decided a minute ago, as a deferred first attempt is: the poll
    // leaves a first attempt younger than 30 s to its SendMessage (src/sql/messages/selectDueMessages.ts).
    // Their window is open now too: the sender checks it again at the moment of each call.
    await t.db('hunts').where({ account_id: accountId }).update({ contact_hours: null });
    await t
      .db('messages')
      .where({ account_id: accountId })
      .update({ next_attempt_at: t.db.raw('now()'), created_at: t.db.raw(`now() - interval '1 minute'`) });
    const first = (
      await waitFor(() => gateway.requests.find((r) => phones.includes(r.body.to)), {
        message: 'the first call is under way',
      })
    ).body.to;
    const second = phones.find((p) => p !== first)!;
    await waitFor(async () => (await messageTo(second))!.attempts === 1, { message: 'the second message is claimed' });
    expect(requestsTo(second)).toHaveLength(0);

    // Nothing is held while the provider keeps the first call: no transaction, and an opt-out commits at once.
    expect(await senderSessionsInTransaction()).toBe(0);
    const optOut = await http.api.post<{ cancelled: number }>('/v1/optouts', { phone: second });
    // Leased by the sender, the second message is the sender's to give up (the opt-out cancels only unclaimed ones).
    expect(optOut).toMatchObject({ status: 201, body: { phone: second, cancelled: 0 } });
    // The matcher goes on too: another account's ad becomes a lead meanwhile.
    const otherBrand = newBrand('Garde');
    const other = await huntFor(otherBrand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand: otherBrand })] });
    await waitFor(async () => (await t.db('leads').where({ account_id: other })).length === 1, {
      message: "another account's lead while the call is held",
    });

    release();
    const given = await waitFor(async () => {
      const m = await messageTo(second);
      return m?.status === 'failed' ? m : undefined;
    });
    expect(given.last_error).toBe('opted_out');
    expect(requestsTo(second)).toHaveLength(0);
    expect(await t.db('leads').where({ id: given.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'opted_out',
    });
    await waitFor(async () => (await messageTo(first))!.status === 'sent', {
      message: 'the first message recorded sent',
    });
    const failed = await t.readTopic('messages.failed', (e) =>
      e.some((x) => (x.event?.value as MessageFailed).messageId === given.id),
    );
    expect(failed.find((x) => (x.event?.value as MessageFailed).messageId === given.id)!.event!.value).toMatchObject({
      reason: 'opted_out',
      permanent: true,
    });
  });
});
