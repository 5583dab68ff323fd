import { describe, expect, it } from 'vitest';
import { renderTemplate, unknownTemplateVariables } from '../../src/domain/template.js';
import { sampleAd } from '../../testkit/eventSamples.js';

describe('outreach templates', () => {
  it('fills every variable of docs/ARCHITECTURE.md section 3, with the price in French format', () => {
    const text = renderTemplate(
      '{{titre_annonce}} | {{prix}} | {{marque}} | {{modele}} | {{annee}} | {{ville}} | {{vendeur_nom}}',
      sampleAd,
    );
    expect(text).toBe('Peugeot 308 GT Line 1.5 BlueHDi 130 | 14\u202f500 € | Peugeot | 308 | 2019 | Lyon | Julie');
  });

  it('renders a missing value as nothing and tidies the space it leaves', () => {
    expect(
      renderTemplate('Bonjour {{vendeur_nom}}, votre {{marque}} à {{prix}} !', {
        ...sampleAd,
        ownerName: null,
        price: null,
      }),
    ).toBe('Bonjour, votre Peugeot à!');
  });

  it('tolerates spaces inside the braces', () => {
    expect(renderTemplate('{{ ville }}', sampleAd)).toBe('Lyon');
  });

  it('lists unknown variables once each', () => {
    expect(unknownTemplateVariables('Bonjour {{prenom}} {{prenom}}, {{prix}} {{km}}')).toEqual(['prenom', 'km']);
    expect(unknownTemplateVariables('Bonjour {{vendeur_nom}}')).toEqual([]);
  });
});
