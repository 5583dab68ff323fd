// The messages table's row, as the sender reads it.
export interface MessageRow {
  id: string;
  account_id: string;
  lead_id: string;
  hunt_id: string;
  ad_id: string;
  channel: string;
  recipient: string;
  content: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  command_event_id: string | null;
  correlation_id: string | null;
  /** WhatsApp: the approved template and its rendered variables (null for a text message). */
  content_sid?: string | null;
  content_variables?: Record<string, string> | null;
  /** False when content only summarises the template (never sent as text). */
  content_is_text?: boolean;
  /** As leased (src/sql/messages/leaseMessages.ts): the unconfirmed mark of the previous attempt, if any. */
  previous_unconfirmed_since?: Date | null;
}
