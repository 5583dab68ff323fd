// A real local HTTP server that plays Brevo's side of its transactional SMS API, written from Brevo's
// documentation and no more lenient than Brevo:
//   POST /v3/transactionalSMS/send  the api-key header, a JSON body {sender (11 letters or digits, or a
//        number of 15 digits at most), recipient (country code and number, digits only), content, type
//        (transactional | marketing), tag, webUrl, unicodeEnabled}; answers 201 {messageId};
//        errors as Brevo's JSON {code, message}; 429 with the x-sib-ratelimit-* headers (no Retry-After);
//   GET  /v3/transactionalSMS/statistics/events?tags=&phoneNumber=&startDate=&endDate=&limit=
//        the SMS events report {events: [{phoneNumber, date, messageId, event, reason, reply, tag}]}.
// Like Brevo it posts each SMS's events (JSON) to the webUrl it was given, through `ingress`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface BrevoSms {
  messageId: number;
  sender: string;
  recipient: string;
  content: string;
  type: string;
  tag: string | null;
  webUrl: string | null;
  unicodeEnabled: boolean;
  date: Date;
}

export type BrevoAnswer =
  | { kind: 'accept'; events?: Array<'delivered' | 'hard_bounce' | 'soft_bounce'> }
  | { kind: 'error'; status: number; code: string; message: string; headers?: Record<string, string> }
  | { kind: 'stall'; ms: number };

export type BrevoScript = (request: { recipient: string; content: string }, attempt: number) => BrevoAnswer;

export interface FakeBrevoOptions {
  apiKey: string;
  publicBaseUrl: string;
  ingress: () => string;
  script?: BrevoScript;
}

export async function startFakeBrevo(options: FakeBrevoOptions) {
  let script: BrevoScript = options.script ?? (() => ({ kind: 'accept', events: ['delivered'] }));
  let nextId = 1_511_882_900_176_220;
  const sms: BrevoSms[] = [];
  const requests: Array<{ status: number; body: unknown }> = [];
  const lookups: Array<Record<string, string>> = [];
  const posted: Array<{ url: string; body: unknown; status: number }> = [];
  const attempts = new Map<string, number>();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const refuse = (
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    body: unknown = null,
    headers: Record<string, string> = {},
  ) => {
    requests.push({ status, body });
    json(res, status, { code, message }, headers);
  };

  /** One event of an SMS, posted as Brevo posts it to the SMS's webUrl. */
  const event = async (m: BrevoSms, status: string, extra: Record<string, unknown> = {}) => {
    if (!m.webUrl) return { status: 0, body: '' };
    const body = {
      id: 26570,
      to: m.recipient,
      sms_count: 1,
      credits_used: 4.5,
      messageId: m.messageId,
      remaining_credit: 11_488.5,
      msg_status: status,
      date: new Date().toISOString(),
      type: m.type,
      reference: { '1': `ref-${m.messageId}` },
      tag: m.tag,
      ...extra,
    };
    const local = m.webUrl.replace(options.publicBaseUrl, options.ingress());
    const res = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    posted.push({ url: m.webUrl, body, status: res.status });
    return { status: res.status, body: text };
  };

  const send = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.headers['api-key'] !== options.apiKey) return refuse(res, 401, 'unauthorized', 'Key not found');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return refuse(res, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return refuse(res, 400, 'bad_request', 'Invalid JSON');
    }
    const { sender, recipient, content, type, tag, webUrl, unicodeEnabled } = body;
    if (typeof sender !== 'string' || !(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(sender) || /^\d{1,15}$/.test(sender)))
      return refuse(
        res,
        400,
        'invalid_parameter',
        'sender is invalid: 11 alphanumeric characters or 15 digits at most',
        body,
      );
    if (typeof recipient !== 'string' || !/^[1-9]\d{7,14}$/.test(recipient))
      return refuse(
        res,
        400,
        'invalid_parameter',
        'Invalid recipient: the mobile number with its country code, digits only',
        body,
      );
    if (typeof content !== 'string' || content.length === 0)
      return refuse(res, 400, 'missing_parameter', 'content is missing', body);
    if (type !== undefined && type !== 'transactional' && type !== 'marketing')
      return refuse(res, 400, 'invalid_parameter', 'type must be transactional or marketing', body);
    if (webUrl !== undefined && (typeof webUrl !== 'string' || !/^https?:\/\//.test(webUrl)))
      return refuse(res, 400, 'invalid_parameter', 'webUrl is not a valid URL', body);
    if (tag !== undefined && typeof tag !== 'string')
      return refuse(res, 400, 'invalid_parameter', 'tag must be a string', body);
    const key = `${recipient}\u0000${content}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const answer = script({ recipient, content }, attempt);
    if (answer.kind === 'error') return refuse(res, answer.status, answer.code, answer.message, body, answer.headers);
    const m: BrevoSms = {
      messageId: nextId++,
      sender,
      recipient,
      content,
      type: (type as string | undefined) ?? 'transactional',
      tag: (tag as string | undefined) ?? null,
      webUrl: (webUrl as string | undefined) ?? null,
      unicodeEnabled: unicodeEnabled === true,
      date: new Date(),
    };
    sms.push(m);
    requests.push({ status: 201, body });
    if (answer.kind === 'stall') {
      await new Promise((resolve) => setTimeout(resolve, answer.ms));
      if (!res.destroyed) json(res, 201, { messageId: m.messageId });
      return;
    }
    json(res, 201, { messageId: m.messageId });
    void (async () => {
      await event(m, 'sent').catch(() => undefined);
      for (const e of answer.events ?? [])
        await event(m, e, e === 'delivered' ? {} : { description: 'Number unreachable' }).catch(() => undefined);
    })();
  };

  const report = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.headers['api-key'] !== options.apiKey) return refuse(res, 401, 'unauthorized', 'Key not found');
    const q = Object.fromEntries(url.searchParams);
    lookups.push(q);
    const events = sms
      .filter((m) => (!q.tags || m.tag === q.tags) && (!q.phoneNumber || m.recipient === q.phoneNumber))
      .map((m) => ({
        phoneNumber: m.recipient,
        date: m.date.toISOString(),
        messageId: String(m.messageId),
        event: 'sent',
        tag: m.tag,
      }));
    json(res, 200, { events: events.slice(0, Number(q.limit ?? 50) || 50) });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/v3/transactionalSMS/send') return void send(req, res, raw);
      if (req.method === 'GET' && url.pathname === '/v3/transactionalSMS/statistics/events')
        return void report(req, res, url);
      json(res, 404, { code: 'not_found', message: 'Invalid route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sms,
    requests,
    lookups,
    posted,
    smsTo: (recipient: string) => sms.filter((m) => m.recipient === recipient),
    script(next: BrevoScript) {
      script = next;
    },
    /** Brevo posting one more event of an SMS (a reply, an unsubscription): the service's answer. */
    event,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
