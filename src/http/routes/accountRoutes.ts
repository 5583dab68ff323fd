// Accounts (also created on first use by a hunt) and their API keys; the service-wide admin token only.
//   POST /v1/accounts
//   GET  /v1/accounts/:accountId                 the account and its identity (API_TOKEN or the account's key)
//   PATCH /v1/accounts/:accountId                its senderName (the identity every SMS carries) and
//        senderNumbers (the senders it sends from: numbers, short codes, alphanumeric sender IDs; a
//        seller's reply to one of them is this account's)
//   POST /v1/accounts/:accountId/sending/resume  lifts the holds on its sending at once (a probe
//        lifts them by itself every SENDING_PROBE_EVERY_MS); the next attempt tells if the problem is fixed
//   POST /v1/accounts/:accountId/api-keys        a new key, shown once (only its hash is stored)
//   GET  /v1/accounts/:accountId/api-keys        the live keys: ids, prefixes, creation and last use
//   DELETE /v1/accounts/:accountId/api-keys/:keyId
import type { Db } from '../../db/knex.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { optOutMentionProblem, parseSmsSender, repliesPossible, type SmsSender } from '../../domain/smsSender.js';
import { segmentsOf, SENDER_NAME_MAX } from '../../domain/smsText.js';
import type { ProviderName } from '../../providers/provider.js';
import { liftHolds } from '../../sql/holds/liftHolds.js';
import { selectActiveHolds, type ActiveHold } from '../../sql/holds/selectActiveHolds.js';
import type { HoldKey } from '../../sql/holds/holdSending.js';
import {
  findNumbersOfOthers,
  loadAccountIdentity,
  updateAccountIdentity,
  type AccountIdentity,
  type SenderNumber,
} from '../../sql/accounts/accountIdentity.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../../sql/accounts/apiKeys.js';
import { upsertAccount } from '../../sql/accounts/upsertAccount.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { routeModule } from '../registerEach.js';
import { routeFamily } from '../routeFamily.js';
import { EXAMPLES } from '../examples.js';
import { existingAccountRoutes } from '../existingAccount.js';
import { assertAccountVisible, newApiKey, requireAccountAccess, requireBearer } from '../auth.js';
import { accountParams, arrayOf, dateTime, nullable, object, uuid, noContent } from '../schemas.js';

const keyProperties = {
  id: uuid,
  accountId: uuid,
  prefix: { type: 'string', description: 'The first characters of the key, to recognise it' },
  createdAt: dateTime,
  lastUsedAt: nullable(dateTime),
};
const keySchema = object(keyProperties);
const newKeySchema = object({
  ...keyProperties,
  key: { type: 'string', description: 'The key itself, shown this once: only its hash is stored' },
});

export interface AccountRoutesDeps {
  db: Db;
  clock: Clock;
  apiToken: string | undefined;
  /** Who sends the accounts' messages: the providers in use, the SMS provider, its default sender and STOP mention. */
  sending: {
    providers: ProviderName[];
    smsProvider: ProviderName;
    smsSender: SmsSender | null;
    optOutMention: string;
  };
}

const keyParams = {
  type: 'object',
  required: ['accountId', 'keyId'],
  properties: { accountId: { type: 'string', format: 'uuid' }, keyId: { type: 'string', format: 'uuid' } },
} as const;

const keyJson = (k: ApiKeyRecord) => ({
  id: k.id,
  accountId: k.accountId,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: isoOrNull(k.lastUsedAt),
});

const senderNumberSchema = object({
  number: {
    type: 'string',
    description: 'E.164, a short code or an alphanumeric sender ID for SMS, or whatsapp:+E.164 for a WhatsApp sender',
  },
  channel: { type: 'string', enum: ['sms', 'whatsapp'] },
});
const sendingSchema = object(
  {
    held: { type: 'boolean' },
    reason: {
      ...nullable({ type: 'string' }),
      description:
        'Why: credentials, region_not_enabled, sender_not_allowed, whatsapp_sender_unknown, no_credits, carrier_filtering',
    },
    since: nullable(dateTime),
    scope: {
      ...nullable({ type: 'string', enum: ['account', 'provider'] }),
      description: 'account: its own settings (a sender of its own, carrier filtering); provider: the deployment’s',
    },
  },
  {
    description:
      "Whether its sending is held by a problem that is not a message's (its messages stay pending, resumed by a probe every few minutes or by POST …/sending/resume)",
  },
);
const accountSchema = object({
  id: uuid,
  name: { type: 'string' },
  senderName: {
    ...nullable({ type: 'string' }),
    description:
      'The identity every SMS and WhatsApp message of the account starts with (French rules); none: they are not sent (no_sender_identity) unless SENDER_NAME_DEFAULT is set',
  },
  senderNumbers: {
    ...arrayOf(senderNumberSchema),
    description:
      'The senders the account sends from (its SMS sender for sms, its whatsapp: number for whatsapp); replies to them are its own',
  },
  repliesPossible: {
    type: 'boolean',
    description:
      'Whether its sellers can answer its SMS: false from an alphanumeric sender ID (one-way; STOP goes where the mention says)',
  },
  sending: sendingSchema,
  createdAt: dateTime,
});

/** The account's sending state: its own hold, else a hold of a provider it sends through. */
const sendingOf = (accountId: string, holds: ActiveHold[], providers: ProviderName[]) => {
  const hold =
    holds.find((h) => h.scope === 'account' && h.target === accountId) ??
    holds.find((h) => h.scope === 'provider' && (providers as string[]).includes(h.target));
  return hold
    ? { held: true, reason: hold.reason, since: hold.since.toISOString(), scope: hold.scope }
    : { held: false, reason: null, since: null, scope: null };
};

const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', maxLength: 200 },
    senderName: { anyOf: [{ type: 'string', minLength: 1, maxLength: SENDER_NAME_MAX }, { type: 'null' }] },
    senderNumbers: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 60 } },
  },
} as const;

interface PatchBody {
  name?: string;
  senderName?: string | null;
  senderNumbers?: string[];
}

/** A sender name every SMS can carry without turning UCS-2 (70 characters a segment instead of 160). */
function checkSenderName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new ValidationError('body/senderName', 'must not be blank');
  const { nonGsm } = segmentsOf(trimmed);
  if (nonGsm.length > 0) {
    throw new ValidationError(
      'body/senderName',
      `holds ${nonGsm.map((c) => `"${c}"`).join(' ')}, outside the SMS alphabet (GSM-7): every SMS would cost twice the segments; é è à ù ç are fine, ê â î ô û ë ï are not`,
    );
  }
  return trimmed;
}

/**
 * "+33757000000", "36123", "GarageDupon" (SMS) or "whatsapp:+14155238886", as stored. An alphanumeric
 * sender must leave SMS_OPT_OUT_MENTION a way for its sellers to refuse (src/domain/smsSender.ts).
 */
function parseSenderNumbers(list: string[], rules: AccountRoutesDeps['sending']): SenderNumber[] {
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const field = `body/senderNumbers/${i}`;
    const whatsapp = /^whatsapp:/i.test(raw.trim());
    const sender = parseSmsSender(raw.trim().replace(/^whatsapp:/i, ''));
    if (!sender || sender.kind === 'messagingService' || (whatsapp && sender.kind !== 'number'))
      throw new ValidationError(
        field,
        whatsapp
          ? 'is not a WhatsApp sender (whatsapp:+E.164, e.g. whatsapp:+14155238886)'
          : 'is not a sender: an E.164 number (e.g. +33757000000), a short code (e.g. 36123) or an alphanumeric sender ID (3 to 11 letters, digits or spaces, at least one letter, e.g. GarageDupon)',
      );
    if (!whatsapp) {
      const problem = optOutMentionProblem(rules.optOutMention, sender, rules.smsProvider);
      if (problem)
        throw new ValidationError(
          field,
          `cannot send with SMS_OPT_OUT_MENTION "${rules.optOutMention}": it ${problem}`,
        );
    }
    const number = whatsapp ? `whatsapp:${sender.value}` : sender.value;
    if (seen.has(number)) throw new ValidationError(field, `repeats ${number}`);
    seen.add(number);
    return { number, channel: whatsapp ? 'whatsapp' : 'sms' };
  });
}

/** Whether the account's sellers can answer its SMS: from its own SMS sender, else the deployment's. */
const repliesPossibleOf = (a: AccountIdentity, rules: AccountRoutesDeps['sending']) => {
  const own = a.senderNumbers.find((n) => n.channel === 'sms');
  return repliesPossible(own ? parseSmsSender(own.number) : rules.smsSender);
};

/** What the routes of registerAccountRoutes share, made once per registration. */
function accountRoutesShared(deps: AccountRoutesDeps) {
  const adminRoute = routeFamily('accounts', 'apiToken', requireBearer(deps.apiToken), [400, 401, 404]);

  const accountJson = (a: AccountIdentity, holds: ActiveHold[]) => ({
    id: a.id,
    name: a.name,
    senderName: a.senderName,
    senderNumbers: a.senderNumbers,
    repliesPossible: repliesPossibleOf(a, deps.sending),
    sending: sendingOf(a.id, holds, deps.sending.providers),
    createdAt: a.createdAt.toISOString(),
  });

  const accountRoute = routeFamily('accounts', 'apiToken', requireAccountAccess(deps), [400, 401, 404]);
  return {
    adminRoute,
    accountJson,
    accountRoute,
    adminOfAccount: existingAccountRoutes(deps.db, adminRoute),
    ofAccount: existingAccountRoutes(deps.db, accountRoute),
  };
}
type AccountRoutesShared = ReturnType<typeof accountRoutesShared>;

function getAccounts(app: HttpApp, deps: AccountRoutesDeps, { accountJson, ofAccount }: AccountRoutesShared) {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId',
    ofAccount('The account: its name, senderName and senderNumbers', { response: { 200: accountSchema } }),
    async (request) => {
      const account = await loadAccountIdentity(deps.db, request.params.accountId);
      // Deleted since it was checked: the same 404.
      if (!account) throw new NotFoundError(`account ${request.params.accountId}`);
      return accountJson(account, await selectActiveHolds(deps.db));
    },
  );
}

function patchAccounts(app: HttpApp, deps: AccountRoutesDeps, { accountJson, accountRoute }: AccountRoutesShared) {
  app.patch<{ Params: { accountId: string }; Body: PatchBody }>(
    '/v1/accounts/:accountId',
    accountRoute(
      "Set the account's name, senderName (the identity its SMS carry; null removes it) or senderNumbers (all replaced; a number belongs to one account)",
      {
        params: accountParams,
        body: { ...patchBody, examples: [EXAMPLES.patchAccount] },
        response: { 200: accountSchema },
        errors: [400, 401, 404, 409],
      },
    ),
    async (request) => {
      const { accountId } = request.params;
      assertAccountVisible(request, accountId, `account ${accountId}`);
      const senderName =
        request.body.senderName === undefined || request.body.senderName === null
          ? request.body.senderName
          : checkSenderName(request.body.senderName);
      const senderNumbers =
        request.body.senderNumbers === undefined
          ? undefined
          : parseSenderNumbers(request.body.senderNumbers, deps.sending);
      const account = await changeIdentity(deps, accountId, { name: request.body.name, senderName, senderNumbers });
      const holds = await selectActiveHolds(deps.db);
      request.log.info(
        { accountId, senderName: account.senderName, senderNumbers: account.senderNumbers.length },
        'account identity changed',
      );
      return accountJson(account, holds);
    },
  );
}

/** In one transaction, the account locked: its identity changed, as it now is; a number of another account is a conflict. */
async function changeIdentity(
  deps: AccountRoutesDeps,
  accountId: string,
  changes: Parameters<typeof updateAccountIdentity>[2],
) {
  const { senderNumbers } = changes;
  return deps.db.transaction(async (trx) => {
    if (!(await trx('accounts').where({ id: accountId }).forUpdate().first('id')))
      throw new NotFoundError(`account ${accountId}`);
    if (senderNumbers) {
      const taken = await findNumbersOfOthers(
        trx,
        accountId,
        senderNumbers.map((n) => n.number),
      );
      if (taken.size > 0)
        throw new ConflictError(
          `${[...taken.keys()].join(', ')} already belongs to another account: a number names the one account its replies go to`,
        );
    }
    try {
      await updateAccountIdentity(trx, accountId, changes, deps.clock.now());
    } catch (error) {
      // Another account took the number meanwhile.
      if ((error as { code?: string }).code === '23505')
        throw new ConflictError('a sender number already belongs to another account');
      throw error;
    }
    return (await loadAccountIdentity(trx, accountId))!;
  });
}

function postAccountsSendingResume(app: HttpApp, deps: AccountRoutesDeps, { ofAccount }: AccountRoutesShared) {
  app.post<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/sending/resume',
    ofAccount(
      "Resume the account's sending at once (its hold, and the holds of the providers it sends through): its pending messages are attempted again; a problem that is not fixed holds it again at the next attempt",
      {
        response: {
          200: object({
            sending: sendingSchema,
            released: { type: 'integer', description: 'Pending messages attempted again at once' },
          }),
        },
      },
    ),
    async (request) => {
      const { accountId } = request.params;
      const keys: HoldKey[] = [
        { scope: 'account', target: accountId },
        ...deps.sending.providers.map((p): HoldKey => ({ scope: 'provider', target: p })),
      ];
      const { lifted, released } = await liftHolds(deps.db, keys, deps.clock.now());
      request.log.info({ accountId, lifted, released }, 'sending resumed by hand');
      return { sending: sendingOf(accountId, await selectActiveHolds(deps.db), deps.sending.providers), released };
    },
  );
}

function postAccounts(app: HttpApp, deps: AccountRoutesDeps, { adminRoute }: AccountRoutesShared) {
  app.post<{ Body: { id?: string; name?: string } }>(
    '/v1/accounts',
    adminRoute('Create an account, or rename it (accounts are also created on first use by a hunt)', {
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', maxLength: 200 } },
        examples: [EXAMPLES.createAccount],
      },
      response: { 201: object({ id: uuid, name: { type: 'string' }, createdAt: dateTime }) },
      errors: [400, 401],
    }),
    async (request, reply) => {
      const account = await upsertAccount(deps.db, { id: request.body.id ?? newId(), name: request.body.name });
      return reply.status(201).send({ id: account.id, name: account.name, createdAt: account.createdAt.toISOString() });
    },
  );
}

function getAccountsApiKeys(app: HttpApp, deps: AccountRoutesDeps, { adminOfAccount }: AccountRoutesShared) {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/api-keys',
    adminOfAccount("The account's live API keys (never the keys themselves)", {
      response: { 200: object({ keys: arrayOf(keySchema) }) },
    }),
    async (request) => ({ keys: (await listApiKeys(deps.db, request.params.accountId)).map(keyJson) }),
  );
}

function postAccountsApiKeys(app: HttpApp, deps: AccountRoutesDeps, { adminOfAccount }: AccountRoutesShared) {
  app.post<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/api-keys',
    adminOfAccount('Create an API key for the account (API_TOKEN only); the key opens this account and no other', {
      response: { 201: newKeySchema },
    }),
    async (request, reply) => {
      const { accountId } = request.params;
      const { key, hash, prefix } = newApiKey();
      const record = await insertApiKey(deps.db, { id: newId(), accountId, prefix, hash, now: deps.clock.now() });
      request.log.info({ accountId, keyId: record.id, prefix }, 'API key created');
      // The key itself is shown here, once: only its hash is kept.
      return reply.status(201).send({ ...keyJson(record), key });
    },
  );
}

function deleteAccountsApiKeys(app: HttpApp, deps: AccountRoutesDeps, { adminRoute }: AccountRoutesShared) {
  app.delete<{ Params: { accountId: string; keyId: string } }>(
    '/v1/accounts/:accountId/api-keys/:keyId',
    adminRoute('Revoke an API key', { params: keyParams, response: noContent('Revoked') }),
    async (request, reply) => {
      const { accountId, keyId } = request.params;
      if (!(await revokeApiKey(deps.db, accountId, keyId, deps.clock.now())))
        throw new NotFoundError(`API key ${keyId}`);
      request.log.info({ accountId, keyId }, 'API key revoked');
      return reply.status(204).send();
    },
  );
}

export const registerAccountRoutes = routeModule(accountRoutesShared, [
  getAccounts,
  patchAccounts,
  postAccountsSendingResume,
  postAccounts,
  postAccountsApiKeys,
  getAccountsApiKeys,
  deleteAccountsApiKeys,
]);
