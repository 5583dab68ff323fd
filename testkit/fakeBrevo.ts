// A real local HTTP server that plays Brevo's side of its transactional SMS API, written from Brevo's
// documentation and no more lenient than Brevo:
//   POST /v3/transactionalSMS/send  the api-key header, a JSON body {sender (11 letters or digits, or a
//        number of 15 digits at most), recipient (country code and number, digits only), content, type
//        (transactional | marketing), tag, webUrl, unicodeEnabled}; answers 201 {messageId};
//        errors as Brevo's JSON {code, message}; 429 with the x-sib-ratelimit-* headers (no Retry-After);
//   GET  /v3/transactionalSMS/statistics/events?tags=&phoneNumber=&startDate=&endDate=&limit=
//        the SMS events report {events: [{phoneNumber, date, messageId, event, reason, reply, tag}]},
//        newest first; `tags` a serialized array (["…"]), `limit` 100 at most.
// What Brevo does with a marketing SMS, it does too: "[STOP_CODE]" becomes its opt-out short code (and
// without it, the short code replaces the sender), and the SMS is held outside the hours Brevo allows
// marketing SMS (not between 22:00 and 08:00, on Sundays or French public holidays; Paris time, on
// the stand-in's clock) until `release()` finds them open. Like Brevo it posts each SMS's events (JSON)
// to the webUrl it was given, through `ingress`; or, for a webhook set up in its console with batched
// events, it gathers them and `flushBatches()` posts them in arrays of up to 500, with the webhook
// URL's Basic credentials.
import Holidays from 'date-holidays';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, sendJson } from './localServer.js';

export interface BrevoSms {
  messageId: number;
  sender: string;
  /** What the phone shows as the sender (the short code replaces it on a marketing SMS without [STOP_CODE]). */
  shownSender: string;
  recipient: string;
  /** As sent to us. */
  content: string;
  /** As the phone gets it ([STOP_CODE] replaced). */
  delivered: string;
  type: string;
  tag: string | null;
  webUrl: string | null;
  unicodeEnabled: boolean;
  date: Date;
  /** Set while Brevo holds a marketing SMS outside its hours. */
  held: boolean;
}

export type BrevoEventName = 'delivered' | 'hard_bounce' | 'soft_bounce' | 'rejected' | 'blocked' | 'skip';

export type BrevoAnswer =
  | {
      kind: 'accept';
      events?: BrevoEventName[];
      /** The events happen (the report has them) but their posts are lost. */
      lose?: boolean;
    }
  | { kind: 'error'; status: number; code: string; message: string; headers?: Record<string, string> }
  | { kind: 'stall'; ms: number };

export type BrevoScript = (request: { recipient: string; content: string }, attempt: number) => BrevoAnswer;

export interface FakeBrevoOptions {
  apiKey: string;
  publicBaseUrl: string;
  ingress: () => string;
  script?: BrevoScript;
  /** Brevo's opt-out short code, what [STOP_CODE] becomes. */
  stopCode?: string;
  /** Brevo's clock, for the hours of marketing SMS. */
  now?: () => Date;
  /**
   * A webhook set up in Brevo's console with batched events (its URL may carry Basic credentials):
   * while batching is on (`batching(true)`), every event goes there, gathered, instead of to webUrl.
   */
  batchedWebhook?: { url: () => string };
}

/** The events report's names of the webhook's events. */
const REPORT_NAME: Record<string, string> = {
  sent: 'sent',
  delivered: 'delivered',
  hard_bounce: 'hardBounce',
  soft_bounce: 'softBounce',
  rejected: 'rejected',
  blocked: 'blocked',
  skip: 'skip',
  replied: 'replied',
  unsubscribe: 'unsubscribe',
};

const france = new Holidays('FR');
const paris = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});

/** Whether Brevo processes a marketing SMS now: 08:00 to 22:00 Paris time, Monday to Saturday, not a public holiday. */
export function marketingHoursOpen(at: Date): boolean {
  const p = Object.fromEntries(paris.formatToParts(at).map((x) => [x.type, x.value]));
  const day = `${p.year}-${p.month}-${p.day}`;
  const hour = Number(p.hour);
  const holiday = france.getHolidays(Number(p.year)).some((h) => h.type === 'public' && h.date.startsWith(day));
  return p.weekday !== 'Sun' && !holiday && hour >= 8 && hour < 22;
}

export async function startFakeBrevo(options: FakeBrevoOptions) {
  let script: BrevoScript = options.script ?? (() => ({ kind: 'accept', events: ['delivered'] }));
  const stopCode = options.stopCode ?? '36107';
  const now = options.now ?? (() => new Date());
  let nextId = 1_511_882_900_176_220;
  const sms: BrevoSms[] = [];
  const requests: Array<{ status: number; body: unknown }> = [];
  const lookups: Array<Record<string, string>> = [];
  const posted: Array<{ url: string; body: unknown; status: number }> = [];
  /** The report's events, newest last. */
  const report: Array<{
    phoneNumber: string;
    date: string;
    messageId: string;
    event: string;
    reason?: string;
    reply?: string;
    tag: string | null;
  }> = [];
  /** Events gathered for the batched webhook. */
  const gathered: Array<Record<string, unknown>> = [];
  /** The events of held SMS, posted once Brevo sends them. */
  const waiting = new Map<number, { answer: Extract<BrevoAnswer, { kind: 'accept' }> }>();
  const attempts = new Map<string, number>();
  let batching = false;

  const json = sendJson;
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

  /** Posts JSON where Brevo would: the SMS's webUrl (through ingress), or the console's webhook. */
  const postTo = async (url: string, body: unknown) => {
    const target = new URL(url.replace(options.publicBaseUrl, options.ingress()));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.username || target.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    const res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    posted.push({ url, body, status: res.status });
    return { status: res.status, body: text };
  };

  /** One event of an SMS: in the report, and posted as Brevo posts it (to its webUrl, or gathered for the batched webhook). */
  const event = async (m: BrevoSms, status: string, extra: Record<string, unknown> = {}, post = true) => {
    report.push({
      phoneNumber: m.recipient,
      date: now().toISOString(),
      messageId: String(m.messageId),
      event: REPORT_NAME[status] ?? status,
      ...(typeof extra.description === 'string' ? { reason: extra.description } : {}),
      ...(typeof extra.reply === 'string' ? { reply: extra.reply } : {}),
      tag: m.tag,
    });
    const body = {
      id: 26570,
      to: m.recipient,
      sms_count: 1,
      credits_used: 4.5,
      messageId: m.messageId,
      remaining_credit: 11_488.5,
      msg_status: status,
      date: now().toISOString(),
      type: m.type,
      reference: { '1': `ref-${m.messageId}` },
      tag: m.tag,
      ...extra,
    };
    if (!post) return { status: 0, body: '' };
    if (batching) {
      gathered.push(body);
      return { status: 0, body: '' };
    }
    if (!m.webUrl) return { status: 0, body: '' };
    return postTo(m.webUrl, body);
  };

  const playEvents = async (m: BrevoSms, answer: Extract<BrevoAnswer, { kind: 'accept' }>) => {
    await event(m, 'sent', {}, !answer.lose).catch(() => undefined);
    for (const e of answer.events ?? [])
      await event(m, e, e === 'delivered' ? {} : { description: 'Number unreachable' }, !answer.lose).catch(
        () => undefined,
      );
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
    const kind = (type as string | undefined) ?? 'transactional';
    // A stop code makes a transactional SMS a marketing one (Brevo's reference says so).
    const marketing = kind === 'marketing' || content.includes('[STOP_CODE]');
    const m: BrevoSms = {
      messageId: nextId++,
      sender,
      shownSender: marketing && !content.includes('[STOP_CODE]') ? stopCode : sender,
      recipient,
      content,
      delivered: content.replaceAll('[STOP_CODE]', stopCode),
      type: marketing ? 'marketing' : kind,
      tag: (tag as string | undefined) ?? null,
      webUrl: (webUrl as string | undefined) ?? null,
      unicodeEnabled: unicodeEnabled === true,
      date: now(),
      held: marketing && !marketingHoursOpen(now()),
    };
    sms.push(m);
    requests.push({ status: 201, body });
    // Brevo took it: the report has it from now on, whatever happens to the answer.
    report.push({
      phoneNumber: m.recipient,
      date: now().toISOString(),
      messageId: String(m.messageId),
      event: 'accepted',
      tag: m.tag,
    });
    if (answer.kind === 'stall') {
      await new Promise((resolve) => setTimeout(resolve, answer.ms));
      if (!res.destroyed) json(res, 201, { messageId: m.messageId });
      return;
    }
    json(res, 201, { messageId: m.messageId });
    if (m.held) waiting.set(m.messageId, { answer });
    else void playEvents(m, answer);
  };

  const events = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.headers['api-key'] !== options.apiKey) return refuse(res, 401, 'unauthorized', 'Key not found');
    const q = Object.fromEntries(url.searchParams);
    lookups.push(q);
    let tags: string[] | null = null;
    if (q.tags !== undefined) {
      try {
        const parsed: unknown = JSON.parse(q.tags);
        if (Array.isArray(parsed) && parsed.every((t) => typeof t === 'string')) tags = parsed;
      } catch {
        tags = null;
      }
      if (tags === null)
        return json(res, 400, { code: 'invalid_parameter', message: 'tags must be a serialized array of strings' });
    }
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 100)
      return json(res, 400, { code: 'invalid_parameter', message: 'limit must be between 0 and 100' });
    const found = report
      .filter(
        (e) =>
          (!tags || (e.tag !== null && tags.includes(e.tag))) && (!q.phoneNumber || e.phoneNumber === q.phoneNumber),
      )
      .slice()
      .reverse();
    json(res, 200, { events: found.slice(0, limit) });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/v3/transactionalSMS/send') return void send(req, res, raw);
      if (req.method === 'GET' && url.pathname === '/v3/transactionalSMS/statistics/events')
        return void events(req, res, url);
      json(res, 404, { code: 'not_found', message: 'Invalid route' });
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    sms,
    requests,
    lookups,
    posted,
    stopCode,
    smsTo: (recipient: string) => sms.filter((m) => m.recipient === recipient),
    script(next: BrevoScript) {
      script = next;
    },
    /** Brevo posting one more event of an SMS (a reply, an unsubscription): the service's answer. */
    event,
    /** Sends the marketing SMS Brevo held, if its hours are open now: how many went. */
    async release() {
      if (!marketingHoursOpen(now())) return 0;
      const held = sms.filter((m) => m.held);
      for (const m of held) {
        m.held = false;
        const w = waiting.get(m.messageId);
        waiting.delete(m.messageId);
        if (w) await playEvents(m, w.answer);
      }
      return held.length;
    },
    /** Events go to the batched webhook, gathered, while on; to each SMS's webUrl otherwise. */
    batching(on: boolean) {
      batching = on;
    },
    /** Posts the gathered events to the batched webhook, 500 at a time: the service's answers. */
    async flushBatches() {
      const answers: Array<{ status: number; body: string }> = [];
      while (gathered.length > 0) answers.push(await postTo(options.batchedWebhook!.url(), gathered.splice(0, 500)));
      return answers;
    },
    /** Posts one batch as given (events Brevo may write otherwise than documented, for a test of the route). */
    postBatch: (body: unknown[]) => postTo(options.batchedWebhook!.url(), body),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
