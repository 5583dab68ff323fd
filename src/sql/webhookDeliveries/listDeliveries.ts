import type { Db } from '../../db/knex.js';
import type { DeliveryStatus } from '../../domain/webhooks.js';

export interface AttemptRecord {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** Every attempt, oldest first. */
  attemptLog: AttemptRecord[];
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
  attempt_log: Array<{ at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

const recordOf = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
  lastAttemptAt: r.last_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
  attemptLog: r.attempt_log.map((a) => ({
    at: new Date(a.at),
    statusCode: a.status_code,
    error: a.error,
    durationMs: a.duration_ms,
  })),
});

/** An endpoint's deliveries, newest first, each with its attempts; `id` narrows to one. */
export async function listDeliveries(
  db: Db,
  endpointId: string,
  options: { limit: number; status?: DeliveryStatus; id?: string },
): Promise<DeliveryRecord[]> {
  const { rows } = await db.raw<{ rows: DeliveryRow[] }>(
    `SELECT d.id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
            d.last_status_code, d.last_error, d.delivered_at, d.created_at,
            COALESCE((SELECT json_agg(json_build_object('at', a.attempted_at, 'status_code', a.status_code,
                                                        'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.id)
                        FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempt_log
       FROM webhook_deliveries d
      WHERE d.endpoint_id = ? AND (?::text IS NULL OR d.status = ?) AND (?::uuid IS NULL OR d.id = ?::uuid)
      ORDER BY d.seq DESC
      LIMIT ?`,
    [endpointId, options.status ?? null, options.status ?? null, options.id ?? null, options.id ?? null, options.limit],
  );
  return rows.map(recordOf);
}
