// A real local HTTP server that plays Twilio's side of the Messages API and of its webhooks, written
// from Twilio's documentation and no more lenient than Twilio:
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json  form-encoded, HTTP Basic auth (AccountSid:AuthToken),
//        To in E.164 (or whatsapp:+E.164, then From too); From (an E.164 number, a short code or an
//        alphanumeric sender ID; WhatsApp: whatsapp:+E.164 only) or MessagingServiceSid; Body, or
//        ContentSid (HX + 32 hex) with ContentVariables (a JSON object of non-empty one-line strings);
//        ValidityPeriod (1 to 36,000 seconds); answers 201 with the Message resource (sid SM + 32 hex),
//        errors as Twilio's JSON {code, message, more_info, status};
//   GET  /2010-04-01/Accounts/{AccountSid}/Messages.json?To=&From=&PageSize=  newest first, Twilio's list shape;
//   GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json                 one message, its status and error_code.
// What Twilio does after its 201, it does too: free text to a WhatsApp user outside the 24 hours after
// their last message (to us, through `inbound`) fails, by a signed `failed` status callback with
// ErrorCode 63016; otherwise the script says which status callbacks come, in which order, with which
// ErrorCode (carrier filtering is 30007), or none at all (a lost callback), and what the message's
// status then reads when fetched.
// Callbacks are form-encoded and signed with X-Twilio-Signature made by the twilio package's own
// getExpectedTwilioSignature (never the service's code). They go to the public URL the service gave,
// through `ingress` (the URL where the service really listens), as a load balancer would.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, sendJson } from './localServer.js';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  validityPeriod: number | null;
  statusCallback: string | null;
  dateCreated: Date;
  /** What GET …/Messages/{Sid}.json reads. */
  status: string;
  errorCode: string | null;
}

/** One status callback, as Twilio posts it: a status, with its ErrorCode for failed and undelivered. */
export interface StatusCallback {
  status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read' | 'partially_delivered' | 'canceled';
  errorCode?: string;
}

/** What the stand-in does with one message request; `attempt` counts the requests to that To with that Body, from 1. */
export type TwilioAnswer =
  | {
      kind: 'accept';
      /** Shorthand: "sent" then this final status (undelivered with `errorCode`, 30006 by default); null: no callback. */
      receipt?: 'delivered' | 'undelivered' | 'read' | null;
      errorCode?: string;
      /** The callbacks, in this order (any final status, any code, repeated or contradicting); [] for none. */
      callbacks?: StatusCallback[];
      /** What the message reads when fetched, if not the last callback's (a callback lost on its way). */
      status?: StatusCallback;
    }
  | { kind: 'error'; status: number; code: number; message: string; headers?: Record<string, string> }
  /** Takes the message (it will reach the phone), then answers only after `ms`: past the client's timeout, the answer is lost. */
  | { kind: 'stall'; ms: number };

export type TwilioScript = (
  request: {
    to: string;
    from: string | null;
    body: string;
    messagingServiceSid: string | null;
    contentSid: string | null;
    contentVariables: Record<string, string> | null;
  },
  attempt: number,
) => TwilioAnswer;

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** The service's PUBLIC_BASE_URL (what Twilio is given and signs for). */
  publicBaseUrl: string;
  /** Where the service really listens (callbacks to publicBaseUrl are delivered there). */
  ingress: () => string;
  script?: TwilioScript;
  /** Twilio's clock, for WhatsApp's 24-hour window (the test's injected clock, or the real one). */
  now?: () => Date;
}

/** The Twilio account a test sends through: what the stand-in checks and what the service is configured with. */
export type TwilioAccount = Pick<FakeTwilioOptions, 'accountSid' | 'authToken' | 'publicBaseUrl'>;

/** The service's settings for sending through `twilio` as `account`, from `from` (SMS) and `whatsappFrom`. */
export const twilioServiceEnv = (
  twilio: { url: string },
  account: TwilioAccount,
  senders: { from: string; whatsappFrom: string },
): Record<string, string> => ({
  TWILIO_ACCOUNT_SID: account.accountSid,
  TWILIO_AUTH_TOKEN: account.authToken,
  TWILIO_FROM: senders.from,
  TWILIO_WHATSAPP_FROM: senders.whatsappFrom,
  TWILIO_API_URL: twilio.url,
  PUBLIC_BASE_URL: account.publicBaseUrl,
});

/** Sent by Twilio, then undelivered with `errorCode` (the carrier's or the handset's refusal). */
export const undelivered = (errorCode: string): TwilioAnswer => ({
  kind: 'accept',
  callbacks: [{ status: 'sent' }, { status: 'undelivered', errorCode }],
});

/** Carrier filtering: the carrier drops the message after Twilio sent it (30007). */
export const carrierFiltered: TwilioAnswer = undelivered('30007');

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const E164 = /^\+[1-9]\d{6,14}$/;
const SHORT_CODE = /^\d{5,6}$/;
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{2,11}$/;
const moreInfo = (code: number) => `https://www.twilio.com/docs/errors/${code}`;
const WHATSAPP_WINDOW_MS = 24 * 3600_000;
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'read', 'partially_delivered', 'canceled']);

export async function startFakeTwilio(options: FakeTwilioOptions) {
  let script: TwilioScript = options.script ?? (() => ({ kind: 'accept', receipt: 'delivered' }));
  const now = options.now ?? (() => new Date());
  const messages: TwilioMessage[] = [];
  /** Every POST to Messages.json, accepted or refused. */
  const requests: Array<{
    at: number;
    to: string;
    body: string;
    contentType: string;
    status: number;
    form: Record<string, string>;
  }> = [];
  const lookups: Array<{ query: Record<string, string> }> = [];
  const fetches: string[] = [];
  const callbacks: Array<{ url: string; params: Record<string, string>; status: number }> = [];
  const attempts = new Map<string, number>();
  /** When each WhatsApp user last wrote to one of our WhatsApp senders (their 24-hour window). */
  const sessions = new Map<string, Date>();
  const account = `/2010-04-01/Accounts/${options.accountSid}`;
  const base = `${account}/Messages.json`;
  const basic = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  const json = sendJson;
  const error = (
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
    headers: Record<string, string> = {},
  ) => json(res, status, { code, message, more_info: moreInfo(code), status }, headers);
  const resource = (m: TwilioMessage) => ({
    sid: m.sid,
    account_sid: options.accountSid,
    messaging_service_sid: m.messagingServiceSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    direction: 'outbound-api',
    num_segments: '1',
    date_created: m.dateCreated.toUTCString(),
    date_updated: m.dateCreated.toUTCString(),
    date_sent: null,
    error_code: m.errorCode === null ? null : Number(m.errorCode),
    error_message: null,
    price: null,
    api_version: '2010-04-01',
    uri: `${account}/Messages/${m.sid}.json`,
  });

  /** Posts form parameters to a URL the service gave, signed as Twilio signs: the public URL is what is signed. */
  const post = async (publicUrl: string, params: Record<string, string>) => {
    const signature = getExpectedTwilioSignature(options.authToken, publicUrl, params);
    const local = publicUrl.replace(options.publicBaseUrl, options.ingress());
    const res = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    callbacks.push({ url: publicUrl, params, status: res.status });
    return { status: res.status, contentType: res.headers.get('content-type'), body: text };
  };

  /** One status callback of a message, as Twilio posts it (Twilio adds parameters without notice). */
  const statusCallback = (m: TwilioMessage, c: StatusCallback) => {
    if (!m.statusCallback) return Promise.resolve(undefined);
    const params: Record<string, string> = {
      MessageSid: m.sid,
      SmsSid: m.sid,
      MessageStatus: c.status,
      SmsStatus: c.status,
      AccountSid: options.accountSid,
      From: m.from ?? '+33757000999',
      To: m.to,
      ApiVersion: '2010-04-01',
      ChannelToAddress: m.to.replace(/\d{4}$/, 'XXXX'),
    };
    if (c.errorCode) params.ErrorCode = c.errorCode;
    // Twilio does not retry a failed status callback (by default): one try each.
    return post(m.statusCallback, params).catch(() => undefined);
  };

  const sendCallbacks = async (m: TwilioMessage, list: StatusCallback[]) => {
    for (const c of list) await statusCallback(m, c);
  };

  /** The callbacks a script's answer asks for, and the status the message then reads. */
  const planOf = (
    answer: Extract<TwilioAnswer, { kind: 'accept' }>,
  ): { list: StatusCallback[]; reads: StatusCallback } => {
    const list: StatusCallback[] =
      answer.callbacks ??
      (answer.receipt
        ? [
            { status: 'sent' },
            answer.receipt === 'undelivered'
              ? { status: 'undelivered', errorCode: answer.errorCode ?? '30006' }
              : { status: answer.receipt },
          ]
        : []);
    const finals = list.filter((c) => FINAL.has(c.status));
    return { list, reads: answer.status ?? finals[0] ?? list[list.length - 1] ?? { status: 'sent' } };
  };

  const create = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const contentType = String(req.headers['content-type'] ?? '');
    const form = new URLSearchParams(raw);
    const formObject = Object.fromEntries(form);
    const record = (status: number, to = '', body = '') =>
      requests.push({
        at: performance.timeOrigin + performance.now(),
        to,
        body,
        contentType,
        status,
        form: formObject,
      });
    if (req.headers.authorization !== basic) return (record(401), error(res, 401, 20003, 'Authenticate'));
    // Twilio reads parameters from a form body; a JSON body carries none of them.
    if (!contentType.startsWith('application/x-www-form-urlencoded'))
      return (record(400), error(res, 400, 21604, "A 'To' phone number is required."));
    const to = form.get('To') ?? '';
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    const contentSid = form.get('ContentSid');
    const rawVariables = form.get('ContentVariables');
    const validity = form.get('ValidityPeriod');
    const statusCallbackUrl = form.get('StatusCallback');
    const refuse = (status: number, code: number, message: string) => (
      record(status, to, body),
      error(res, status, code, message)
    );
    if (!to) return refuse(400, 21604, "A 'To' phone number is required.");
    const whatsapp = to.startsWith('whatsapp:');
    if (!E164.test(to.replace(/^whatsapp:/, '')))
      return refuse(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !service) return refuse(400, 21603, "A 'From' phone number is required.");
    if (from && whatsapp !== from.startsWith('whatsapp:'))
      return refuse(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
    const sender = from?.replace(/^whatsapp:/, '') ?? null;
    if (
      sender !== null &&
      !(E164.test(sender) || (!whatsapp && (SHORT_CODE.test(sender) || ALPHANUMERIC.test(sender))))
    )
      return refuse(
        400,
        21212,
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      );
    if (service && !/^MG[0-9a-f]{32}$/.test(service))
      return refuse(400, 21701, 'The Messaging Service Sid is invalid.');
    let contentVariables: Record<string, string> | null = null;
    if (contentSid !== null) {
      if (!/^HX[0-9a-fA-F]{32}$/.test(contentSid)) return refuse(400, 21655, 'The ContentSid is Invalid.');
      if (rawVariables !== null) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(rawVariables);
        } catch {
          parsed = undefined;
        }
        const ok =
          parsed !== null &&
          typeof parsed === 'object' &&
          !Array.isArray(parsed) &&
          Object.values(parsed as object).every(
            (v) => typeof v === 'string' && v.trim() !== '' && !/[\n\t]| {5,}/.test(v) && v.length <= 1600,
          );
        if (!ok) return refuse(400, 21656, 'The ContentVariables Parameter is invalid.');
        contentVariables = parsed as Record<string, string>;
      }
    } else if (!body) return refuse(400, 21602, 'Message body is required.');
    if (body.length > 1600)
      return refuse(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (validity !== null && !(/^\d+$/.test(validity) && Number(validity) >= 1 && Number(validity) <= 36_000))
      return refuse(400, 90007, 'Invalid validity period value: whole seconds between 1 and 36,000.');
    if (statusCallbackUrl && !/^https?:\/\//.test(statusCallbackUrl))
      return refuse(400, 21609, 'Invalid StatusCallback url.');
    const key = `${to}\u0000${contentSid ?? body}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const answer = script({ to, from, body, messagingServiceSid: service, contentSid, contentVariables }, attempt);
    if (answer.kind === 'error')
      return (record(answer.status, to, body), error(res, answer.status, answer.code, answer.message, answer.headers));
    const m: TwilioMessage = {
      sid: sid('SM'),
      to,
      from,
      messagingServiceSid: service,
      body: contentSid ? `(template ${contentSid})` : body,
      contentSid,
      contentVariables,
      validityPeriod: validity === null ? null : Number(validity),
      statusCallback: statusCallbackUrl,
      dateCreated: new Date(),
      status: 'queued',
      errorCode: null,
    };
    messages.push(m);
    record(201, to, body);
    if (answer.kind === 'stall') {
      await new Promise((resolve) => setTimeout(resolve, answer.ms));
      if (!res.destroyed) json(res, 201, resource(m));
      return;
    }
    // WhatsApp: free text only within 24 hours of the user's last message; outside, Twilio takes the
    // request (201) and fails the message afterwards.
    const lastWrote = sessions.get(to);
    const outsideWindow =
      whatsapp && contentSid === null && !(lastWrote && now().getTime() - lastWrote.getTime() < WHATSAPP_WINDOW_MS);
    const plan = outsideWindow
      ? {
          list: [{ status: 'failed', errorCode: '63016' }] as StatusCallback[],
          reads: { status: 'failed', errorCode: '63016' } as StatusCallback,
        }
      : planOf(answer);
    json(res, 201, resource(m));
    m.status = plan.reads.status;
    m.errorCode = plan.reads.errorCode ?? null;
    void sendCallbacks(m, plan.list);
  };

  const list = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.headers.authorization !== basic) return error(res, 401, 20003, 'Authenticate');
    const query = Object.fromEntries(url.searchParams);
    lookups.push({ query });
    const size = Math.min(Number(query.PageSize ?? 50) || 50, 1000);
    const found = messages
      .filter((m) => (!query.To || m.to === query.To) && (!query.From || m.from === query.From))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
      .slice(0, size);
    json(res, 200, {
      messages: found.map(resource),
      page: 0,
      page_size: size,
      uri: `${base}?${url.searchParams.toString()}`,
      first_page_uri: `${base}?${url.searchParams.toString()}`,
      next_page_uri: null,
      previous_page_uri: null,
      start: 0,
      end: found.length - 1,
    });
  };

  const one = (req: IncomingMessage, res: ServerResponse, messageSid: string) => {
    if (req.headers.authorization !== basic) return error(res, 401, 20003, 'Authenticate');
    fetches.push(messageSid);
    const m = messages.find((x) => x.sid === messageSid);
    if (!m)
      return error(res, 404, 20404, `The requested resource ${account}/Messages/${messageSid}.json was not found`);
    json(res, 200, resource(m));
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const single = new RegExp(`^${account}/Messages/([A-Za-z0-9]+)\\.json$`).exec(url.pathname);
      if (single && req.method === 'GET') return void one(req, res, single[1]!);
      if (url.pathname !== base) return void error(res, 404, 20404, 'The requested resource was not found');
      if (req.method === 'POST') return void create(req, res, raw);
      if (req.method === 'GET') return void list(req, res, url);
      error(res, 405, 20004, 'Method not allowed');
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    messages,
    requests,
    lookups,
    fetches,
    callbacks,
    /** Messages Twilio took for a phone (what that seller would receive), WhatsApp prefix included in `to`. */
    messagesTo: (to: string) => messages.filter((m) => m.to === to),
    script(next: TwilioScript) {
      script = next;
    },
    /** Posts more status callbacks of a message Twilio took (a late or repeated one), as Twilio would. */
    statusCallbacks: (m: TwilioMessage, list: StatusCallback[]) => sendCallbacks(m, list),
    /** A seller's message to one of our numbers, posted to the service's inbound webhook as Twilio does; the service's answer. */
    inbound(
      message: { from: string; to: string; body: string; optOutType?: 'STOP' | 'START' | 'HELP' },
      inboundUrl = `${options.publicBaseUrl}/v1/providers/twilio/inbound`,
    ) {
      const sidIn = sid('SM');
      // A WhatsApp user who writes opens 24 hours of free text to them.
      if (message.from.startsWith('whatsapp:')) sessions.set(message.from, now());
      const params: Record<string, string> = {
        MessageSid: sidIn,
        SmsMessageSid: sidIn,
        SmsSid: sidIn,
        AccountSid: options.accountSid,
        From: message.from,
        To: message.to,
        Body: message.body,
        NumMedia: '0',
        NumSegments: '1',
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
        FromCountry: 'FR',
        ...(message.optOutType ? { OptOutType: message.optOutType } : {}),
      };
      return { sid: sidIn, answer: post(inboundUrl, params), params };
    },
    /** Signs and posts any parameters (a test of the signature check). */
    post,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
