// An account's leads in Kanban order: column by column (stage order), newest on top (position), with
// a summary of each ad. Keyset pagination over (stage rank, position, id).
import type { Db } from '../../db/knex.js';
import { LEAD_STAGES, type Ad } from '../../domain/types.js';

const STAGE_RANK = `array_position(ARRAY[${LEAD_STAGES.map((s) => `'${s}'`).join(',')}]::text[], l.stage)`;

export interface LeadCursor {
  /** Stage rank, position and id of the last lead of the previous page. */
  s: number;
  p: number;
  i: string;
}

export interface LeadCard {
  stageRank: number;
  id: string;
  accountId: string;
  huntId: string;
  adId: string;
  stage: string;
  position: number;
  reason: string | null;
  reasonDetail: string | null;
  contactedAt: Date | null;
  repliedAt: Date | null;
  lastReplyAt: Date | null;
  createdAt: Date;
  ad: LeadCardAd;
}

/** The ad's summary on a lead's card: what the dealer sees first (its first picture). */
export type LeadCardAd = Pick<
  Ad,
  'title' | 'price' | 'brand' | 'model' | 'modelYear' | 'mileageKm' | 'city' | 'zipcode' | 'url' | 'ownerType'
> & { picture: string | null };

/** LeadCardAd, built by the query itself (one JSON object a row). */
const CARD_AD = `json_build_object('title', a.title, 'price', a.price, 'brand', a.brand, 'model', a.model, 'modelYear', a.model_year, 'mileageKm', a.mileage_km,
  'city', a.city, 'zipcode', a.zipcode, 'url', a.url, 'picture', a.pictures[1], 'ownerType', a.owner_type) AS ad`;

interface Row {
  stage_rank: number;
  id: string;
  account_id: string;
  hunt_id: string;
  ad_id: string;
  stage: string;
  position: number;
  reason: string | null;
  reason_detail: string | null;
  contacted_at: Date | null;
  replied_at: Date | null;
  last_reply_at: Date | null;
  created_at: Date;
  ad: LeadCardAd;
}

export async function listLeads(
  db: Db,
  accountId: string,
  options: { stage?: string; after?: LeadCursor; limit: number; repliedOnly?: boolean },
): Promise<LeadCard[]> {
  const q = db
    .from('leads as l')
    .join('ads as a', 'a.id', 'l.ad_id')
    .where('l.account_id', accountId)
    .select(
      db.raw(`${STAGE_RANK} AS stage_rank`),
      'l.id',
      'l.account_id',
      'l.hunt_id',
      'l.ad_id',
      'l.stage',
      'l.position',
      'l.reason',
      'l.reason_detail',
      'l.contacted_at',
      'l.replied_at',
      'l.last_reply_at',
      'l.created_at',
      db.raw(CARD_AD),
    )
    .orderByRaw(`${STAGE_RANK}, l.position, l.id`)
    .limit(options.limit);
  if (options.stage) q.where('l.stage', options.stage);
  if (options.repliedOnly) q.whereNotNull('l.replied_at');
  if (options.after)
    q.whereRaw(`(${STAGE_RANK}, l.position, l.id) > (?, ?, ?)`, [options.after.s, options.after.p, options.after.i]);
  const rows = (await q) as Row[];
  return rows.map((r) => ({
    stageRank: r.stage_rank,
    id: r.id,
    accountId: r.account_id,
    huntId: r.hunt_id,
    adId: r.ad_id,
    stage: r.stage,
    position: r.position,
    reason: r.reason,
    reasonDetail: r.reason_detail,
    contactedAt: r.contacted_at,
    repliedAt: r.replied_at,
    lastReplyAt: r.last_reply_at,
    createdAt: r.created_at,
    ad: r.ad,
  }));
}
