// A hunt's brands are LeBonCoin's (src/domain/leboncoinBrands.json): a typo is a 400 naming the field and
// the closest brand, wherever a hunt is written or previewed, and nothing is written.
import { describe, expect, it } from 'vitest';
import { huntInput } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv({ service: { ROLES: 'api', BRANDS_CHECK: 'leboncoin' } });
const http = apiClient(() => t.url);

interface ErrorBody {
  error: string;
  field: string;
  message: string;
}
const huntCount = async () => Number((await t.db('hunts').count<{ count: string }[]>('* as count'))[0]!.count);

describe("a hunt's brands", () => {
  it('are refused when LeBonCoin does not know them, naming the brand and the closest one, and nothing is written', async () => {
    const before = await huntCount();
    for (const [body, field, message] of [
      [
        huntInput({ brands: ['Pegeot'] }),
        'body/brands/0',
        '"Pegeot" is not a brand LeBonCoin knows for voitures; did you mean Peugeot?',
      ],
      [huntInput({ brands: ['Peugeot', 'Renualt'] }), 'body/brands/1', 'did you mean Renault?'],
      [huntInput({ adType: 'motos', brands: ['Yamahaa'] }), 'body/brands/0', 'for motos; did you mean Yamaha?'],
      [huntInput({ brands: ['Zorglub Motors'] }), 'body/brands/0', 'see src/domain/leboncoinBrands.json'],
    ] as const) {
      const response = await http.api.post<ErrorBody>('/v1/hunts', body);
      expect({ status: response.status, field: response.body.field }).toEqual({ status: 400, field });
      expect(response.body.message).toContain(message);
    }
    expect(await huntCount()).toBe(before);
  });

  it('are taken as LeBonCoin writes them whatever the case, accents and punctuation, and any brand for other ad types', async () => {
    for (const body of [
      huntInput({ brands: ['PEUGEOT', 'citroën', 'Mercedes-Benz', 'land rover'] }),
      huntInput({ adType: 'motos', brands: ['harley davidson', 'KTM'] }),
      huntInput({ adType: 'utilitaires', brands: ['Renault Trucks'] }),
    ])
      expect((await http.api.post('/v1/hunts', body)).status).toBe(201);
  });

  it('are checked when a PATCH writes them, and by the preview, with the same 400', async () => {
    const created = await http.api.post<{ id: string }>('/v1/hunts', huntInput({ brands: ['Peugeot'] }));
    expect(created.status).toBe(201);
    const patched = await http.api.patch<ErrorBody>(`/v1/hunts/${created.body.id}`, { brands: ['Citroën', 'Pegeot'] });
    expect({ status: patched.status, field: patched.body.field }).toEqual({ status: 400, field: 'body/brands/1' });
    expect(
      ((await t.db('hunts').where({ id: created.body.id }).first('brands')) as { brands: string[] }).brands,
    ).toEqual(['Peugeot']);
    const { accountId: _accountId, ...previewBody } = huntInput({ brands: ['Pegeot'] });
    const preview = await http.api.post<ErrorBody>('/v1/hunts/preview', previewBody);
    expect({ status: preview.status, field: preview.body.field }).toEqual({ status: 400, field: 'body/brands/0' });
    expect(preview.body.message).toContain('did you mean Peugeot?');
  });
});
