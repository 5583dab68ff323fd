// Rows of the service's tables as the integration tests read them back.

/** A row of messages, the columns the tests look at. */
export interface StoredMessage {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  last_error: string | null;
  lead_id: string;
  provider: string | null;
  sender?: string | null;
  delivery_status: string | null;
  delivery_error: string | null;
  content: string;
}
