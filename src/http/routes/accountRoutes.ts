// Accounts (also created on first use by a hunt) and their API keys; the service-wide admin token only.
//   POST /v1/accounts
//   GET  /v1/accounts/:accountId                 the account and its identity (API_TOKEN or the account's key)
//   PATCH /v1/accounts/:accountId                its senderName (the identity every SMS carries) and
//        senderNumbers (the numbers it sends from; a seller's reply to one of them is this account's)
//   POST /v1/accounts/:accountId/api-keys        a new key, shown once (only its hash is stored)
//   GET  /v1/accounts/:accountId/api-keys        the live keys: ids, prefixes, creation and last use
//   DELETE /v1/accounts/:accountId/api-keys/:keyId
import type { Db } from '../../db/knex.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { toE164 } from '../../domain/phone.js';
import { segmentsOf, SENDER_NAME_MAX } from '../../domain/smsText.js';
import {
  findNumbersOfOthers,
  loadAccountIdentity,
  updateAccountIdentity,
  type AccountIdentity,
  type SenderNumber,
} from '../../sql/accountIdentity.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../../sql/apiKeys.js';
import { accountExists } from '../../sql/accountExists.js';
import { upsertAccount } from '../../sql/upsertAccount.js';
import type { HttpApp } from '../app.js';
import { EXAMPLES } from '../examples.js';
import { assertAccountVisible, newApiKey, requireAccountAccess, requireBearer } from '../auth.js';
import { arrayOf, dateTime, describe, errors, nullable, object, uuid } from '../schemas.js';

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
}

const accountParams = {
  type: 'object',
  required: ['accountId'],
  properties: { accountId: { type: 'string', format: 'uuid' } },
} as const;
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
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

const senderNumberSchema = object({
  number: { type: 'string', description: 'E.164, or whatsapp:+E.164 for a WhatsApp sender' },
  channel: { type: 'string', enum: ['sms', 'whatsapp'] },
});
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
      'The numbers the account sends from (its SMS number for sms, its whatsapp: number for whatsapp); replies to them are its own',
  },
  createdAt: dateTime,
});

const accountJson = (a: AccountIdentity) => ({
  id: a.id,
  name: a.name,
  senderName: a.senderName,
  senderNumbers: a.senderNumbers,
  createdAt: a.createdAt.toISOString(),
});

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

/** "+33757000000", "07 57 00 00 00" or "whatsapp:+14155238886", as stored. */
function parseSenderNumbers(list: string[]): SenderNumber[] {
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const whatsapp = /^whatsapp:/i.test(raw.trim());
    const e164 = toE164(raw.trim().replace(/^whatsapp:/i, ''));
    if (!e164)
      throw new ValidationError(
        `body/senderNumbers/${i}`,
        'is not a phone number (E.164, e.g. +33757000000, or whatsapp:+14155238886)',
      );
    const number = whatsapp ? `whatsapp:${e164}` : e164;
    if (seen.has(number)) throw new ValidationError(`body/senderNumbers/${i}`, `repeats ${number}`);
    seen.add(number);
    return { number, channel: whatsapp ? 'whatsapp' : 'sms' };
  });
}

export const registerAccountRoutes = (deps: AccountRoutesDeps) => (app: HttpApp) => {
  const admin = requireBearer(deps.apiToken);
  const accountAccess = requireAccountAccess(deps);

  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId',
    {
      onRequest: accountAccess,
      schema: {
        ...describe('accounts', 'The account: its name, senderName and senderNumbers', 'apiToken'),
        params: accountParams,
        response: { 200: accountSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      assertAccountVisible(request, request.params.accountId, `account ${request.params.accountId}`);
      const account = await loadAccountIdentity(deps.db, request.params.accountId);
      if (!account) throw new NotFoundError(`account ${request.params.accountId}`);
      return accountJson(account);
    },
  );

  app.patch<{ Params: { accountId: string }; Body: PatchBody }>(
    '/v1/accounts/:accountId',
    {
      onRequest: accountAccess,
      schema: {
        ...describe(
          'accounts',
          "Set the account's name, senderName (the identity its SMS carry; null removes it) or senderNumbers (all replaced; a number belongs to one account)",
          'apiToken',
        ),
        params: accountParams,
        body: { ...patchBody, examples: [EXAMPLES.patchAccount] },
        response: { 200: accountSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      assertAccountVisible(request, accountId, `account ${accountId}`);
      const senderName =
        request.body.senderName === undefined || request.body.senderName === null
          ? request.body.senderName
          : checkSenderName(request.body.senderName);
      const senderNumbers =
        request.body.senderNumbers === undefined ? undefined : parseSenderNumbers(request.body.senderNumbers);
      const account = await deps.db.transaction(async (trx) => {
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
          await updateAccountIdentity(
            trx,
            accountId,
            { name: request.body.name, senderName, senderNumbers },
            deps.clock.now(),
          );
        } catch (error) {
          // Another account took the number meanwhile.
          if ((error as { code?: string }).code === '23505')
            throw new ConflictError('a sender number already belongs to another account');
          throw error;
        }
        return (await loadAccountIdentity(trx, accountId))!;
      });
      request.log.info(
        { accountId, senderName: account.senderName, senderNumbers: account.senderNumbers.length },
        'account identity changed',
      );
      return accountJson(account);
    },
  );

  app.post<{ Body: { id?: string; name?: string } }>(
    '/v1/accounts',
    {
      onRequest: admin,
      schema: {
        ...describe(
          'accounts',
          'Create an account, or rename it (accounts are also created on first use by a hunt)',
          'apiToken',
        ),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', maxLength: 200 } },
          examples: [EXAMPLES.createAccount],
        },
        response: { 201: object({ id: uuid, name: { type: 'string' }, createdAt: dateTime }), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const account = await upsertAccount(deps.db, { id: request.body.id ?? newId(), name: request.body.name });
      return reply.status(201).send({ id: account.id, name: account.name, createdAt: account.createdAt.toISOString() });
    },
  );

  app.post<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/api-keys',
    {
      onRequest: admin,
      schema: {
        ...describe(
          'accounts',
          'Create an API key for the account (API_TOKEN only); the key opens this account and no other',
          'apiToken',
        ),
        params: accountParams,
        response: { 201: newKeySchema, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      if (!(await accountExists(deps.db, accountId))) throw new NotFoundError(`account ${accountId}`);
      const { key, hash, prefix } = newApiKey();
      const record = await insertApiKey(deps.db, { id: newId(), accountId, prefix, hash, now: deps.clock.now() });
      request.log.info({ accountId, keyId: record.id, prefix }, 'API key created');
      // The key itself is shown here, once: only its hash is kept.
      return reply.status(201).send({ ...keyJson(record), key });
    },
  );

  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/api-keys',
    {
      onRequest: admin,
      schema: {
        ...describe('accounts', "The account's live API keys (never the keys themselves)", 'apiToken'),
        params: accountParams,
        response: { 200: object({ keys: arrayOf(keySchema) }), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      if (!(await accountExists(deps.db, request.params.accountId)))
        throw new NotFoundError(`account ${request.params.accountId}`);
      return { keys: (await listApiKeys(deps.db, request.params.accountId)).map(keyJson) };
    },
  );

  app.delete<{ Params: { accountId: string; keyId: string } }>(
    '/v1/accounts/:accountId/api-keys/:keyId',
    {
      onRequest: admin,
      schema: {
        ...describe('accounts', 'Revoke an API key', 'apiToken'),
        params: keyParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { accountId, keyId } = request.params;
      if (!(await revokeApiKey(deps.db, accountId, keyId, deps.clock.now())))
        throw new NotFoundError(`API key ${keyId}`);
      request.log.info({ accountId, keyId }, 'API key revoked');
      return reply.status(204).send();
    },
  );
};
