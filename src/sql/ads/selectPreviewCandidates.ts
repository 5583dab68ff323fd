// The ads scraped since `since` (the backfill's window) that a hunt may match, for its preview: narrowed in SQL by
// conditions every match satisfies (src/domain/huntPreview.ts previewNarrowingOf), then decided by the
// rules in memory by the caller.
import type { Db } from '../../db/knex.js';
import { previewNarrowingOf } from '../../domain/huntPreview.js';
import type { Ad, Hunt } from '../../domain/types.js';
import { selectAdBrands } from './selectAdBrands.js';
import { selectPreviewAds } from './selectPreviewAds.js';

export async function selectPreviewCandidates(db: Db, hunt: Hunt, since: Date): Promise<Ad[]> {
  // The brands as the ads write them ("PEUGEOT", "Peugeot") that the hunt accepts, so that the index
  // narrows by brand; none at all means that nothing can match.
  const written = hunt.brands.length > 0 ? await selectAdBrands(db, hunt.adType) : null;
  const { narrowing, brands, withDescription } = previewNarrowingOf(hunt, written);
  if (brands?.length === 0) return [];
  return selectPreviewAds(db, { narrowing, scrapedSince: since, withDescription, ...(brands ? { brands } : {}) });
}
