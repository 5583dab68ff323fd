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
  /** As leased (src/sql/leaseMessages.ts): the unconfirmed mark of the previous attempt, if any. */
  previous_unconfirmed_since?: Date | null;
}
