import { describe, expect, it } from 'vitest';
import { createHeldBackExplainer } from '../../../src/consumers/matcher/explainHeldBack.js';

describe('the explanation of leads not contacted', () => {
  it('says why and how to fix it once per account and reason', () => {
    const lines: Array<{ details: Record<string, unknown>; message: string }> = [];
    const explain = createHeldBackExplainer({
      info: ((details: Record<string, unknown>, message: string) => void lines.push({ details, message })) as never,
    });
    const account = '6f1c0b9e-2d5a-4c1e-9a57-1f0a3c2b4d11';
    const hunt = '0190c0de-0000-7000-8000-000000000001';
    explain([{ accountId: account, huntId: hunt, reason: 'no_sender_identity' }]);
    explain([
      { accountId: account, huntId: hunt, reason: 'no_sender_identity' },
      { accountId: account, huntId: hunt, reason: 'pacing' },
    ]);

    expect(lines.map((l) => l.details.reason)).toEqual(['no_sender_identity', 'pacing']);
    expect(lines[0]!.message).toContain(`PATCH /v1/accounts/${account} {"senderName"`);
    expect(lines[0]!.details).toEqual({ accountId: account, huntId: hunt, reason: 'no_sender_identity' });
    expect(lines[1]!.message).toContain(`PATCH /v1/hunts/${hunt} {"dailyPacingLimit"`);
  });
});
