// Outreach templates: `{{variable}}` placeholders filled from the ad (docs/ARCHITECTURE.md section 3).
import type { Ad } from './types.js';

const PRICE = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

export const TEMPLATE_VARIABLES = {
  titre_annonce: (ad: Ad) => ad.title,
  prix: (ad: Ad) => (ad.price === null ? '' : `${PRICE.format(ad.price)} €`),
  marque: (ad: Ad) => ad.brand ?? '',
  modele: (ad: Ad) => ad.model ?? '',
  annee: (ad: Ad) => (ad.modelYear === null ? '' : String(ad.modelYear)),
  ville: (ad: Ad) => ad.city ?? '',
  vendeur_nom: (ad: Ad) => ad.ownerName ?? '',
} satisfies Record<string, (ad: Ad) => string>;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

const PLACEHOLDER = /\{\{\s*([a-zA-Z_]+)\s*\}\}/g;

/** Placeholders of a template that are not known variables (to refuse the hunt with a clear error). */
export function unknownTemplateVariables(template: string): string[] {
  const unknown = new Set<string>();
  for (const [, name] of template.matchAll(PLACEHOLDER)) if (!(name! in TEMPLATE_VARIABLES)) unknown.add(name!);
  return [...unknown];
}

/**
 * Fills the placeholders. A value the ad lacks renders as nothing, and the spaces it leaves are
 * tidied, so "Bonjour {{vendeur_nom}}," reads "Bonjour," rather than "Bonjour ,".
 */
export function renderTemplate(template: string, ad: Ad): string {
  return template
    .replace(PLACEHOLDER, (match, name: string) =>
      name in TEMPLATE_VARIABLES ? TEMPLATE_VARIABLES[name as TemplateVariable](ad) : match,
    )
    .replace(/[ \t]+([,.;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
