// The operator's console in a real browser (Debian's chromium through playwright-core), against the
// service as child processes: the api, relay and matcher in one, the importer in another, so that the
// test can stop the importer while it replays a dead letter of lobstr.runs and see the count go down
// before the still-undecodable event comes back.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/events/envelope.js';
import { launchBrowser, type Browser } from '../../testkit/browser.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import { adInput } from '../../testkit/fixtures.js';
import { apiClient, postGatewayInbound } from '../../testkit/http.js';
import { contactedColumn, huntForBrand } from '../../testkit/hunts.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
let api: ChildService;
let importer: ChildService | undefined;
let url = '';
let browser: Browser;
let page: Page;

const startImporter = async () => {
  importer = startChildService(t.env({ ROLES: 'importer', LOG_LEVEL: 'info' }));
  await importer.waitForLog('hunt-matcher started');
};

beforeAll(async () => {
  api = startChildService(t.env({ ROLES: 'api,relay,matcher', LOG_LEVEL: 'info' }));
  url = ((await api.waitForLog('hunt-matcher started')) as { url: string }).url;
  await startImporter();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // Generous: under a full parallel suite, child services and the browser share two cores, and a
  // consumer group can take seconds to rebalance. Each wait ends as soon as the page shows its answer.
  page.setDefaultTimeout(90_000);
});
afterAll(async () => {
  await browser?.close();
  await importer?.kill('SIGTERM');
  await api?.kill('SIGTERM');
});

/** A hunt for a brand of its own in an account of its own, backfilled. */
const huntOfItsOwn = async () => {
  const brand = `Marque-${randomUUID().slice(0, 6)}`;
  return { brand, ...(await huntForBrand(apiClient(url), t.db, brand)) };
};

const waiting = (topic: string) => page.locator(`[data-dlq-waiting="${topic}"]`);

describe('the operator’s console', () => {
  it('refuses a wrong token', async () => {
    await page.goto(`${url}/ops`);
    await page.fill('#token', 'not-the-ops-token');
    await page.click('#login-form button[type=submit]');
    await page.getByText('That token is refused.').waitFor();
    expect(await page.locator('#console').isHidden()).toBe(true);
  });

  it('logs in and shows the lead of an ad posted through the API', { timeout: 180_000 }, async () => {
    await page.fill('#token', TOKENS.OPS_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.locator('#console').waitFor();
    await page.locator('[data-consumer="matcher"]').waitFor();

    const { accountId, brand } = await huntOfItsOwn();
    expect(
      (
        await apiClient(url).ingest.post('/v1/ads', {
          ads: [adInput({ brand, title: `${brand} 308 GT Line`, acceptSalesmen: false })],
        })
      ).status,
    ).toBe(202);

    await page.fill('#account', accountId);
    await page.click('#account-form button[type=submit]');
    const card = page.locator('[data-stage="nouveau"] .lead', { hasText: `${brand} 308 GT Line` });
    await card.waitFor();
    expect(await card.textContent()).toContain('not contacted: refuses salesmen');
    expect(await card.textContent()).toMatch(/14\s500\s€ · Villeurbanne/); // fr-FR groups with a narrow no-break space
  });

  it(
    'shows an undecodable event in the dead letters, replays it, and sees the count go down',
    { timeout: 300_000 },
    async () => {
      await t.sendRaw('lobstr.runs', [
        { key: 'run-1', value: Buffer.from('not a Lobstr run'), headers: { 'event-id': newEventId() } },
      ]);

      await waiting('lobstr.runs').filter({ hasText: /^1$/ }).waitFor();
      const row = page.locator('[data-dlq-offset="lobstr.runs@0"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('not-single-object-encoded');
      expect(await row.textContent()).toContain('lobstr.runs');
      // The page writes each table's head from the columns it names, a number right-aligned.
      const heads = page.locator('#dead-letters table.wide th');
      expect(await heads.allTextContents()).toEqual(['topic', 'offset', 'when', 'source', 'reason', 'state', '']);
      expect(await page.locator('#dead-letters th.num').allTextContents()).toEqual(['waiting', 'total']);

      // Nothing reads lobstr.runs while the replay goes out: what the page shows is the replay alone.
      await importer!.kill('SIGTERM');
      await row.getByRole('button', { name: 'Replay' }).click();
      await waiting('lobstr.runs').filter({ hasText: /^0$/ }).waitFor();
      await row.getByText(/^replayed /).waitFor();
      await page.getByText('Replayed 1 of lobstr.runs.').waitFor();

      // Still undecodable: the importer dead-letters it again, marked, and nothing loops.
      await startImporter();
      const again = page.locator('[data-dlq-offset="lobstr.runs@1"]');
      await again.getByText('failed again after a replay').waitFor();
      await waiting('lobstr.runs').filter({ hasText: /^1$/ }).waitFor();
      await t.waitForConsumerGroup('importer', 'lobstr.runs');
      expect(await t.countMessages('lobstr.runs.dlq')).toBe(2);
    },
  );

  it(
    "shows a seller's reply on the lead's card, the conversation on a click, and a reply nothing explains",
    { timeout: 180_000 },
    async () => {
      const { accountId, brand } = await huntOfItsOwn();
      const phone = '+33616000001';
      expect(
        (
          await apiClient(url).ingest.post('/v1/ads', {
            ads: [adInput({ brand, phone, title: `${brand} 2008 Allure` })],
          })
        ).status,
      ).toBe(202);
      await waitFor(() => t.db('messages').where({ account_id: accountId }).first(), { message: 'message decided' });
      expect((await postGatewayInbound(url, phone, 'Toujours dispo, appelez-moi')).status).toBe(200);
      expect((await postGatewayInbound(url, '+33616000099', 'Vous êtes qui ?')).status).toBe(200);

      await page.fill('#account', accountId);
      await page.click('#account-form button[type=submit]');
      const card = page.locator('[data-stage="contacte"] .lead', { hasText: `${brand} 2008 Allure` });
      await card.locator('[data-replied]').getByText('replied').waitFor();
      await card.click();
      const conversation = page.locator('ol.conversation');
      await conversation.locator('li[data-direction="inbound"]', { hasText: 'Toujours dispo, appelez-moi' }).waitFor();
      const directions: string[] = [];
      const times: number[] = [];
      for (const item of await conversation.locator('li').all()) {
        directions.push((await item.getAttribute('data-direction')) ?? '');
        times.push(Date.parse((await item.locator('time').getAttribute('datetime')) ?? ''));
      }
      expect(directions).toEqual(['outbound', 'inbound']);
      // In time order, each entry dated (day and time: a conversation can span days).
      expect(times.every((x, i) => Number.isFinite(x) && (i === 0 || x >= times[i - 1]!))).toBe(true);
      await page.locator('#unmatched tr', { hasText: 'Vous êtes qui ?' }).waitFor();
    },
  );

  it(
    'pages a column whose header gives its true count, finds the one lead with a reply, and fits a 390 px phone without scrolling sideways',
    { timeout: 180_000 },
    async () => {
      const { accountId, brand } = await huntOfItsOwn();
      // 21 leads in one column; the oldest, 21st from the top, is the one whose seller replies.
      const { bottom } = await contactedColumn(apiClient(url), t.db, { accountId, brand, count: 21 });
      expect((await postGatewayInbound(url, bottom.phone, 'Oui, disponible')).status).toBe(200);

      await page.fill('#account', accountId);
      await page.click('#account-form button[type=submit]');
      const column = page.locator('[data-stage="contacte"]');
      await column.locator('h4', { hasText: 'contacte (21)' }).waitFor();
      expect(await column.locator('.lead').count()).toBe(20);
      expect(await column.locator(`[data-lead="${bottom.id}"]`).count()).toBe(0);
      await column.locator('[data-more="contacte"]').click();
      await column.locator(`[data-lead="${bottom.id}"] [data-replied]`).waitFor();
      expect(await column.locator('.lead').count()).toBe(21);

      await page.check('#replied-only');
      await column.locator('h4', { hasText: 'contacte (1)' }).waitFor();
      expect(await column.locator('.lead').count()).toBe(1);
      expect(await column.locator('.lead').getAttribute('data-lead')).toBe(bottom.id);

      await page.setViewportSize({ width: 390, height: 844 });
      // The next refresh has drawn the page at this width.
      const updated = await page.locator('#status').textContent();
      await page
        .locator('#status')
        .filter({ hasNotText: updated ?? '' })
        .waitFor();
      // In the browser: the page's width and the viewport's (what a phone scrolls sideways is their difference).
      const widths = await page.evaluate<{ page: number; viewport: number }>(
        '({ page: document.documentElement.scrollWidth, viewport: window.innerWidth })',
      );
      expect(widths.viewport).toBe(390);
      expect(widths.page).toBeLessThanOrEqual(390);
      const shot = await page.screenshot({ fullPage: true });
      // A PNG's width is the first field of its IHDR chunk, at byte 16.
      expect(shot.readUInt32BE(16)).toBe(390);
      await page.setViewportSize({ width: 1440, height: 1000 });
      await page.uncheck('#replied-only');
    },
  );

  it('previews a hunt: the count of matching ads over the days asked, and the sample', async () => {
    await page.fill('#preview-form input[name=days]', '7');
    await page.click('#preview-form button[type=submit]');
    await page
      .locator('#preview-result')
      .getByText(/ads in the last 7 days/)
      .waitFor();
  });

  it('shows a banner while an account’s sending is held, and takes it down once resumed', async () => {
    const http = apiClient(url);
    const accountId = randomUUID();
    expect((await http.api.post('/v1/accounts', { id: accountId })).status).toBe(201);
    const now = new Date();
    await t.db('sending_holds').insert({
      scope: 'account',
      target: accountId,
      reason: 'carrier_filtering',
      code: '30007',
      detail: "5 of the account's last 50 messages filtered by the carriers (30007)",
      since: now,
      next_probe_at: new Date(now.getTime() + 300_000),
      updated_at: now,
    });
    const banner = page.locator('#sending-banner');
    await banner.locator(`[data-hold="account:${accountId}"]`, { hasText: 'carriers filter' }).waitFor();
    expect(await banner.isVisible()).toBe(true);
    expect((await http.api.post(`/v1/accounts/${accountId}/sending/resume`)).status).toBe(200);
    await banner.waitFor({ state: 'hidden' });
  });

  it('lists the failing webhook endpoints, and says which were disabled', async () => {
    const accountId = randomUUID();
    const at = new Date();
    await t.db('accounts').insert({ id: accountId, name: 'Garage' });
    const endpoint = (failingSince: Date, disabledReason: string | null) => ({
      id: randomUUID(),
      account_id: accountId,
      url: `https://crm.example/${randomUUID()}`,
      events: ['lead.created'],
      enabled: disabledReason === null,
      secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0',
      failing_since: failingSince,
      last_attempt_at: at,
      last_status_code: 503,
      last_error: 'HTTP 503',
      disabled_at: disabledReason ? at : null,
      disabled_reason: disabledReason,
      created_at: failingSince,
      updated_at: at,
    });
    const failing = endpoint(new Date(at.getTime() - 3_600_000), null);
    const disabled = endpoint(new Date(at.getTime() - 5 * 86_400_000), 'every attempt failed since ...');
    await t.db('webhook_endpoints').insert([failing, disabled]);
    const row = (id: string) => page.locator(`[data-webhook="${id}"]`);
    await row(failing.id).getByText('failing', { exact: true }).waitFor();
    await row(disabled.id).getByText('disabled', { exact: true }).waitFor();
    expect(await row(failing.id).textContent()).toContain('HTTP 503');
  });
});
