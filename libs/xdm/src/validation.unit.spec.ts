import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { identityMapSchema } from './schemas/profile.ts';
import { describeZodError, formatIssuePath, validate } from './validation.ts';

describe('describeZodError', () => {
  it('formats each issue as path: message', () => {
    const result = z.strictObject({ a: z.object({ b: z.array(z.number()) }) }).safeParse({ a: { b: [1, 'x'] } });
    expect(result.success).toBe(false);
    expect(describeZodError(result.error!)).toBe('a.b[1]: Invalid input: expected number, received string');
  });

  it('explains a bad record key with the key reasons', () => {
    const result = identityMapSchema.safeParse({ 'bad ns': [{ id: 'x' }] });
    expect(describeZodError(result.error!)).toBe("bad ns: identity namespace must be letters, digits, '_', '.', '-', '$' or '@'");
  });
});

describe('validate', () => {
  it('returns the typed value or the issues without throwing', () => {
    expect(validate(identityMapSchema, { ecid: [{ id: '1', primary: true }] })).toEqual({ ok: true, value: { ecid: [{ id: '1' }] } });
    expect(validate(identityMapSchema, [])).toEqual({
      ok: false,
      issues: [{ path: '(root)', message: 'must be an object of namespace -> list of { id }' }],
      message: '(root): must be an object of namespace -> list of { id }',
    });
  });

  it('names the root and array positions', () => {
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['audiences', 0, 'audienceId'])).toBe('audiences[0].audienceId');
  });
});
