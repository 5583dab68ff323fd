// What a contact sends, rendered for one ad, from its hunt's outreach (docs/ARCHITECTURE.md section 3):
// the text of an SMS or a LeBonCoin message (with the French rules' identity and STOP mention), or
// for WhatsApp the approved template (Twilio's Content SID and its numbered variables, each rendered
// from the service's template variables), the free text a seller who wrote within 24 hours gets, and
// the SMS a seller WhatsApp cannot reach gets instead. Pure.
import { composeMessage, type Composition } from './smsText.js';
import { renderTemplate } from './template.js';
import type { Ad, Outreach } from './types.js';

export interface OutreachMessage {
  /** What the conversation shows, and what is sent unless `contentSid` is (then only as free text, if `contentIsText`). */
  content: string;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  /** False when content only summarises the template (the hunt gave no free text). */
  contentIsText: boolean;
  /** The SMS that takes a WhatsApp message's place when WhatsApp cannot reach its seller (fallback "sms"). */
  fallbackContent: string | null;
}

/**
 * A template variable's value as WhatsApp takes it: never empty (Twilio refuses an empty value, 21656),
 * on one line, without runs of spaces.
 */
const variableValue = (text: string) => text.replace(/\s+/g, ' ').trim() || '-';

export function composeOutreach(
  outreach: Outreach,
  ad: Ad,
  rules: Pick<Composition, 'senderName' | 'optOutMention'>,
): OutreachMessage {
  const text = (channel: Outreach['channel']) =>
    composeMessage(renderTemplate(outreach.template ?? '', ad), { channel, ...rules });
  if (outreach.channel !== 'whatsapp' || outreach.contentSid === undefined)
    return {
      content: text(outreach.channel),
      contentSid: null,
      contentVariables: null,
      contentIsText: true,
      fallbackContent: null,
    };
  const variables = Object.fromEntries(
    Object.entries(outreach.contentVariables ?? {}).map(([k, v]) => [k, variableValue(renderTemplate(v, ad))]),
  );
  const summary = `[WhatsApp template ${outreach.contentSid}] ${Object.entries(variables)
    .map(([k, v]) => `{{${k}}} ${v}`)
    .join(' · ')}`.trim();
  return {
    content: outreach.template !== undefined ? text('whatsapp') : summary,
    contentSid: outreach.contentSid,
    contentVariables: variables,
    contentIsText: outreach.template !== undefined,
    fallbackContent: outreach.fallback === 'sms' && outreach.template !== undefined ? text('sms') : null,
  };
}
