// A real local HTTP server that plays Twilio's side of the Messages API and of its webhooks, written
// from Twilio's documentation and no more lenient than Twilio:
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json  form-encoded, HTTP Basic auth (AccountSid:AuthToken),
//        To in E.164 (or whatsapp:+E.164, then From too), From or MessagingServiceSid, Body; answers
//        201 with the Message resource (sid SM + 32 hex), errors as Twilio's JSON {code, message, more_info, status};
//   GET  /2010-04-01/Accounts/{AccountSid}/Messages.json?To=&From=&PageSize=  newest first, Twilio's list shape.
// Like Twilio it calls the service back: status callbacks to each message's StatusCallback, and inbound
// messages to the number's webhook, form-encoded and signed with X-Twilio-Signature made by the twilio
// package's own getExpectedTwilioSignature (never the service's code). Callbacks go to the public URL the
// service gave, through `ingress` (the URL where the service really listens), as a load balancer would.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  dateCreated: Date;
}

/** What the stand-in does with one message request; `attempt` counts the requests to that To with that Body, from 1. */
export type TwilioAnswer =
  | { kind: 'accept'; receipt?: 'delivered' | 'undelivered' | 'read' | null; errorCode?: string }
  | { kind: 'error'; status: number; code: number; message: string; headers?: Record<string, string> }
  /** Takes the message (it will reach the phone), then answers only after `ms`: past the client's timeout, the answer is lost. */
  | { kind: 'stall'; ms: number };

export type TwilioScript = (
  request: { to: string; from: string | null; body: string; messagingServiceSid: string | null },
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
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const E164 = /^\+[1-9]\d{6,14}$/;
const moreInfo = (code: number) => `https://www.twilio.com/docs/errors/${code}`;

export async function startFakeTwilio(options: FakeTwilioOptions) {
  let script: TwilioScript = options.script ?? (() => ({ kind: 'accept', receipt: 'delivered' }));
  const messages: TwilioMessage[] = [];
  /** Every POST to Messages.json, accepted or refused. */
  const requests: Array<{ at: number; to: string; body: string; contentType: string; status: number }> = [];
  const lookups: Array<{ query: Record<string, string> }> = [];
  const callbacks: Array<{ url: string; params: Record<string, string>; status: number }> = [];
  const attempts = new Map<string, number>();
  const base = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  const basic = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const error = (
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
    headers: Record<string, string> = {},
  ) => json(res, status, { code, message, more_info: moreInfo(code), status }, headers);
  const resource = (m: TwilioMessage, status = 'queued') => ({
    sid: m.sid,
    account_sid: options.accountSid,
    messaging_service_sid: m.messagingServiceSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status,
    direction: 'outbound-api',
    num_segments: '1',
    date_created: m.dateCreated.toUTCString(),
    date_updated: m.dateCreated.toUTCString(),
    date_sent: null,
    error_code: null,
    error_message: null,
    price: null,
    api_version: '2010-04-01',
    uri: `${base.replace('.json', '')}/${m.sid}.json`,
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

  const statusCallbacks = async (m: TwilioMessage, final: 'delivered' | 'undelivered' | 'read', errorCode?: string) => {
    if (!m.statusCallback) return;
    for (const status of ['sent', final]) {
      const params: Record<string, string> = {
        MessageSid: m.sid,
        SmsSid: m.sid,
        MessageStatus: status,
        SmsStatus: status,
        AccountSid: options.accountSid,
        From: m.from ?? '+33757000999',
        To: m.to,
        ApiVersion: '2010-04-01',
        // Twilio adds parameters without notice.
        ChannelToAddress: m.to.replace(/\d{4}$/, 'XXXX'),
      };
      if (status === 'undelivered') params.ErrorCode = errorCode ?? '30006';
      // Twilio does not retry a failed status callback (by default): one try each.
      await post(m.statusCallback, params).catch(() => undefined);
    }
  };

  const create = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const contentType = String(req.headers['content-type'] ?? '');
    const record = (status: number, to = '', body = '') =>
      requests.push({ at: performance.timeOrigin + performance.now(), to, body, contentType, status });
    if (req.headers.authorization !== basic) return (record(401), error(res, 401, 20003, 'Authenticate'));
    // Twilio reads parameters from a form body; a JSON body carries none of them.
    if (!contentType.startsWith('application/x-www-form-urlencoded'))
      return (record(400), error(res, 400, 21604, "A 'To' phone number is required."));
    const form = new URLSearchParams(raw);
    const to = form.get('To') ?? '';
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    const statusCallback = form.get('StatusCallback');
    if (!to) return (record(400), error(res, 400, 21604, "A 'To' phone number is required."));
    const whatsapp = to.startsWith('whatsapp:');
    if (!E164.test(to.replace(/^whatsapp:/, '')))
      return (record(400, to, body), error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`));
    if (!from && !service) return (record(400, to, body), error(res, 400, 21603, "A 'From' phone number is required."));
    if (from && !E164.test(from.replace(/^whatsapp:/, '')))
      return (
        record(400, to, body),
        error(
          res,
          400,
          21212,
          `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
        )
      );
    if (from && whatsapp !== from.startsWith('whatsapp:'))
      return (
        record(400, to, body),
        error(res, 400, 21910, 'Invalid From and To pair. From and To should be of the same channel')
      );
    if (service && !/^MG[0-9a-f]{32}$/.test(service))
      return (record(400, to, body), error(res, 400, 21701, 'The Messaging Service Sid is invalid.'));
    if (!body) return (record(400, to, body), error(res, 400, 21602, 'Message body is required.'));
    if (body.length > 1600)
      return (
        record(400, to, body),
        error(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.')
      );
    if (statusCallback && !/^https?:\/\//.test(statusCallback))
      return (record(400, to, body), error(res, 400, 21609, 'Invalid StatusCallback url.'));
    const key = `${to}\u0000${body}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const answer = script({ to, from, body, messagingServiceSid: service }, attempt);
    if (answer.kind === 'error')
      return (record(answer.status, to, body), error(res, answer.status, answer.code, answer.message, answer.headers));
    const m: TwilioMessage = {
      sid: sid('SM'),
      to,
      from,
      messagingServiceSid: service,
      body,
      statusCallback,
      dateCreated: new Date(),
    };
    messages.push(m);
    record(201, to, body);
    if (answer.kind === 'stall') {
      await new Promise((resolve) => setTimeout(resolve, answer.ms));
      if (!res.destroyed) json(res, 201, resource(m));
      return;
    }
    json(res, 201, resource(m));
    if (answer.receipt) void statusCallbacks(m, answer.receipt, answer.errorCode);
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
      messages: found.map((m) => resource(m, 'sent')),
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

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== base) return void error(res, 404, 20404, 'The requested resource was not found');
      if (req.method === 'POST') return void create(req, res, raw);
      if (req.method === 'GET') return void list(req, res, url);
      error(res, 405, 20004, 'Method not allowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    requests,
    lookups,
    callbacks,
    /** Messages Twilio took for a phone (what that seller would receive), WhatsApp prefix included in `to`. */
    messagesTo: (to: string) => messages.filter((m) => m.to === to),
    script(next: TwilioScript) {
      script = next;
    },
    /** A seller's message to one of our numbers, posted to the service's inbound webhook as Twilio does; the service's answer. */
    inbound(
      message: { from: string; to: string; body: string; optOutType?: 'STOP' | 'START' | 'HELP' },
      inboundUrl = `${options.publicBaseUrl}/v1/providers/twilio/inbound`,
    ) {
      const sidIn = sid('SM');
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
