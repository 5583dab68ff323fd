// An account's leads in Kanban order: column by column (stage order), newest on top (position), with
// a summary of each ad. Keyset pagination over (stage rank, position, id).
import type { Db } from '../db/knex.js';
import { LEAD_STAGES } from '../domain/types.js';

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
  ad: {
    title: string;
    price: number | null;
    brand: string | null;
    model: string | null;
    modelYear: number | null;
    mileageKm: number | null;
    city: string | null;
    zipcode: string | null;
    url: string | null;
    pictures: string[];
    ownerType: string | null;
  };
}

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
  title: string;
  price: number | null;
  brand: string | null;
  model: string | null;
  model_year: number | null;
  mileage_km: number | null;
  city: string | null;
  zipcode: string | null;
  url: string | null;
  pictures: string[];
  owner_type: string | null;
}

export async function listLeads(db: Db, accountId: string, options: { stage?: string; after?: LeadCursor; limit: number }): Promise<LeadCard[]> {
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
      'a.title',
      'a.price',
      'a.brand',
      'a.model',
      'a.model_year',
      'a.mileage_km',
      'a.city',
      'a.zipcode',
      'a.url',
      'a.pictures',
      'a.owner_type',
    )
    .orderByRaw(`${STAGE_RANK}, l.position, l.id`)
    .limit(options.limit);
  if (options.stage) q.where('l.stage', options.stage);
  if (options.after) q.whereRaw(`(${STAGE_RANK}, l.position, l.id) > (?, ?, ?)`, [options.after.s, options.after.p, options.after.i]);
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
    ad: {
      title: r.title,
      price: r.price,
      brand: r.brand,
      model: r.model,
      modelYear: r.model_year,
      mileageKm: r.mileage_km,
      city: r.city,
      zipcode: r.zipcode,
      url: r.url,
      pictures: r.pictures,
      ownerType: r.owner_type,
    },
  }));
}
