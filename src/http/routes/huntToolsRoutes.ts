// Hunt tools, for the people who write hunts and whoever supports them:
//   POST /v1/hunts/preview              what a hunt would match among recent ads; writes nothing
//   GET  /v1/hunts/:id/explain?adId=    each criterion of a saved hunt, pass or fail, for one ad
// Both answer from the matcher's own rules (src/domain/matchHunt.ts); SQL only narrows the ads read.
import type { Db } from '../../db/knex.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { explainMatch } from '../../domain/explainMatch.js';
import { previewHunt } from '../../domain/huntPreview.js';
import type { Hunt } from '../../domain/types.js';
import type { Clock } from '../../platform/clock.js';
import {
  checkBrands,
  checkHunt,
  createHuntSchema,
  withDefaults,
  type CreateHuntBody,
} from '../../producers/hunts/huntInput.js';
import { countAccountLeads } from '../../sql/leads/countAccountLeads.js';
import { findAd } from '../../sql/ads/findAd.js';
import { findLead } from '../../sql/leads/findLead.js';
import { loadHunt } from '../../sql/hunts/loadHunt.js';
import { selectPreviewCandidates } from '../../sql/ads/selectPreviewCandidates.js';
import type { HttpApp } from '../app.js';
import { routeModule } from '../registerEach.js';
import { EXAMPLES } from '../examples.js';
import { assertAccountVisible, requireAccountAccess, scopeOf } from '../auth.js';
import { previewResponse } from '../previewSchema.js';
import { describe, errors } from '../schemas.js';
import { PREVIEW_MAX_DAYS } from '../../domain/adWindows.js';

export interface HuntToolsRoutesDeps {
  db: Db;
  clock: Clock;
  apiToken: string | undefined;
  /** BACKFILL_DAYS: the preview's window when the body gives no `days`. */
  backfillDays: number;
  /** A hunt's brands must be LeBonCoin's (BRANDS_CHECK): the preview holds its body to what POST /v1/hunts would. */
  checkBrands: boolean;
}

export { PREVIEW_MAX_DAYS } from '../../domain/adWindows.js';
const DAY_MS = 86_400_000;
/** A hunt that is not saved has no id: the nil UUID stands for it. */
const UNSAVED = '00000000-0000-0000-0000-000000000000';

type PreviewBody = Omit<CreateHuntBody, 'accountId'> & { accountId?: string; days?: number };

/** The create-hunt body, `accountId` optional, plus `days`. */
const previewBodySchema = {
  ...createHuntSchema,
  required: createHuntSchema.required.filter((k) => k !== 'accountId'),
  properties: {
    ...createHuntSchema.properties,
    days: {
      type: 'integer',
      minimum: 1,
      maximum: PREVIEW_MAX_DAYS,
      description: 'The window: the ads scraped in the last `days` days (default BACKFILL_DAYS, what a backfill reads)',
    },
  },
} as const;

// `expected` and `actual` depend on the criterion (a list, a range, a value, an object): any JSON.
const anyJson = { description: 'depends on the criterion' };
const nullable = (type: string) => ({ type: [type, 'null'] });
const explainResponse = {
  type: 'object',
  required: ['huntId', 'adId', 'matches', 'criteria', 'lead', 'attributedTo'],
  properties: {
    huntId: { type: 'string', format: 'uuid' },
    adId: { type: 'string', format: 'uuid' },
    matches: { type: 'boolean', description: 'what the matcher decides for this hunt and ad' },
    criteria: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'ok', 'expected', 'actual'],
        properties: { name: { type: 'string' }, ok: { type: 'boolean' }, expected: anyJson, actual: anyJson },
      },
    },
    lead: {
      type: ['object', 'null'],
      description: "the account's lead for this ad, whichever hunt it came from",
      required: ['leadId', 'huntId', 'stage', 'reason'],
      properties: {
        leadId: { type: 'string', format: 'uuid' },
        huntId: { type: 'string', format: 'uuid' },
        stage: { type: 'string' },
        reason: nullable('string'),
      },
    },
    attributedTo: {
      ...nullable('string'),
      description:
        "the account's older hunt the lead went to, when the ad matches this hunt but the lead is another hunt's",
    },
  },
} as const;

const previewSchema = {
  ...describe(
    'hunts',
    'What a hunt would match among the ads scraped in the last days (the window a backfill of the hunt reads): exactly the ads its backfill would make leads of for an account with none; writes nothing',
    'apiToken',
  ),
  body: { ...previewBodySchema, examples: [EXAMPLES.preview] },
  response: { 200: previewResponse, ...errors(400, 401, 404) },
};

const explainSchema = {
  ...describe(
    'hunts',
    'Why an ad does or does not match a saved hunt: each criterion the hunt sets, pass or fail, and the lead',
    'apiToken',
  ),
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    description: 'exactly one of adId and externalId',
    properties: {
      adId: { type: 'string', format: 'uuid' },
      externalId: { type: 'string', minLength: 1, maxLength: 100, description: 'the LeBonCoin listing id' },
    },
  },
  response: { 200: explainResponse, ...errors(400, 401, 404) },
};

interface ExplainQuery {
  adId?: string;
  externalId?: string;
}

/** What the routes of registerHuntToolsRoutes share, made once per registration. */
function huntToolsRoutesShared(deps: HuntToolsRoutesDeps) {
  const auth = requireAccountAccess(deps);

  const defaultDays = Math.min(PREVIEW_MAX_DAYS, Math.max(1, deps.backfillDays));
  return { auth, defaultDays };
}
type HuntToolsRoutesShared = ReturnType<typeof huntToolsRoutesShared>;

function postHuntsPreview(app: HttpApp, deps: HuntToolsRoutesDeps, { auth, defaultDays }: HuntToolsRoutesShared) {
  app.post<{ Body: PreviewBody }>(
    '/v1/hunts/preview',
    {
      onRequest: auth,
      schema: previewSchema,
    },
    async (request) => {
      const { days = defaultDays, accountId: given, ...fields } = request.body;
      if (given !== undefined) assertAccountVisible(request, given, `account ${given}`);
      // An account's key previews for its own account.
      const accountId = given ?? scopeOf(request);
      // Contact hours decide when a seller is messaged, not what matches: none needed here.
      const settings = withDefaults(fields, null);
      checkHunt(settings);
      if (deps.checkBrands) checkBrands(settings);
      const now = deps.clock.now();
      const hunt: Hunt = {
        ...settings,
        id: UNSAVED,
        accountId: accountId ?? UNSAVED,
        version: 0,
        createdAt: now,
        updatedAt: now,
        lastScanAt: null,
      };
      const ads = await selectPreviewCandidates(deps.db, hunt, new Date(now.getTime() - days * DAY_MS));
      const preview = previewHunt(hunt, ads, days);
      return {
        days,
        matchingAds: preview.matchingAds,
        perDay: preview.perDay,
        alreadyLeads:
          accountId === undefined ? null : await countAccountLeads(deps.db, accountId, preview.matchedAdIds),
        sample: preview.sample.map(({ ad, distanceKm }) => ({
          adId: ad.adId,
          externalId: ad.externalId,
          title: ad.title,
          price: ad.price,
          city: ad.city,
          zipcode: ad.zipcode,
          distanceKm,
          firstPublishedAt: ad.firstPublishedAt === null ? null : new Date(ad.firstPublishedAt).toISOString(),
          scrapedAt: new Date(ad.scrapedAt).toISOString(),
          url: ad.url,
        })),
      };
    },
  );
}

function getHuntsExplain(app: HttpApp, deps: HuntToolsRoutesDeps, { auth }: HuntToolsRoutesShared) {
  app.get<{ Params: { id: string }; Querystring: ExplainQuery }>(
    '/v1/hunts/:id/explain',
    {
      onRequest: auth,
      schema: explainSchema,
    },
    async (request) => {
      const { adId, externalId } = request.query;
      if ((adId === undefined) === (externalId === undefined))
        throw new ValidationError('querystring', 'takes exactly one of adId and externalId');
      const stored = await loadHunt(deps.db, request.params.id);
      if (!stored || stored.deleted) throw new NotFoundError(`hunt ${request.params.id}`);
      assertAccountVisible(request, stored.accountId, `hunt ${request.params.id}`);
      const ad = await findAd(deps.db, adId !== undefined ? { adId } : { externalId: externalId! });
      if (!ad) throw new NotFoundError(`ad ${adId ?? externalId}`);
      const { deleted: _deleted, ...hunt } = stored;
      const explanation = explainMatch(ad, hunt);
      const lead = (await findLead(deps.db, hunt.accountId, ad.adId)) ?? null;
      return {
        huntId: hunt.id,
        adId: ad.adId,
        matches: explanation.matches,
        criteria: explanation.criteria,
        lead,
        attributedTo: explanation.matches && lead !== null && lead.huntId !== hunt.id ? lead.huntId : null,
      };
    },
  );
}

export const registerHuntToolsRoutes = routeModule(huntToolsRoutesShared, [postHuntsPreview, getHuntsExplain]);
