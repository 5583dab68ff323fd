// examples/crm-consumer.ts, run as a downstream team would run it (a process of its own, with only the
// broker address and the topic prefix), against the real service: it must see the leads and the
// outcome of their messages, and stop cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/platform/projectRoot.js';
import type { Service } from '../../src/service.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { EXIT_WITH_PARENT } from '../../testkit/childService.js';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { apiClient, gatewayWebhookUrl, postGatewayInbound, postJson } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const REFUSED_PHONE = '+33699999999';

const t = useTestEnv();
let service: Service;
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // The gateway refuses one recipient for good (a 4xx), so that a MessageFailed is published too.
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, (request) =>
    request.body.to === REFUSED_PHONE ? { status: 422, body: { error: 'invalid recipient' } } : { status: 202 },
  );
  service = await t.startService({ ROLES: 'api,relay,matcher,sender', MESSAGE_GATEWAY_URL: gateway.url });
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await gateway.close();
});

describe('the CRM consumer example', () => {
  it('prints each lead and the fate of its message, then stops cleanly on SIGTERM', async () => {
    let output = '';
    child = spawn(process.execPath, [...EXIT_WITH_PARENT, '--import', 'tsx', 'examples/crm-consumer.ts'], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: t.kafkaBrokers.join(','),
        TOPIC_PREFIX: t.topics.prefix,
        CRM_GROUP_ID: `${t.name}-crm`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await waitFor(() => output.includes('[crm] consuming'), { message: 'the example to start', timeoutMs: 30_000 });

    const http = apiClient(service.url);
    const accountId = randomUUID();
    const brand = `Marque-${randomUUID().slice(0, 8)}`;
    expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [brand] }))).status).toBe(201);
    // The hunt is in the matcher's index once its backfill consumed the HuntChanged.
    await waitFor(
      async () => (await t.db('inbox').where('consumer', 'like', '%matcher-backfill').first()) !== undefined,
    );
    const reached = adInput({ brand, title: 'Peugeot 308 joignable' });
    const refused = adInput({ brand, title: 'Peugeot 308 refusée', phone: REFUSED_PHONE });
    const noPhone = adInput({ brand, title: 'Peugeot 308 sans téléphone', phone: null });
    expect((await http.ingest.post('/v1/ads', { ads: [reached, refused, noPhone] })).status).toBe(202);

    const leadOf = async (externalId: string) =>
      (
        (await t
          .db('leads')
          .join('ads', 'ads.id', 'leads.ad_id')
          .where('ads.external_id', externalId)
          .first('leads.id')) as { id: string } | undefined
      )?.id;
    const ids = await waitFor(async () => {
      const found = await Promise.all([reached, refused, noPhone].map((a) => leadOf(a.externalId)));
      return found.every(Boolean) ? (found as string[]) : undefined;
    });
    const [reachedLead, refusedLead, noPhoneLead] = ids as [string, string, string];

    const board = 'kanban: nouveau 2 | contacte 1 (sent 1, awaiting gateway 0) | failed messages 1';
    await waitFor(() => output.includes(board), { message: `"${board}" in the output`, timeoutMs: 45_000 }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${output}`);
      },
    );
    expect(output).toMatch(
      new RegExp(`lead created: ${reachedLead} account=${accountId} stage=contacte "Peugeot 308 joignable"`),
    );
    expect(output).toMatch(
      new RegExp(`lead created: ${refusedLead} account=${accountId} stage=contacte "Peugeot 308 refusée"`),
    );
    expect(output).toMatch(
      new RegExp(`lead created: ${noPhoneLead} account=${accountId} stage=nouveau "Peugeot 308 sans téléphone"`),
    );
    expect(output).toContain(`message sent: lead ${reachedLead} by sms after 1 attempt(s)`);
    expect(output).toContain(`message failed: lead ${refusedLead} (HTTP 422`);
    expect(output).toContain('Peugeot 308 sans téléphone');
    expect(output).toContain('(no_phone)');
    expect(output).not.toContain('[crm] skipped');

    // The gateway's receipt for the message that went out reaches the CRM on messages.delivered.
    const { id: messageId } = (await t.db('messages').where({ lead_id: reachedLead }).first('id')) as { id: string };
    const receipt = await postJson(gatewayWebhookUrl(service.url), {
      type: 'status',
      messageId,
      status: 'delivered',
      at: new Date().toISOString(),
    });
    expect(receipt.status).toBe(200);
    await waitFor(() => output.includes(`receipt: lead ${reachedLead} delivered`), {
      message: 'the receipt in the output',
      timeoutMs: 30_000,
    });
    expect(output).not.toContain('[crm] skipped');

    // The seller replies: the CRM reads SellerReplied on messages.replied with the published schema alone.
    const reply = await postGatewayInbound(service.url, reached.phone!, 'Oui, toujours disponible');
    expect(await reply.json()).toMatchObject({ status: 'reply', matched: true, leadId: reachedLead });
    await waitFor(
      () => output.includes(`reply: lead ${reachedLead} from ${reached.phone}: "Oui, toujours disponible"`),
      { message: 'the reply in the output', timeoutMs: 30_000 },
    );
    expect(output).not.toContain('[crm] skipped');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('[crm] stopped');
  });
});
