// `npm run screenshot:ops`: regenerates docs/ops-console.png, the console as docs/operations.md shows it. Starts
// the run stack of the tests (a local broker and a database cloned from the migrated template), the
// service with every role and a stand-in gateway, puts some traffic through it (hunts, ads in waves,
// an undecodable event), then photographs /ops in headless Chromium (testkit/browser.ts).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config.js';
import { newEventId } from '../src/events/envelope.js';
import { createLogger } from '../src/platform/logger.js';
import { projectRoot } from '../src/platform/projectRoot.js';
import { startService } from '../src/service.js';
import { launchBrowser } from '../testkit/browser.js';
import { startFakeGateway } from '../testkit/fakeGateway.js';
import { cloneDatabase, startRunStack, stopRunStack } from '../testkit/runStack.js';
import { serviceEnv, TOKENS } from '../testkit/serviceEnv.js';

const out = join(projectRoot(), 'docs', 'ops-console.png');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (m: string) => process.stderr.write(`[screenshot] ${m}\n`);

const run = await startRunStack('s', log);
const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN);
const browser = await launchBrowser({ viewport: { width: 1440, height: 1000 } });
try {
  const prefix = `${run.runId}.`;
  const env = serviceEnv(
    {
      databaseUrl: await cloneDatabase(run, `${run.runId}_ops`),
      kafkaBrokers: run.stack.kafkaBrokers,
      topicPrefix: prefix,
      partitions: 3,
      logLevel: 'error',
    },
    { MESSAGE_GATEWAY_URL: gateway.url, OUTBOX_POLL_MS: '1000' },
  );
  const config = loadConfig(env);
  const service = await startService({ config, log: createLogger({ level: 'fatal', pretty: 'false' }) });
  const call = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id?: string }>;
  };

  const accountId = randomUUID();
  const lyon = { label: 'Lyon', zipcode: '69003', lat: 45.7597, lng: 4.8422 };
  await call('/v1/accounts', TOKENS.API_TOKEN, { id: accountId, name: 'Garage du Rhône' });
  for (const [brand, priceMax] of [
    ['Peugeot', 20000],
    ['Renault', 15000],
    ['Toyota', 25000],
  ] as const) {
    await call('/v1/hunts', TOKENS.API_TOKEN, {
      accountId,
      name: `${brand} autour de Lyon`,
      adType: 'voitures',
      brands: [brand],
      location: lyon,
      radiusKm: 40,
      priceMax,
      dailyPacingLimit: 6,
      outreach: {
        channel: 'sms',
        template: 'Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} à {{prix}} nous intéresse.',
      },
    });
  }
  await sleep(2000);

  const models: Array<[string, string, number]> = [
    ['Peugeot', '308', 14500],
    ['Peugeot', '208', 9900],
    ['Renault', 'Clio', 8700],
    ['Renault', 'Captur', 13900],
    ['Toyota', 'Yaris', 12400],
    ['Toyota', 'C-HR', 21900],
  ];
  const cities = [
    ['Villeurbanne', '69100', 45.7719, 4.8902],
    ['Vénissieux', '69200', 45.6975, 4.8867],
    ['Bron', '69500', 45.7386, 4.9131],
    ['Caluire', '69300', 45.7953, 4.8467],
  ] as const;
  let n = 0;
  const ad = () => {
    n++;
    const [brand, model, price] = models[n % models.length]!;
    const [city, zipcode, lat, lng] = cities[n % cities.length]!;
    const now = new Date(Date.now() - 60_000).toISOString();
    return {
      externalId: `28${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`,
      url: `https://www.leboncoin.fr/ad/voitures/28${n}`,
      title: `${brand} ${model} ${2015 + (n % 8)}`,
      price: price + (n % 5) * 300,
      adType: 'voitures',
      brand,
      model,
      modelYear: 2015 + (n % 8),
      mileageKm: 40_000 + n * 1_700,
      zipcode,
      city,
      lat,
      lng,
      ownerName: 'Camille',
      ownerType: n % 4 === 0 ? 'pro' : 'private',
      phone: n % 3 === 0 ? undefined : `+3361234${String(n).padStart(4, '0')}`,
      acceptSalesmen: n % 7 !== 0,
      firstPublishedAt: now,
      lastPublishedAt: now,
    };
  };

  const page = await browser.context.newPage();
  await page.goto(`${service.url}/ops`);
  await page.fill('#token', TOKENS.OPS_TOKEN);
  await page.click('#login-form button[type=submit]');
  await page.locator('#console').waitFor();
  await page.fill('#account', accountId);
  await page.click('#account-form button[type=submit]');

  // Traffic in waves, so that the throughput and the latency chart have something to show.
  const kafka = new Kafka({ brokers: run.stack.kafkaBrokers, clientId: 'screenshot', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  for (let wave = 0; wave < 16; wave++) {
    await call('/v1/ads', TOKENS.INGEST_TOKEN, { ads: Array.from({ length: 4 }, ad) });
    if (wave === 5)
      await producer.send({
        topic: `${prefix}ads.scraped`,
        messages: [{ key: 'broken', value: Buffer.from('not avro'), headers: { 'event-id': newEventId() } }],
      });
    if (wave === 14) await page.click('#preview-form button[type=submit]');
    await sleep(1500);
  }
  await producer.disconnect();
  await page.screenshot({ path: out, fullPage: true });
  log(`wrote ${out}`);
  await service.stop();
} finally {
  await browser.close();
  await gateway.close();
  await stopRunStack(run);
}
