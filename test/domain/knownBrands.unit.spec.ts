import { describe, expect, it } from 'vitest';
import { checkBrand } from '../../src/domain/knownBrands.js';

describe('LeBonCoin’s brands', () => {
  it('knows a brand whatever its case, accents and punctuation', () => {
    for (const brand of ['Peugeot', 'PEUGEOT', 'Citroën', 'citroen', 'Mercedes-Benz', 'ROLLS ROYCE', 'Lynk & Co'])
      expect(checkBrand('voitures', brand), brand).toEqual({ known: true });
    expect(checkBrand('motos', 'Harley Davidson')).toEqual({ known: true });
  });

  it('suggests the closest brand for a typo, and none for a word that is no brand', () => {
    expect(checkBrand('voitures', 'Pegeot')).toEqual({ known: false, suggestion: 'Peugeot' });
    expect(checkBrand('voitures', 'Volkswagon')).toEqual({ known: false, suggestion: 'Volkswagen' });
    expect(checkBrand('motos', 'Kawazaki')).toEqual({ known: false, suggestion: 'Kawasaki' });
    expect(checkBrand('voitures', 'Zorglub Motors')).toEqual({ known: false, suggestion: null });
  });

  it('checks cars against the car brands and motorbikes against the motorbike brands, and no other ad type', () => {
    expect(checkBrand('motos', 'Dacia').known).toBe(false);
    expect(checkBrand('voitures', 'Ducati').known).toBe(false);
    expect(checkBrand('utilitaires', 'Renault Trucks')).toEqual({ known: true });
  });
});
