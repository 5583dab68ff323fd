// What the importer says about phones: a run whose results carry none (Lobstr's plain listings
// scraper) warns once, naming the scraper to use; Lobstr's is_mobile, where it disagrees with
// libphonenumber, is reported once per run, and libphonenumber decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { lobstrResults, startFakeLobstr, type FakeLobstr, runDoneNotification } from '../../testkit/fakeLobstr.js';
import { apiClient } from '../../testkit/http.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
const logs = captureLogs();
let lobstr: FakeLobstr;
let service: Service;
let http: ReturnType<typeof apiClient>;

const NO_PHONE = /^Lobstr run without a single phone number/;
const DISAGREES = /^Lobstr's is_mobile disagrees with libphonenumber/;

beforeAll(async () => {
  lobstr = await startFakeLobstr({ apiKey: TOKENS.LOBSTR_API_KEY, maxRequestsPerSecond: 2 });
  service = await t.startService(
    { ROLES: 'api,relay,importer', LOBSTR_API_URL: lobstr.url, TOPIC_PARTITIONS: '1' },
    { log: logs.log },
  );
  http = apiClient(service.url);
});
afterAll(async () => {
  await service.stop();
  await lobstr.close();
});

const webhook = (runId: string) =>
  http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, runDoneNotification(runId));
const imported = (runId: string) =>
  waitFor(
    async () => (await t.db('lobstr_runs').where({ run_id: runId }).first<{ status: string }>())?.status === 'done',
    { timeoutMs: 45_000, message: `${runId} imported` },
  );
const ofRun = (runId: string, msg: RegExp | string) => logs.withMsg(msg).filter((l) => l.runId === runId);
const readyz = async () =>
  ((await (await fetch(`${service.url}/readyz`)).json()) as { details: { importer: Record<string, unknown> } }).details
    .importer;

describe('phones in Lobstr results', () => {
  it('says at start that no run was imported yet, and which scraper returns phones', () => {
    expect(
      logs.withMsg(
        /^no Lobstr run imported yet; results need a phone, which Lobstr's "Leboncoin Listings & Phone Search Export" scraper returns/,
      ),
    ).toHaveLength(1);
  });

  it('warns once, naming the scraper to configure, about a run of three pages none of whose results carries a phone', async () => {
    // What the plain "Leboncoin Listings Search Export" returns: no phone fields at all.
    const results = lobstrResults(250, 41).map(({ phone: _p, has_phone: _h, ...rest }) => rest);
    lobstr.addRun('run-no-phone', results);
    await webhook('run-no-phone');
    await imported('run-no-phone');

    const warnings = ofRun('run-no-phone', NO_PHONE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('its results have no phone field');
    expect(warnings[0]!.msg).toContain(
      `Configure the squid with Lobstr's "Leboncoin Listings & Phone Search Export" scraper`,
    );
    expect(warnings[0]).toMatchObject({ level: 40, results: 250 });
    expect(ofRun('run-no-phone', 'Lobstr run imported')[0]).toMatchObject({ ads: 250, withPhone: 0 });

    expect(await readyz()).toMatchObject({
      phones: 'none',
      warning: expect.stringMatching(NO_PHONE) as unknown,
      lastRun: { runId: 'run-no-phone', results: 250, resultsWithPhone: 0 },
    });
    expect((await readyz()).lastRun).toMatchObject({ fields: expect.not.arrayContaining(['phone']) as unknown });
  });

  it('says so again at the start of the next importer, and names the fields the last run returned', async () => {
    const next = captureLogs();
    const other = await t.startService(
      { ROLES: 'importer', LOBSTR_API_URL: lobstr.url, TOPIC_PARTITIONS: '1' },
      { log: next.log },
    );
    await other.stop();
    const atStart = next.withMsg(NO_PHONE);
    expect(atStart).toHaveLength(1);
    expect(atStart[0]).toMatchObject({
      runId: 'run-no-phone',
      fields: expect.arrayContaining(['annonce_id', 'title', 'details']) as unknown,
    });
  });

  it("logs once per run where Lobstr's is_mobile disagrees with libphonenumber, and libphonenumber decides", async () => {
    // The "Listings & Phone" scraper: every result with a phone and is_mobile. Two disagree, on pages 1 and 3.
    const results: Array<Record<string, unknown>> = lobstrResults(250, 42).map((r) => ({
      ...r,
      phone: '07 81 22 33 44',
      is_mobile: true,
      has_phone: true,
    }));
    results[5] = { ...results[5]!, phone: '06 12 34 56 78', is_mobile: false };
    results[220] = { ...results[220]!, phone: '01 42 68 53 00', is_mobile: true };
    lobstr.addRun('run-mobile', results);
    await webhook('run-mobile');
    await imported('run-mobile');

    const reported = ofRun('run-mobile', DISAGREES);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      page: 1,
      disagreements: 1,
      examples: [{ resultId: String(results[5]!.annonce_id), lobstrSaysMobile: false }],
    });
    expect(ofRun('run-mobile', 'Lobstr run imported')[0]).toMatchObject({
      ads: 250,
      withPhone: 250,
      mobileDisagreements: 2,
    });
    expect(ofRun('run-mobile', NO_PHONE)).toHaveLength(0);
    // The ads carry libphonenumber's reading of the number, whatever is_mobile said.
    const phones = await t
      .db('ads')
      .whereIn('external_id', [String(results[5]!.annonce_id), String(results[220]!.annonce_id)])
      .orderBy('phone')
      .pluck('phone');
    expect(phones).toEqual(['+33142685300', '+33612345678']);
    expect(await readyz()).toMatchObject({
      phones: 'ok',
      lastRun: {
        runId: 'run-mobile',
        resultsWithPhone: 250,
        mobileDisagreements: 2,
        fields: expect.arrayContaining(['phone', 'is_mobile']) as unknown,
      },
    });
  });
});
